//! The Teams client helper: a directory user clicks an `Action.Execute` on a posted card; the
//! invoke reaches a messaging endpoint with a genuine channel token and the documented shape
//! (B2.3); a card in the answer becomes that user's view until the base card is updated.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use crate::support::*;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Json, Router};
use jitadmin_auth::{BotConfig, BotValidator, KeySource, KeySourceConfig, SystemClock};
use serde_json::{json, Value};
use tenant_sim::TenantSim;

const CHANNEL: &str = "19:jit-approvals000000000000000000@thread.tacv2";
const FIXTURE: &str = include_str!("../../../events/testdata/activity-invoke-adaptive-card-action.json");

fn approval_card() -> Value {
    json!({
        "type": "AdaptiveCard", "version": "1.5",
        "body": [ { "type": "TextBlock", "text": "Adele asks for local admin" } ],
        "actions": [
            { "type": "Action.Execute", "title": "Approve", "verb": "approve", "data": { "requestId": "R1", "mac": "m" } },
            { "type": "Action.ShowCard", "title": "Deny", "card": {
                "type": "AdaptiveCard",
                "body": [ { "type": "Input.Text", "id": "reason", "isRequired": true } ],
                "actions": [ { "type": "Action.Execute", "id": "deny", "verb": "deny", "data": { "requestId": "R1", "mac": "m" } } ]
            } }
        ]
    })
}

/// Posts the card as the bot would; returns (conversation id, activity id).
async fn post_card(sim: &TenantSim) -> (String, String) {
    let token = sim.app_token(JITADMIN_APP, "https://api.botframework.com").unwrap();
    let body = json!({
        "isGroup": true,
        "channelData": { "channel": { "id": CHANNEL }, "tenant": { "id": sim.tenant_id() } },
        "activity": { "type": "message", "attachments": [
            { "contentType": "application/vnd.microsoft.card.adaptive", "content": approval_card() } ] }
    });
    let answer: Value = http()
        .post(format!("{}v3/conversations", sim.bot().service_url()))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        answer["id"].as_str().unwrap().to_owned(),
        answer["activityId"].as_str().unwrap().to_owned(),
    )
}

#[derive(Clone)]
struct Bot {
    validator: Arc<BotValidator>,
    seen: Arc<Mutex<Vec<Value>>>,
}

/// A messaging endpoint standing in for jitadmin's: validates the token, answers a card naming the clicker.
async fn messages(State(bot): State<Bot>, headers: HeaderMap, Json(activity): Json<Value>) -> axum::response::Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    let service_url = activity["serviceUrl"].as_str().unwrap_or_default();
    let channel = activity["channelId"].as_str().unwrap_or_default();
    if let Err(e) = bot.validator.validate(auth, service_url, channel).await {
        return (StatusCode::from_u16(e.status()).unwrap(), e.code()).into_response();
    }
    bot.seen.lock().unwrap().push(activity.clone());
    let who = activity["from"]["name"].as_str().unwrap_or_default();
    let verb = activity["value"]["action"]["verb"].as_str().unwrap_or_default();
    Json(json!({
        "statusCode": 200,
        "type": "application/vnd.microsoft.card.adaptive",
        "value": { "type": "AdaptiveCard", "version": "1.5", "body": [ { "type": "TextBlock", "text": format!("{verb} by {who}") } ] }
    }))
    .into_response()
}

async fn start_bot(sim: &TenantSim) -> Bot {
    let clock = Arc::new(SystemClock);
    let keys = KeySource::new(KeySourceConfig::openid(sim.bot().openid_metadata_url()), clock.clone()).unwrap();
    let bot = Bot {
        validator: Arc::new(BotValidator::new(BotConfig::new(JITADMIN_APP), Arc::new(keys), clock)),
        seen: Arc::default(),
    };
    let app = Router::new()
        .route("/api/teams/messages", axum::routing::post(messages))
        .with_state(bot.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    sim.bot()
        .set_messaging_endpoint(format!("http://{}/api/teams/messages", listener.local_addr().unwrap()));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    bot
}

/// Every key path of a JSON value (`a.b.c`, arrays as `[]`).
fn paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            let p = format!("{prefix}.{k}");
            out.insert(p.clone());
            paths(v, &p, out);
        }),
        Value::Array(items) => items.iter().for_each(|v| paths(v, &format!("{prefix}[]"), out)),
        _ => {}
    }
}

