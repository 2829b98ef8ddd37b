//! The simulated Bot Connector: bot tokens, channel threads, activities, updates, limits, faults.

use crate::support::*;
use serde_json::{json, Value};
use tenant_sim::{FaultKind, FaultRule, RoutePattern, TenantSim};

const CHANNEL: &str = "19:jit-approvals000000000000000000@thread.tacv2";
const BOT_RESOURCE: &str = "https://api.botframework.com";

fn card(text: &str) -> Value {
    json!({ "type": "AdaptiveCard", "version": "1.5", "body": [ { "type": "TextBlock", "text": text } ] })
}

fn thread(card: &Value) -> Value {
    json!({
        "isGroup": true,
        "channelData": { "channel": { "id": CHANNEL } },
        "activity": { "type": "message", "attachments": [
            { "contentType": "application/vnd.microsoft.card.adaptive", "content": card }
        ] }
    })
}

fn bot_token(sim: &TenantSim) -> String {
    sim.app_token(JITADMIN_APP, BOT_RESOURCE).unwrap()
}

async fn post(sim: &TenantSim, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut rb = http().post(format!("{}{path}", sim.bot().service_url().trim_end_matches('/')));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let r = rb.json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn put(sim: &TenantSim, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let r = http()
        .put(format!("{}{path}", sim.bot().service_url().trim_end_matches('/')))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn with_tenant(mut body: Value, tenant: &str) -> Value {
    body["channelData"]["tenant"]["id"] = json!(tenant);
    body
}

fn enc(id: &str) -> String {
    id.replace(':', "%3A")
        .replace('@', "%40")
        .replace(';', "%3B")
        .replace('=', "%3D")
}

#[tokio::test]
async fn a_card_posted_to_a_channel_starts_a_thread_whose_card_can_be_updated() {
    let sim = demo().await;
    let token = bot_token(&sim);
    let body = with_tenant(thread(&card("v1")), sim.tenant_id());
    let (status, answer) = post(&sim, "/v3/conversations", Some(&token), &body).await;
    assert_eq!(status, 201, "{answer}");
    let conversation = answer["id"].as_str().unwrap().to_owned();
    let activity = answer["activityId"].as_str().unwrap().to_owned();
    assert_eq!(conversation, format!("{CHANNEL};messageid={activity}"));
    assert_eq!(answer["serviceUrl"], sim.bot().service_url());
    assert_eq!(sim.bot().card(&conversation, &activity), Some(card("v1")));

    let update = json!({ "type": "message", "id": activity, "attachments": [
        { "contentType": "application/vnd.microsoft.card.adaptive", "content": card("v2") } ] });
    let path = format!("/v3/conversations/{}/activities/{activity}", enc(&conversation));
    let (status, answer) = put(&sim, &path, &token, &update).await;
    assert_eq!(status, 200, "{answer}");
    let stored = sim.bot().activity(&conversation, &activity).unwrap();
    assert_eq!(stored.card(), Some(&card("v2")));
    assert_eq!(stored.card_versions(), vec![&card("v1"), &card("v2")]);
    assert_eq!(stored.activity["from"]["id"], format!("28:{JITADMIN_APP}"));

    let (status, answer) = post(
        &sim,
        &format!("/v3/conversations/{}/activities", enc(&conversation)),
        Some(&token),
        &json!({ "type": "message", "text": "Drift: 1 member added outside the access package" }),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let reply = answer["id"].as_str().unwrap();
    assert_ne!(reply, activity);
    let c = sim.bot().conversation(&conversation).unwrap();
    assert_eq!(c.activity_ids, vec![activity.clone(), reply.to_owned()]);
    assert_eq!(
        c.team_id.as_deref(),
        Some("19:it-team-general0000000000000000@thread.tacv2")
    );
    assert_eq!(sim.calls_to("PUT", "/botconnector/v3/conversations/").len(), 1);
}

#[tokio::test]
async fn the_connector_refuses_missing_foreign_and_graph_tokens() {
    let sim = demo().await;
    let body = thread(&card("x"));
    let (status, answer) = post(&sim, "/v3/conversations", None, &body).await;
    assert_eq!(status, 401);
    assert_eq!(answer["error"]["code"], "Unauthorized");
    let graph = sim.app_token(JITADMIN_APP, GRAPH).unwrap();
    assert_eq!(post(&sim, "/v3/conversations", Some(&graph), &body).await.0, 401);
    let other_app = sim
        .app_token("810dcf14-1858-4bf2-8134-4c369fa3235b", BOT_RESOURCE)
        .unwrap();
    assert_eq!(post(&sim, "/v3/conversations", Some(&other_app), &body).await.0, 403);
    assert!(sim.bot().conversations().is_empty());
}

#[tokio::test]
async fn unknown_channels_tenants_and_activities_are_refused() {
    let sim = demo().await;
    let token = bot_token(&sim);
    let mut body = thread(&card("x"));
    body["channelData"]["channel"]["id"] = json!("19:elsewhere@thread.tacv2");
    let (status, answer) = post(&sim, "/v3/conversations", Some(&token), &body).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (403, Some("BotNotInConversationRoster"))
    );
    let body = with_tenant(thread(&card("x")), "00000000-0000-4000-8000-00000000dead");
    assert_eq!(post(&sim, "/v3/conversations", Some(&token), &body).await.0, 403);
    let update = json!({ "type": "message", "attachments": [] , "text": "x"});
    let (status, _) = put(&sim, "/v3/conversations/19%3Anope/activities/1", &token, &update).await;
    assert_eq!(status, 404);
    let bad_card = json!({ "isGroup": true, "channelData": { "channel": { "id": CHANNEL } }, "activity": {
        "type": "message", "attachments": [ { "contentType": "application/vnd.microsoft.card.adaptive", "content": "nope" } ] } });
    assert_eq!(post(&sim, "/v3/conversations", Some(&token), &bad_card).await.0, 400);
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_refused_with_413() {
    let sim = demo().await;
    let token = bot_token(&sim);
    let big = "x".repeat(60 * 1024); // 120 KB as UTF-16
    let (status, answer) = post(&sim, "/v3/conversations", Some(&token), &thread(&card(&big))).await;
    assert_eq!(status, 413);
    assert_eq!(answer["error"]["code"], "MessageSizeTooBig");
}

#[tokio::test]
async fn more_than_seven_sends_a_second_to_one_thread_are_throttled() {
    let sim = demo().await;
    let token = bot_token(&sim);
    let (_, answer) = post(&sim, "/v3/conversations", Some(&token), &thread(&card("x"))).await;
    let path = format!("/v3/conversations/{}/activities", enc(answer["id"].as_str().unwrap()));
    let message = json!({ "type": "message", "text": "hi" });
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(post(&sim, &path, Some(&token), &message).await.0);
    }
    assert_eq!(statuses[..7], [201; 7]);
    assert_eq!(statuses[7], 429);
    let throttled = sim.calls_to("POST", "/botconnector/").into_iter().last().unwrap();
    assert_eq!(throttled.status, Some(429));
    sim.bot().set_enforce_limits(false);
    assert_eq!(post(&sim, &path, Some(&token), &message).await.0, 201);
}

#[tokio::test]
async fn injected_faults_hit_connector_routes() {
    let sim = demo().await;
    let token = bot_token(&sim);
    let route = RoutePattern::new("POST", "/botconnector/v3/conversations");
    sim.faults().inject(FaultRule::new(
        route.clone(),
        FaultKind::TooManyRequests { retry_after: Some(3) },
    ));
    sim.faults()
        .inject(FaultRule::new(route, FaultKind::InternalServerError));
    let r = http()
        .post(format!("{}v3/conversations", sim.bot().service_url()))
        .bearer_auth(&token)
        .json(&thread(&card("x")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "3");
    assert_eq!(
        post(&sim, "/v3/conversations", Some(&token), &thread(&card("x")))
            .await
            .0,
        500
    );
    assert_eq!(
        post(&sim, "/v3/conversations", Some(&token), &thread(&card("x")))
            .await
            .0,
        201
    );
    assert_eq!(sim.bot().conversations().len(), 1);
}
