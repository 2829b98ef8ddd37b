//! The Bot Connector client against tenant-sim's Bot Connector, with a bot token from the
//! real azure_identity ClientSecretCredential pointed at the sim's authority.

use std::sync::Arc;
use std::time::Duration;

use azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};
use jitadmin_teams::connector::{BotConnector, ConnectorError, ConnectorRetry, BOT_FRAMEWORK_SCOPE};
use serde_json::{json, Value};
use tenant_sim::{FaultKind, FaultRule, RoutePattern, Scenario, TenantSim};

const BOT_APP: &str = "66666666-0000-4000-8000-000000000001";
const BOT_SECRET: &str = "demo-jitadmin-secret";
const CHANNEL: &str = "19:jit-approvals000000000000000000@thread.tacv2";

fn card(text: &str) -> Value {
    json!({ "type": "AdaptiveCard", "version": "1.5", "body": [ { "type": "TextBlock", "text": text } ] })
}

async fn setup(secret: &str) -> (TenantSim, BotConnector) {
    let sim = TenantSim::start(Scenario::demo()).await.unwrap();
    let options = ClientSecretCredentialOptions {
        client_options: tenant_sim::azure::client_options(&sim),
    };
    let credential = ClientSecretCredential::new(
        sim.tenant_id(),
        BOT_APP.to_owned(),
        secret.to_owned().into(),
        Some(options),
    )
    .unwrap();
    let connector = BotConnector::new(credential, BOT_FRAMEWORK_SCOPE, reqwest::Client::new());
    (sim, connector)
}

#[tokio::test]
async fn a_card_is_posted_updated_and_followed_by_a_message() {
    let (sim, connector) = setup(BOT_SECRET).await;
    let service_url = sim.bot().service_url();
    let posted = connector
        .post_card_to_channel(&service_url, CHANNEL, sim.tenant_id(), &card("v1"), "Approval needed")
        .await
        .unwrap();
    assert_eq!(
        posted.conversation_id,
        format!("{CHANNEL};messageid={}", posted.activity_id)
    );
    let stored = sim
        .bot()
        .activity(&posted.conversation_id, &posted.activity_id)
        .unwrap();
    assert_eq!(stored.card(), Some(&card("v1")));
    assert_eq!(stored.summary(), Some("Approval needed"));

    connector
        .update_card(&service_url, &posted.conversation_id, &posted.activity_id, &card("v2"))
        .await
        .unwrap();
    let stored = sim
        .bot()
        .activity(&posted.conversation_id, &posted.activity_id)
        .unwrap();
    assert_eq!(stored.card_versions(), vec![&card("v1"), &card("v2")]);

    let id = connector
        .send_message(
            &service_url,
            &posted.conversation_id,
            "Granted to Adele",
            Some(&card("notice")),
        )
        .await
        .unwrap();
    let notice = sim.bot().activity(&posted.conversation_id, &id).unwrap();
    assert_eq!(notice.text(), Some("Granted to Adele"));
    assert_eq!(notice.card(), Some(&card("notice")));

    // One token request served all three calls (azure_identity caches it); none is recorded in clear.
    let token_calls = sim.calls_to("POST", &format!("/{}/oauth2/v2.0/token", sim.tenant_id()));
    assert_eq!(token_calls.len(), 1);
    assert!(token_calls[0].text().contains("api.botframework.com"));
    let connector_calls = sim.calls_to("*", "/botconnector/");
    assert_eq!(connector_calls.len(), 3);
    assert!(connector_calls
        .iter()
        .all(|c| c.status.is_some_and(|s| (200..300).contains(&s))));
    assert_eq!(connector_calls[0].json().unwrap()["isGroup"], true);
    assert_eq!(
        connector_calls[0].json().unwrap()["channelData"]["tenant"]["id"],
        sim.tenant_id()
    );
}