#[tokio::test]
async fn a_click_sends_the_documented_invoke_with_a_genuine_token() {
    let sim = demo().await;
    let bot = start_bot(&sim).await;
    let (conversation, activity) = post_card(&sim).await;
    let outcome = sim
        .teams_client()
        .click("adele.vance@contoso.example", &conversation, &activity, "deny")
        .input("reason", "No ticket referenced")
        .send()
        .await
        .unwrap();
    assert_eq!(outcome.status, Some(200), "{:?}", outcome.body);
    let sent = bot.seen.lock().unwrap()[0].clone();
    assert_eq!(sent, outcome.activity);
    assert_eq!(sent["type"], "invoke");
    assert_eq!(sent["name"], "adaptiveCard/action");
    assert_eq!(sent["channelId"], "msteams");
    assert_eq!(sent["serviceUrl"], sim.bot().service_url());
    assert_eq!(sent["from"]["aadObjectId"], ADELE);
    assert_eq!(sent["from"]["name"], "Adele Vance");
    assert!(sent["from"]["id"].as_str().unwrap().starts_with("29:"));
    assert_eq!(sent["recipient"]["id"], format!("28:{JITADMIN_APP}"));
    assert_eq!(sent["conversation"]["id"], conversation);
    assert_eq!(sent["conversation"]["tenantId"], sim.tenant_id());
    assert_eq!(sent["channelData"]["tenant"]["id"], sim.tenant_id());
    assert_eq!(sent["channelData"]["channel"]["id"], CHANNEL);
    assert_eq!(sent["replyToId"], activity);
    assert_eq!(
        sent["value"],
        json!({ "action": { "type": "Action.Execute", "id": "deny", "verb": "deny",
            "data": { "requestId": "R1", "mac": "m", "reason": "No ticket referenced" } }, "trigger": "manual" })
    );
    // Same shape as the captured fixture (B2.3), key for key (except the fixture's `legacy`).
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let (mut want, mut got) = (BTreeSet::new(), BTreeSet::new());
    paths(&fixture, "", &mut want);
    paths(&sent, "", &mut got);
    want.retain(|p| !p.contains(".legacy") && !p.starts_with(".value.action.data."));
    got.retain(|p| !p.starts_with(".value.action.data."));
    assert_eq!(want, got);
}

#[tokio::test]
async fn the_clickers_view_is_their_answer_card_until_the_base_card_is_updated() {
    let sim = demo().await;
    let _bot = start_bot(&sim).await;
    let (conversation, activity) = post_card(&sim).await;
    let client = sim.teams_client();
    assert!(client.find_action(ADELE, &conversation, &activity, "deny").is_some());
    let outcome = client
        .click(ADELE, &conversation, &activity, "approve")
        .send()
        .await
        .unwrap();
    let view = outcome.card().unwrap().clone();
    assert_eq!(view["body"][0]["text"], "approve by Adele Vance");
    assert_eq!(client.card_seen_by(ADELE, &conversation, &activity), Some(view));
    assert_eq!(
        client.card_seen_by(LEE, &conversation, &activity),
        Some(approval_card())
    );
    assert!(client.find_action(ADELE, &conversation, &activity, "approve").is_none());
    assert_eq!(sim.bot().invokes().len(), 1);

    let token = sim.app_token(JITADMIN_APP, "https://api.botframework.com").unwrap();
    let done =
        json!({ "type": "AdaptiveCard", "version": "1.5", "body": [ { "type": "TextBlock", "text": "Approved" } ] });
    let update = json!({ "type": "message", "attachments": [
        { "contentType": "application/vnd.microsoft.card.adaptive", "content": done } ] });
    let r = http()
        .put(format!(
            "{}v3/conversations/{}/activities/{activity}",
            sim.bot().service_url(),
            conversation
                .replace(':', "%3A")
                .replace(';', "%3B")
                .replace('=', "%3D")
                .replace('@', "%40")
        ))
        .bearer_auth(token)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for user in [ADELE, LEE] {
        assert_eq!(client.card_seen_by(user, &conversation, &activity), Some(done.clone()));
    }
}

#[tokio::test]
async fn flawed_clicks_are_refused_by_the_endpoint_and_change_no_view() {
    let sim = demo().await;
    let bot = start_bot(&sim).await;
    let (conversation, activity) = post_card(&sim).await;
    let client = sim.teams_client();
    let no_token = client
        .click(ADELE, &conversation, &activity, "approve")
        .authorization(None)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status, Some(401));
    let expired = client
        .click(ADELE, &conversation, &activity, "approve")
        .token(tenant_sim::ChannelToken::genuine().expired())
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status, Some(401));
    let moved = client
        .click(ADELE, &conversation, &activity, "approve")
        .service_url("http://127.0.0.1:1/elsewhere/")
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status, Some(401));
    assert!(bot.seen.lock().unwrap().is_empty());
    assert_eq!(
        client.card_seen_by(ADELE, &conversation, &activity),
        Some(approval_card())
    );
    // Activity overrides for the app-level checks: wrong tenant, tampered data, an old card.
    let other = client
        .click(ADELE, &conversation, &activity, "approve")
        .tenant("00000000-0000-4000-8000-00000000dead")
        .tamper(|a| a["value"]["action"]["data"]["requestId"] = json!("R2"))
        .on_card(approval_card())
        .activity()
        .unwrap();
    assert_eq!(
        other["conversation"]["tenantId"],
        "00000000-0000-4000-8000-00000000dead"
    );
    assert_eq!(
        other["channelData"]["tenant"]["id"],
        "00000000-0000-4000-8000-00000000dead"
    );
    assert_eq!(other["value"]["action"]["data"]["requestId"], "R2");
    let unknown_input = client
        .click(ADELE, &conversation, &activity, "approve")
        .input("nope", "x")
        .activity();
    assert!(unknown_input.is_err());
    assert!(client
        .click("nobody@contoso.example", &conversation, &activity, "approve")
        .activity()
        .is_err());
}

