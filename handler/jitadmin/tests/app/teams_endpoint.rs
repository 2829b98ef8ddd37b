//! The `teams` messaging endpoint through the real function, in-process: an App on
//! tenant-sim (Graph, Entra, the Bot Connector and its channel-token issuer), a routed
//! request whose card `process` posted, and clicks built by the sim's Teams client (genuine
//! or flawed), delivered as the Functions host delivers them.
//!
//! The auth matrix: every flawed activity is refused before anything is decided, and the
//! request is never resumed.

use std::sync::Arc;

use crate::callout_support::fixture;
use crate::callout_support::invoke::{callout, process};
use crate::harness::Harness;
use azfn_runtime::testing::{HttpInvocation, TestHost};
use azfn_runtime::OutputMessage;
use jitadmin::app::App;
use jitadmin::store::ApprovalStatus;
use serde_json::{json, Value};
use tenant_sim::bot::Click;
use tenant_sim::{ChannelSigner, ChannelToken, Scenario, TenantSim};

/// The requestor of the fixture's request, made a demo user: Lee Gu, an approver himself.
const REQUESTOR: &str = "11111111-0000-4000-8000-000000000003";
/// Megan Bowen: an approver.
const APPROVER: &str = "11111111-0000-4000-8000-000000000001";
/// Adele Vance: another approver.
const SECOND_APPROVER: &str = "11111111-0000-4000-8000-000000000002";
/// Lynne Robbins: not an approver.
const OUTSIDER: &str = "11111111-0000-4000-8000-000000000004";
const INSTANCE: &str = "d7e99664-0001-4c0a-9d2e-79b2a2e5d001";
const FUNCTION_APP: &str = "77777777-0000-4000-8000-000000000001";

struct T {
    sim: TenantSim,
    card_key: String,
    app: Arc<App>,
    router: axum::Router,
    _dir: tempfile::TempDir,
}

async fn start() -> T {
    let sim = TenantSim::start(Scenario::demo()).await.expect("tenant-sim");
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[default]\ndecision = \"route\"\nreason = \"Every request goes to an approver.\"\n",
    )
    .unwrap();
    let bot = sim.app_token(FUNCTION_APP, "https://api.botframework.com").unwrap();
    let built = Harness::on_sim(&sim)
        // Parallel tests on a busy machine: a slow first key fetch must not fail the callout.
        .setting("JITADMIN_OPENID_TIMEOUT_MS", "10000")
        .setting("JITADMIN_RULES", &rules.display().to_string())
        .settings(jitadmin::dev::teams_settings(&sim))
        .bot_token(&bot)
        .build()
        .await;
    assert_eq!(built.settings["JITADMIN_BOT_APP_ID"], FUNCTION_APP);
    sim.bot().set_app_id(FUNCTION_APP);
    let (app, router, map) = (built.app, built.router, built.settings);
    T {
        card_key: map["JITADMIN_CARD_KEY"].clone(),
        sim,
        app,
        router,
        _dir: dir,
    }
}

/// The fixture's created-stage request routed by `process`: the card is posted; returns
/// (conversation id, activity id).
async fn routed(t: &T) -> (String, String) {
    let body = fixture("callout-created-pascalcase.json").replace("c5e9a1b2-1111-4222-8333-444455556666", REQUESTOR);
    let bearer = {
        let claims = t
            .sim
            .app_claims(FUNCTION_APP, crate::callout_support::AUDIENCE)
            .expect("claims");
        format!("Bearer {}", t.sim.mint_token(&claims).unwrap())
    };
    let request = serde_json::from_str::<serde_json::Value>(&body).unwrap();
    let package = request["AccessPackage"]["Id"].as_str().unwrap();
    let request_id = request["AccessPackageAssignmentRequestId"].as_str().unwrap();
    t.sim.hold_waiting_request(request_id, INSTANCE, package, REQUESTOR);
    let answer = callout(&t.router, &[("Authorization", &bearer)], &body).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    let done = process(&t.router, &answer.messages[0], 1).await;
    assert_eq!(done.status, 200, "{}", done.body);
    // Posting again (a retry, a replay) finds the card already posted.
    let teams = t.app.teams().expect("Teams is configured");
    let again = jitadmin::services::teams::post::post_card(t.app.store(), teams, INSTANCE, "replay")
        .await
        .unwrap();
    assert!(again.starts_with("card already posted"), "{again}");
    let activities = t.sim.bot().activities();
    assert_eq!(activities.len(), 1, "one card posted");
    let a = &activities[0];
    (a.conversation_id.clone(), a.id.clone())
}