#[tokio::test]
async fn throttling_is_reported_with_retry_after_when_the_brief_retry_cannot_help() {
    let (sim, connector) = setup(BOT_SECRET).await;
    let connector = connector.with_retry(ConnectorRetry::none());
    let route = RoutePattern::new("POST", "/botconnector/v3/conversations");
    sim.faults().inject(FaultRule::new(
        route.clone(),
        FaultKind::TooManyRequests { retry_after: Some(7) },
    ));
    let err = connector
        .post_card_to_channel(&sim.bot().service_url(), CHANNEL, sim.tenant_id(), &card("x"), "")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Throttled {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert!(err.is_transient());
    sim.faults()
        .inject(FaultRule::new(route, FaultKind::TooManyRequests { retry_after: None }));
    let err = connector
        .post_card_to_channel(&sim.bot().service_url(), CHANNEL, sim.tenant_id(), &card("x"), "")
        .await
        .unwrap_err();
    assert_eq!(err, ConnectorError::Throttled { retry_after: None });
}

#[tokio::test]
async fn one_short_throttle_is_retried_once_by_default() {
    let (sim, connector) = setup(BOT_SECRET).await;
    let route = RoutePattern::new("POST", "/botconnector/v3/conversations");
    sim.faults().inject(FaultRule::new(
        route.clone(),
        FaultKind::TooManyRequests { retry_after: Some(0) },
    ));
    connector
        .post_card_to_channel(&sim.bot().service_url(), CHANNEL, sim.tenant_id(), &card("x"), "")
        .await
        .unwrap();
    assert_eq!(sim.calls_to("POST", "/botconnector/").len(), 2);
    // A long Retry-After is not waited for.
    sim.faults().inject(FaultRule::new(
        route,
        FaultKind::TooManyRequests { retry_after: Some(30) },
    ));
    let err = connector
        .post_card_to_channel(&sim.bot().service_url(), CHANNEL, sim.tenant_id(), &card("x"), "")
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Throttled { .. }));
    assert_eq!(sim.calls_to("POST", "/botconnector/").len(), 3);
}

#[tokio::test]
async fn server_errors_are_unavailable_and_a_post_is_not_repeated() {
    let (sim, connector) = setup(BOT_SECRET).await;
    sim.faults().inject(FaultRule::new(
        RoutePattern::new("POST", "/botconnector/*"),
        FaultKind::ServiceUnavailable { retry_after: None },
    ));
    let err = connector
        .post_card_to_channel(&sim.bot().service_url(), CHANNEL, sim.tenant_id(), &card("x"), "")
        .await
        .unwrap_err();
    assert_eq!(err, ConnectorError::Unavailable { status: 503 });
    assert!(err.is_transient());
    assert_eq!(
        sim.calls_to("POST", "/botconnector/").len(),
        1,
        "a POST is not retried on 5xx"
    );

    let posted = connector
        .post_card_to_channel(&sim.bot().service_url(), CHANNEL, sim.tenant_id(), &card("x"), "")
        .await
        .unwrap();
    sim.faults().inject(FaultRule::new(
        RoutePattern::new("PUT", "/botconnector/*"),
        FaultKind::InternalServerError,
    ));
    connector
        .update_card(
            &sim.bot().service_url(),
            &posted.conversation_id,
            &posted.activity_id,
            &card("y"),
        )
        .await
        .expect("an update is retried once after a 500");
    sim.faults().inject(
        FaultRule::new(
            RoutePattern::new("PUT", "/botconnector/*"),
            FaultKind::InternalServerError,
        )
        .times(2),
    );
    let err = connector
        .update_card(
            &sim.bot().service_url(),
            &posted.conversation_id,
            &posted.activity_id,
            &card("z"),
        )
        .await
        .unwrap_err();
    assert_eq!(err, ConnectorError::Unavailable { status: 500 });
}

