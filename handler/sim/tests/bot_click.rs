//! The Teams client helper: a directory user clicks an `Action.Execute` on a posted card; the
//! invoke reaches a messaging endpoint with a genuine channel token and the documented shape
//! (B2.3); a card in the answer becomes that user's view until the base card is updated.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Json, Router};
use common::*;
use jitadmin_auth::{BotConfig, BotValidator, KeySource, KeySourceConfig, SystemClock};
use serde_json::{json, Value};
use tenant_sim::TenantSim;

const CHANNEL: &str = "19:jit-approvals000000000000000000@thread.tacv2";
const FIXTURE: &str = include_str!("../../events/testdata/activity-invoke-adaptive-card-action.json");

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