/// What the endpoint answered: the HTTP status and the body.
struct Answer {
    status: u16,
    body: Value,
    messages: Vec<Value>,
}

async fn deliver(t: &T, click: Click) -> Answer {
    let activity = click.activity().expect("activity");
    let authorization = click.authorization_header().expect("header");
    deliver_raw(t, &activity, authorization.as_deref()).await
}

async fn deliver_raw(t: &T, activity: &Value, authorization: Option<&str>) -> Answer {
    let mut request = HttpInvocation::post("https://jitadmin.example.net/api/teams/messages")
        .header("Content-Type", "application/json")
        .text(activity.to_string());
    if let Some(h) = authorization {
        request = request.header("Authorization", h);
    }
    let reply = TestHost::from_router(t.router.clone())
        .invoke_with_id("teams", "inv-teams-1", request)
        .await;
    assert!(reply.succeeded(), "the invocation itself succeeds: {:?}", reply.problem);
    let res = reply.http("res").expect("an HTTP answer");
    Answer {
        status: res.status_code,
        body: serde_json::from_str(&res.body).unwrap_or(Value::String(res.body.clone())),
        messages: reply.messages("events").iter().map(OutputMessage::to_value).collect(),
    }
}

fn click(t: &T, user: &str, card: &(String, String), verb: &str) -> Click {
    let c = t.sim.teams_client().click(user, &card.0, &card.1, verb);
    if verb == "deny" {
        c.input("reason", "Not now")
    } else {
        c
    }
}

fn resumes(t: &T) -> usize {
    t.sim
        .calls()
        .iter()
        .filter(|c| c.method == "POST" && c.path.ends_with("/resume"))
        .count()
}

async fn assert_refused(t: &T, answer: &Answer, status: u16, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    assert_eq!(resumes(t), 0, "{what}: nothing resumed");
    let approval = t.app.store().approval_get(INSTANCE).await.unwrap().unwrap().value;
    assert_eq!(approval.status, ApprovalStatus::Open, "{what}: still open");
}