#[tokio::test]
async fn refusals_carry_the_connectors_error_and_are_not_transient() {
    let (sim, connector) = setup(BOT_SECRET).await;
    let err = connector
        .post_card_to_channel(
            &sim.bot().service_url(),
            "19:not-installed@thread.tacv2",
            sim.tenant_id(),
            &card("x"),
            "",
        )
        .await
        .unwrap_err();
    match &err {
        ConnectorError::Refused { status: 403, message } => assert!(message.contains("BotNotInConversationRoster")),
        other => panic!("expected 403, got {other:?}"),
    }
    assert!(!err.is_transient());
    let err = connector
        .update_card(
            &sim.bot().service_url(),
            "19:unknown@thread.tacv2;messageid=1",
            "1",
            &card("x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Refused { status: 404, .. }), "{err:?}");

    // A token of an app that is not the bot: 403.
    sim.bot().set_app_id("another-bot-app-id");
    let err = connector
        .send_message(&sim.bot().service_url(), CHANNEL, "hello", None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Refused { status: 403, .. }), "{err:?}");
}

#[tokio::test]
async fn a_bad_secret_is_a_token_error_and_no_connector_call_is_made() {
    let (sim, connector) = setup("wrong-secret").await;
    let err = connector
        .post_card_to_channel(&sim.bot().service_url(), CHANNEL, sim.tenant_id(), &card("x"), "")
        .await
        .unwrap_err();
    match &err {
        ConnectorError::Token(message) => {
            assert!(message.contains("AADSTS7000215"), "{message}");
            assert!(!message.contains("wrong-secret"));
        }
        other => panic!("expected a token error, got {other:?}"),
    }
    assert!(sim.calls_to("*", "/botconnector/").is_empty());
}

#[tokio::test]
async fn a_token_for_another_resource_is_refused_with_401() {
    let (sim, _) = setup(BOT_SECRET).await;
    // A credential for the Graph scope: the Connector refuses its token.
    let options = ClientSecretCredentialOptions {
        client_options: tenant_sim::azure::client_options(&sim),
    };
    let credential = ClientSecretCredential::new(
        sim.tenant_id(),
        BOT_APP.to_owned(),
        BOT_SECRET.to_owned().into(),
        Some(options),
    )
    .unwrap();
    let wrong_scope = BotConnector::new(
        credential,
        "https://graph.microsoft.com/.default",
        reqwest::Client::new(),
    );
    let err = wrong_scope
        .post_card_to_channel(&sim.bot().service_url(), CHANNEL, sim.tenant_id(), &card("x"), "")
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Refused { status: 401, .. }), "{err:?}");
}

#[tokio::test]
async fn a_service_url_outside_the_allowlist_gets_no_token() {
    let (sim, connector) = setup(BOT_SECRET).await;
    let connector = connector.with_allowed_hosts(["smba.trafficmanager.net"]);
    let err = connector
        .post_card_to_channel(&sim.bot().service_url(), CHANNEL, sim.tenant_id(), &card("x"), "")
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Refused { status: 0, .. }), "{err:?}");
    assert!(!err.is_transient());
    assert!(
        sim.calls().is_empty(),
        "neither the token endpoint nor the connector was called"
    );
    let local = BotConnector::new(Arc::new(NoToken), BOT_FRAMEWORK_SCOPE, reqwest::Client::new())
        .with_allowed_hosts(["127.0.0.1"]);
    let err = local
        .send_message(&sim.bot().service_url(), CHANNEL, "hi", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Token(_)),
        "an allowed host goes on to the token: {err:?}"
    );
}

/// A credential that always fails.
#[derive(Debug)]
struct NoToken;

#[async_trait::async_trait]
impl azure_core::credentials::TokenCredential for NoToken {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<azure_core::credentials::TokenRequestOptions<'_>>,
    ) -> azure_core::Result<azure_core::credentials::AccessToken> {
        Err(azure_core::Error::with_message(
            azure_core::error::ErrorKind::Credential,
            "no token here",
        ))
    }
}

#[tokio::test]
async fn a_one_to_one_chat_opens_only_for_a_user_who_installed_the_app() {
    const LEE: &str = "11111111-0000-4000-8000-000000000003";
    let (sim, connector) = setup(BOT_SECRET).await;
    let service_url = sim.bot().service_url();
    let bot_id = format!("28:{BOT_APP}");
    let member = sim.bot().user_mri(LEE);

    let refused = connector
        .open_personal_chat(&service_url, &bot_id, &member, sim.tenant_id())
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ConnectorError::Refused { status: 403, message } if message.contains("BotNotInConversationRoster")),
        "{refused:?}"
    );
    assert!(!refused.is_transient());

    // The user adds the app (no messaging endpoint here: Teams' notices go nowhere, the chat opens).
    let _ = sim.teams_client().install_personal(LEE).await;
    let chat = connector
        .open_personal_chat(&service_url, &bot_id, &member, sim.tenant_id())
        .await
        .unwrap();
    assert!(chat.starts_with("a:"), "{chat}");
    connector
        .send_message(&service_url, &chat, "Your rights were granted", None)
        .await
        .unwrap();
    let messages = sim.teams_client().personal_messages(LEE);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].text(), Some("Your rights were granted"));

    let opened: Vec<_> = sim
        .calls_to("POST", "/botconnector/v3/conversations")
        .into_iter()
        .filter(|c| c.path.ends_with("/conversations"))
        .collect();
    assert_eq!(opened.len(), 2);
    let body = opened[1].json().unwrap();
    assert_eq!(body["members"][0]["id"], member.as_str());
    assert_eq!(body["bot"]["id"], bot_id.as_str());
    assert_eq!(body["channelData"]["tenant"]["id"], sim.tenant_id());
}