#[tokio::test]
async fn a_refresh_sends_the_cards_refresh_action_automatically() {
    let sim = demo().await;
    let bot = start_bot(&sim).await;
    let (conversation, activity) = post_card(&sim).await;
    let client = sim.teams_client();
    assert!(
        client.refresh(ADELE, &conversation, &activity).activity().is_err(),
        "no refresh on the card"
    );
    let mut with_refresh = approval_card();
    with_refresh["refresh"] = json!({
        "action": { "type": "Action.Execute", "verb": "refreshCard", "data": { "requestId": "R1" } },
        "userIds": [ sim.bot().user_mri(ADELE) ]
    });
    let outcome = client
        .refresh(ADELE, &conversation, &activity)
        .on_card(with_refresh)
        .send()
        .await
        .unwrap();
    assert_eq!(outcome.status, Some(200));
    let sent = bot.seen.lock().unwrap()[0].clone();
    assert_eq!(
        sent["value"],
        json!({ "action": { "type": "Action.Execute", "verb": "refreshCard", "data": { "requestId": "R1" } }, "trigger": "automatic" })
    );
    assert_eq!(sent["from"]["id"], sim.bot().user_mri(ADELE));
}

async fn connector(sim: &TenantSim, path: &str, body: &Value) -> (u16, Value) {
    let token = sim.app_token(JITADMIN_APP, "https://api.botframework.com").unwrap();
    let url = format!("{}{path}", sim.bot().service_url().trim_end_matches('/'));
    let r = http().post(url).bearer_auth(token).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn one_to_one(sim: &TenantSim, user: &str) -> Value {
    json!({
        "bot": { "id": format!("28:{JITADMIN_APP}") },
        "members": [ { "id": sim.bot().user_mri(user) } ],
        "channelData": { "tenant": { "id": sim.tenant_id() } },
    })
}

#[tokio::test]
async fn a_personal_install_tells_the_bot_and_opens_a_one_to_one_chat_until_it_is_removed() {
    let sim = demo().await;
    let bot = start_bot(&sim).await;
    let teams = sim.teams_client();

    // Not installed: Teams refuses a 1:1 chat with the user (B1.4 needs the app there).
    let (status, answer) = connector(&sim, "/v3/conversations", &one_to_one(&sim, LEE)).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["error"]["code"], "BotNotInConversationRoster");

    let installed = teams.install_personal(LEE).await.unwrap();
    assert!(installed.acknowledged(), "{installed:?}");
    assert!(installed.conversation_id.starts_with("a:"));
    let seen = bot.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0]["type"], "installationUpdate");
    assert_eq!(seen[0]["action"], "add");
    assert_eq!(seen[1]["type"], "conversationUpdate");
    assert_eq!(seen[1]["membersAdded"][0]["id"], format!("28:{JITADMIN_APP}"));
    for activity in &seen {
        assert_eq!(activity["from"]["id"], sim.bot().user_mri(LEE).as_str());
        assert_eq!(activity["from"]["aadObjectId"], LEE);
        assert_eq!(activity["conversation"]["conversationType"], "personal");
        assert_eq!(activity["conversation"]["id"], installed.conversation_id.as_str());
        assert_eq!(activity["conversation"]["tenantId"], sim.tenant_id());
    }

    // The bot opens the chat by the user's 29: id (the same chat) and writes into it.
    let (status, answer) = connector(&sim, "/v3/conversations", &one_to_one(&sim, LEE)).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["id"], installed.conversation_id.as_str());
    let path = format!("/v3/conversations/{}/activities", installed.conversation_id);
    let (status, answer) = connector(&sim, &path, &json!({ "type": "message", "text": "hello Lee" })).await;
    assert_eq!(status, 201, "{answer}");
    let messages = teams.personal_messages(LEE);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].text(), Some("hello Lee"));
    assert!(teams.personal_messages(ADELE).is_empty());

    // Removed: the bot hears of it, and the chat is closed to it.
    let removed = teams.uninstall_personal(LEE).await.unwrap();
    assert!(removed.acknowledged());
    let last = bot.seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (last["type"].as_str(), last["action"].as_str()),
        (Some("installationUpdate"), Some("remove"))
    );
    let (status, answer) = connector(&sim, &path, &json!({ "type": "message", "text": "still there?" })).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(teams.personal_messages(LEE).len(), 1);
}