fn invoke_error(answer: &Answer) -> (u64, String) {
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body["type"], "application/vnd.microsoft.error",
        "{}",
        answer.body
    );
    (
        answer.body["statusCode"].as_u64().unwrap_or(0),
        answer.body["value"]["code"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn the_auth_matrix_refuses_every_flawed_activity_and_resumes_nothing() {
    let t = start().await;
    let card = routed(&t).await;
    let now = chrono::Utc::now().timestamp();
    let token_cases: Vec<(&str, ChannelToken, u16)> = vec![
        (
            "wrong issuer",
            ChannelToken::genuine().issuer("https://evil.example"),
            401,
        ),
        ("wrong audience", ChannelToken::genuine().audience("another-bot"), 401),
        ("expired", ChannelToken::genuine().expired(), 401),
        ("not yet valid", ChannelToken::genuine().not_before(now + 3600), 401),
        (
            "bad signature",
            ChannelToken::genuine().signed_by(ChannelSigner::Forged),
            401,
        ),
        (
            "unknown kid",
            ChannelToken::genuine().signed_by(ChannelSigner::UnknownKid("nope".into())),
            401,
        ),
        (
            "serviceUrl claim mismatch",
            ChannelToken::genuine().service_url("https://evil.example/"),
            401,
        ),
        (
            "serviceUrl claim missing",
            ChannelToken::genuine().without("serviceurl"),
            401,
        ),
        (
            "missing endorsement",
            ChannelToken::genuine().signed_by(ChannelSigner::Unendorsed),
            403,
        ),
    ];
    for (what, token, status) in token_cases {
        let answer = deliver(&t, click(&t, APPROVER, &card, "approve").token(token)).await;
        assert_refused(&t, &answer, status, what).await;
        assert_eq!(answer.body["status"], status, "{what}: a problem body: {}", answer.body);
    }
    let no_token = deliver(&t, click(&t, APPROVER, &card, "approve").authorization(None)).await;
    assert_refused(&t, &no_token, 401, "missing token").await;
    let basic = deliver(
        &t,
        click(&t, APPROVER, &card, "approve").authorization(Some("Basic Zm9vOmJhcg==".into())),
    )
    .await;
    assert_refused(&t, &basic, 401, "wrong scheme").await;

    // The activity's own fields, under a genuine token.
    let tenant = deliver(
        &t,
        click(&t, APPROVER, &card, "approve").tenant("0d5e6f7a-0000-4000-8000-000000000099"),
    )
    .await;
    assert_refused(&t, &tenant, 403, "wrong tenant").await;
    // Another channel: the key is not endorsed for it (403) — and were it, not Teams (403).
    let channel = deliver(&t, click(&t, APPROVER, &card, "approve").channel("webchat")).await;
    assert_refused(&t, &channel, 403, "wrong channel").await;
    let service_url = deliver(
        &t,
        click(&t, APPROVER, &card, "approve").service_url("https://evil.example/"),
    )
    .await;
    assert_refused(&t, &service_url, 401, "activity serviceUrl differs from the token's").await;

    // Tampered card data: another approval's id, a later expiry, a verb that differs.
    let tampered = deliver(
        &t,
        click(&t, APPROVER, &card, "approve")
            .tamper(|a| a["value"]["action"]["data"]["expiresAt"] = json!(4_102_444_800i64)),
    )
    .await;
    assert_eq!(invoke_error(&tampered), (400, "BadRequest".into()));
    let other_id = deliver(
        &t,
        click(&t, APPROVER, &card, "approve")
            .tamper(|a| a["value"]["action"]["data"]["stageInstanceId"] = json!("another")),
    )
    .await;
    assert_eq!(invoke_error(&other_id), (400, "BadRequest".into()));
    let verb = deliver(
        &t,
        click(&t, APPROVER, &card, "approve").tamper(|a| a["value"]["action"]["verb"] = json!("deny")),
    )
    .await;
    assert_eq!(invoke_error(&verb), (400, "BadRequest".into()));
    let not_json = deliver_raw(&t, &json!("hello"), Some("Bearer x")).await;
    assert_eq!(not_json.status, 400);
    assert_refused(&t, &tampered, 200, "tampered data").await;

    let trail = t.app.store().audit_by_request(&card_request(&t).await).await.unwrap();
    assert!(
        trail.iter().any(|r| r.event.action == "teams.card.posted"),
        "the posting is audited"
    );
    assert!(trail.iter().all(|r| r.event.action != "teams.approved"));
}

#[tokio::test]
async fn forged_card_data_is_audited_under_the_clicker_once_a_minute_never_under_its_request() {
    let t = start().await;
    let card = routed(&t).await;
    let victim = "victim-request-id";
    for _ in 0..3 {
        let forged = deliver(
            &t,
            click(&t, OUTSIDER, &card, "approve").tamper(move |a| {
                a["value"]["action"]["data"]["requestId"] = json!(victim);
                a["value"]["action"]["data"]["stageInstanceId"] = json!("x".repeat(50_000));
            }),
        )
        .await;
        assert_eq!(invoke_error(&forged), (400, "BadRequest".into()));
    }
    assert!(
        t.app.store().audit_by_request(victim).await.unwrap().is_empty(),
        "nothing under the claimed request"
    );
    let refused = t
        .app
        .store()
        .audit_by_request(jitadmin::flows::approval::click::UNSIGNED_CARD_DATA)
        .await
        .unwrap();
    assert_eq!(refused.len(), 1, "once a minute per clicker: {refused:?}");
    assert_eq!(refused[0].event.user, OUTSIDER);
    assert!(
        refused[0].event.detail.to_string().len() < 1_000,
        "nothing of the data is kept"
    );
}

#[tokio::test]
async fn a_guest_in_the_approvers_group_cannot_decide() {
    const GUEST: &str = "11111111-0000-4000-8000-000000000008";
    const APPROVERS_GROUP: &str = "22222222-0000-4000-8000-000000000002";
    let t = start().await;
    t.sim.add_group_member(APPROVERS_GROUP, GUEST).unwrap();
    let card = routed(&t).await;
    let answer = deliver(&t, click(&t, GUEST, &card, "approve")).await;
    assert_eq!(invoke_error(&answer), (403, "Forbidden".into()));
    assert!(t
        .sim
        .assignment_request(&card_request(&t).await)
        .is_none_or(|r| r.resumes.is_empty()));
    let trail = t.app.store().audit_by_request(&card_request(&t).await).await.unwrap();
    assert!(trail
        .iter()
        .any(|r| r.event.action == "teams.refused"
            && r.event.detail["why"].as_str().unwrap_or_default().contains("guest")));
}

async fn card_request(t: &T) -> String {
    t.app
        .store()
        .approval_get(INSTANCE)
        .await
        .unwrap()
        .unwrap()
        .value
        .request_id
}

#[tokio::test]
async fn a_replayed_card_past_its_expiry_is_shown_expired_and_changes_nothing() {
    let t = start().await;
    let card = routed(&t).await;
    // A genuine card (signed with our key) whose expiry has passed: a late or replayed click.
    let signer = jitadmin_teams::card::CardSigner::new(t.card_key.as_bytes());
    let request_id = card_request(&t).await;
    let past = chrono::Utc::now().timestamp() - 60;
    let mac = signer.sign(INSTANCE, &request_id, past);
    let replay = deliver(
        &t,
        click(&t, APPROVER, &card, "approve").tamper(move |a| {
            a["value"]["action"]["data"]["expiresAt"] = json!(past);
            a["value"]["action"]["data"]["mac"] = json!(mac);
        }),
    )
    .await;
    assert_eq!(replay.body["statusCode"], 200, "{}", replay.body);
    assert_eq!(replay.body["type"], "application/vnd.microsoft.card.adaptive");
    assert!(
        replay.body["value"].to_string().contains("No longer open"),
        "{}",
        replay.body
    );
    assert_refused(&t, &replay, 200, "an expired card").await;
    let trail = t.app.store().audit_by_request(&request_id).await.unwrap();
    assert!(trail
        .iter()
        .any(|r| r.event.action == "teams.refused" && r.event.detail["why"] == "the card expired"));
}

#[tokio::test]
async fn the_requestor_and_outsiders_are_refused_and_the_first_approver_wins() {
    let t = start().await;
    let card = routed(&t).await;

    let own = deliver(&t, click(&t, REQUESTOR, &card, "approve")).await;
    assert_eq!(invoke_error(&own), (403, "Forbidden".into()));
    let outsider = deliver(&t, click(&t, OUTSIDER, &card, "approve")).await;
    assert_eq!(invoke_error(&outsider), (403, "Forbidden".into()));
    assert_eq!(resumes(&t), 0);

    let pending_card = t.sim.bot().card(&card.0, &card.1).unwrap();
    let approved = deliver(&t, click(&t, APPROVER, &card, "approve")).await;
    assert_eq!(approved.status, 200);
    assert_eq!(approved.body["statusCode"], 200, "{}", approved.body);
    assert_eq!(approved.body["type"], "application/vnd.microsoft.card.adaptive");
    assert_eq!(resumes(&t), 1, "one resume");

    // The sim knows no such request, so Entra's answer closes the approval; a second
    // approver's click changes nothing (the concurrent "already decided by" is end to end).
    let second = deliver(&t, click(&t, SECOND_APPROVER, &card, "deny").on_card(pending_card)).await;
    assert_eq!(
        second.body["type"], "application/vnd.microsoft.card.adaptive",
        "{}",
        second.body
    );
    assert_eq!(resumes(&t), 1, "still one resume");
    assert!(second.messages.is_empty());

    let actions: Vec<String> = t
        .app
        .store()
        .audit_by_request(&card_request(&t).await)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.event.action)
        .collect();
    for expected in ["teams.card.posted", "teams.clicked", "teams.refused"] {
        assert!(actions.iter().any(|a| a == expected), "{expected} in {actions:?}");
    }
}

#[tokio::test]
async fn other_activities_get_an_empty_answer() {
    let t = start().await;
    let card = routed(&t).await;
    let click = click(&t, APPROVER, &card, "approve");
    let mut activity = click.activity().unwrap();
    activity["type"] = json!("message");
    activity["name"] = Value::Null;
    activity["value"] = Value::Null;
    activity["text"] = json!("hello bot");
    let answer = deliver_raw(&t, &activity, click.authorization_header().unwrap().as_deref()).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer.body == Value::Null || answer.body == json!(""),
        "{}",
        answer.body
    );
    assert_eq!(resumes(&t), 0);
}

#[tokio::test]
async fn a_resume_that_fails_transiently_answers_applying_and_is_retried_through_the_queue() {
    let t = start().await;
    let card = routed(&t).await;
    t.sim.faults().inject(
        tenant_sim::FaultRule::new(
            tenant_sim::RoutePattern::new("POST", "*/resume"),
            tenant_sim::FaultKind::ServiceUnavailable { retry_after: None },
        )
        .times(2),
    );
    let answer = deliver(&t, click(&t, APPROVER, &card, "approve")).await;
    assert_eq!(
        answer.body["type"], "application/vnd.microsoft.card.adaptive",
        "{}",
        answer.body
    );
    assert!(answer.body["value"].to_string().contains("applying"), "{}", answer.body);
    assert_eq!(answer.messages.len(), 1, "the decision is queued for a retry");
    let message = &answer.messages[0];
    assert_eq!(message["azfnMessage"]["body"]["kind"], "teamsDecision");
    assert_eq!(message["azfnMessage"]["sessionId"], REQUESTOR);
    let base = t.sim.bot().card(&card.0, &card.1).unwrap().to_string();
    assert!(base.contains("applying"), "everyone sees it is being applied: {base}");

    let retried = process(&t.router, message, 1).await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert_eq!(resumes(&t), 3, "two refused by the fault, one through the queue");
    let approval = t.app.store().approval_get(INSTANCE).await.unwrap().unwrap().value;
    assert_ne!(approval.status, ApprovalStatus::Open);
    assert!(
        approval.applied_at.is_some() || approval.closed_why.is_some(),
        "{approval:?}"
    );
    let again = process(&t.router, message, 2).await;
    assert_eq!(
        again.status, 200,
        "a duplicate delivery changes nothing: {}",
        again.body
    );
    assert_eq!(resumes(&t), 3);
}

#[tokio::test]
async fn a_personal_install_is_learned_only_from_an_authentic_activity_of_our_tenant() {
    let t = start().await;
    let fixture: Value = serde_json::from_str(include_str!(
        "../../../events/testdata/activity-conversation-update-personal-install.json"
    ))
    .unwrap();
    let mut install = fixture.clone();
    install["serviceUrl"] = json!(t.sim.bot().service_url());
    install["from"]["aadObjectId"] = json!(OUTSIDER);
    install["conversation"]["tenantId"] = json!(t.sim.tenant_id());
    install["channelData"]["tenant"]["id"] = json!(t.sim.tenant_id());
    let token = format!("Bearer {}", t.sim.bot().channel_token().unwrap());

    // No token, or another tenant: refused, nothing stored.
    let answer = deliver_raw(&t, &install, None).await;
    assert_eq!(answer.status, 401);
    let mut foreign = install.clone();
    foreign["conversation"]["tenantId"] = json!("84bd8158-6d4d-4958-8b9f-9d6445542f95");
    foreign["channelData"]["tenant"]["id"] = json!("84bd8158-6d4d-4958-8b9f-9d6445542f95");
    let answer = deliver_raw(&t, &foreign, Some(&token)).await;
    assert_eq!(answer.status, 403);
    assert_eq!(t.app.store().teams_contact_get(OUTSIDER).await.unwrap(), None);

    // Genuine: stored with the user's 29: id, chat and service URL.
    let answer = deliver_raw(&t, &install, Some(&token)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let contact = t
        .app
        .store()
        .teams_contact_get(OUTSIDER)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(contact.member_id, fixture["from"]["id"].as_str().unwrap());
    assert_eq!(contact.conversation_id, fixture["conversation"]["id"].as_str().unwrap());
    assert_eq!(contact.service_url, t.sim.bot().service_url());

    // Removed: forgotten.
    let mut removal: Value = serde_json::from_str(include_str!(
        "../../../events/testdata/activity-installation-update-personal-remove.json"
    ))
    .unwrap();
    removal["serviceUrl"] = install["serviceUrl"].clone();
    removal["from"] = install["from"].clone();
    removal["conversation"] = install["conversation"].clone();
    removal["channelData"] = install["channelData"].clone();
    let answer = deliver_raw(&t, &removal, Some(&token)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(t.app.store().teams_contact_get(OUTSIDER).await.unwrap(), None);
}
