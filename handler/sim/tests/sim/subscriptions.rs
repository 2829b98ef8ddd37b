//! Subscriptions: the validation handshake, renew/delete/reauthorize, change notifications on
//! membership changes, lifecycle notifications.

use std::time::Duration;

use crate::support::notify::{Handshake, NotifyEndpoint};
use crate::support::*;
use chrono::Utc;
use serde_json::{json, Value};
use tenant_sim::{DeliveryKind, Scenario, SimConfig, TenantSim};

const WAIT: Duration = Duration::from_secs(5);

fn expiry(minutes: i64) -> String {
    (Utc::now() + chrono::Duration::minutes(minutes)).to_rfc3339()
}

fn create_body(endpoint: &NotifyEndpoint, resource: &str) -> Value {
    json!({
        "changeType": "updated,deleted",
        "notificationUrl": endpoint.url(),
        "lifecycleNotificationUrl": endpoint.lifecycle_url(),
        "resource": resource,
        "expirationDateTime": expiry(41_000),
        "clientState": "s3cret-client-state",
    })
}

async fn send(sim: &TenantSim, method: reqwest::Method, path: &str, body: Option<&Value>) -> reqwest::Response {
    let mut req = http()
        .request(method, format!("{}{path}", sim.graph_url()))
        .bearer_auth(graph_token(sim));
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.unwrap()
}

async fn subscribe(sim: &TenantSim, endpoint: &NotifyEndpoint, resource: &str) -> Value {
    let r = send(
        sim,
        reqwest::Method::POST,
        "/v1.0/subscriptions",
        Some(&create_body(endpoint, resource)),
    )
    .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

/// Adds Lee to the admins with a live control subscription to the same notification URL and
/// waits for the notification: the subscription service sends one POST per URL carrying every
/// subscription that watches the group, so if `gone` still watched it, its item would be in
/// that same POST.
async fn assert_no_notification_for(sim: &TenantSim, endpoint: &NotifyEndpoint, gone: &str) {
    let control = subscribe(sim, endpoint, &format!("groups/{ADMINS}")).await;
    let control = control["id"].as_str().unwrap();
    sim.add_group_member(ADMINS, LEE).unwrap();
    let delivered = sim
        .wait_for_deliveries(WAIT, |d| d.iter().any(|x| x.kind == DeliveryKind::Notification))
        .await
        .unwrap();
    let notifications: Vec<_> = delivered
        .iter()
        .filter(|x| x.kind == DeliveryKind::Notification)
        .collect();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0].subscription_ids, vec![control.to_owned()]);
    let items = notifications[0].body["value"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["subscriptionId"] == control));
    // What reached the notification URL (lifecycle POSTs go elsewhere) never names `gone`.
    let posts = endpoint.notifications();
    let to_notification_url = posts.iter().filter(|(query, _)| query.contains("code="));
    assert_eq!(to_notification_url.clone().count(), 1);
    assert!(to_notification_url
        .into_iter()
        .all(|(_, body)| !body.to_string().contains(gone)));
}

#[tokio::test]
async fn creating_a_subscription_validates_both_urls_first() {
    let sim = demo().await;
    let endpoint = NotifyEndpoint::start(Handshake::Echo).await;
    let created = subscribe(&sim, &endpoint, &format!("groups/{ADMINS}")).await;
    assert_eq!(created["resource"], format!("groups/{ADMINS}").as_str());
    assert_eq!(created["clientState"], "s3cret-client-state");
    assert_eq!(created["applicationId"], JITADMIN_APP);
    assert_eq!(created["latestSupportedTlsVersion"], "v1_2");
    let kinds: Vec<_> = sim.deliveries().iter().map(|d| (d.kind, d.accepted)).collect();
    assert_eq!(
        kinds,
        vec![
            (DeliveryKind::Handshake, true),
            (DeliveryKind::LifecycleHandshake, true)
        ]
    );
    let tokens = endpoint.tokens();
    assert!(tokens[0].starts_with("Validation: Testing client application reachability"));
    assert!(
        sim.deliveries()[0].url.contains("code=k&validationToken="),
        "the URL's query is kept"
    );

    let id = created["id"].as_str().unwrap();
    let got: Value = graph_get(&sim, &format!("/v1.0/subscriptions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(got["clientState"].is_null(), "clientState is never returned");
    let list: Value = graph_get(&sim, "/v1.0/subscriptions").await.json().await.unwrap();
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_failed_handshake_refuses_the_subscription() {
    let sim = demo().await;
    for mode in [Handshake::EchoEncoded, Handshake::Fail] {
        let endpoint = NotifyEndpoint::start(mode).await;
        let r = send(
            &sim,
            reqwest::Method::POST,
            "/v1.0/subscriptions",
            Some(&create_body(&endpoint, &format!("groups/{ADMINS}"))),
        )
        .await;
        assert_eq!(r.status(), 400, "{mode:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "ValidationError");
    }
    assert!(sim.subscriptions().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_handshake_answered_too_late_times_out() {
    let config = SimConfig {
        handshake_timeout: Duration::from_millis(200),
        ..SimConfig::default()
    };
    let sim = TenantSim::start_with(Scenario::demo(), config).await.unwrap();
    let endpoint = NotifyEndpoint::start(Handshake::Slow(Duration::from_millis(600))).await;
    let r = send(
        &sim,
        reqwest::Method::POST,
        "/v1.0/subscriptions",
        Some(&create_body(&endpoint, &format!("groups/{ADMINS}"))),
    )
    .await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidRequest");
    assert_eq!(body["error"]["message"], "Subscription validation request timed out.");
    sim.shutdown().await;
}

#[tokio::test]
async fn invalid_subscriptions_are_refused() {
    let sim = demo().await;
    let endpoint = NotifyEndpoint::start(Handshake::Echo).await;
    let mut too_long = create_body(&endpoint, &format!("groups/{ADMINS}"));
    too_long["expirationDateTime"] = json!(expiry(41_761));
    let mut rich = create_body(&endpoint, &format!("groups/{ADMINS}"));
    rich["includeResourceData"] = json!(false);
    let unknown_group = create_body(&endpoint, "groups/00000000-0000-0000-0000-000000000000");
    let mut no_url = create_body(&endpoint, &format!("groups/{ADMINS}"));
    no_url.as_object_mut().unwrap().remove("notificationUrl");
    for body in [too_long, rich, unknown_group, no_url] {
        let r = send(&sim, reqwest::Method::POST, "/v1.0/subscriptions", Some(&body)).await;
        assert_eq!(r.status(), 400, "{body}");
    }
    assert!(endpoint.tokens().is_empty(), "refused before any handshake");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_membership_change_notifies_the_groups_subscribers_with_their_client_state() {
    let sim = demo().await;
    let endpoint = NotifyEndpoint::start(Handshake::Echo).await;
    let created = subscribe(&sim, &endpoint, &format!("groups/{ADMINS}")).await;
    let r = send(
        &sim,
        reqwest::Method::POST,
        &format!("/v1.0/groups/{ADMINS}/members/$ref"),
        Some(&json!({ "@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{LEE}") })),
    )
    .await;
    assert_eq!(r.status(), 204);
    // A change to another group is not for this subscription.
    sim.add_group_member(APPROVERS, ALEX).unwrap();

    let got = endpoint.wait_for_notifications(1).await;
    let (query, body) = &got[0];
    assert_eq!(query, "code=k");
    let item = &body["value"][0];
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
    assert_eq!(item["subscriptionId"], created["id"]);
    assert_eq!(item["clientState"], "s3cret-client-state");
    assert_eq!(item["changeType"], "updated");
    assert_eq!(item["resource"], format!("Groups/{ADMINS}").as_str());
    assert_eq!(item["tenantId"], sim.tenant_id());
    assert_eq!(item["resourceData"]["id"], ADMINS);
    assert_eq!(item["resourceData"]["@odata.type"], "#Microsoft.Graph.Group");
    assert_eq!(item["resourceData"]["members@delta"][0]["id"], LEE);
    let d = sim
        .wait_for_deliveries(WAIT, |d| d.iter().any(|x| x.kind == DeliveryKind::Notification))
        .await
        .unwrap();
    let n = d.iter().find(|x| x.kind == DeliveryKind::Notification).unwrap();
    assert!(n.accepted && !n.slow);
    assert_eq!(n.status, Some(202));

    sim.remove_group_member(ADMINS, LEE).unwrap();
    let got = endpoint.wait_for_notifications(2).await;
    assert_eq!(
        got[1].1["value"][0]["resourceData"]["members@delta"][0]["@removed"]["reason"],
        "deleted"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_notification_not_answered_within_the_timeout_is_recorded_as_failed() {
    let config = SimConfig {
        notification_timeout: Duration::from_millis(200),
        ..SimConfig::default()
    };
    let sim = TenantSim::start_with(Scenario::demo(), config).await.unwrap();
    let endpoint = NotifyEndpoint::start(Handshake::Echo).await;
    endpoint.delay_notifications(Duration::from_millis(500));
    subscribe(&sim, &endpoint, "groups").await;
    sim.add_group_member(ADMINS, LEE).unwrap();
    let d = sim
        .wait_for_deliveries(WAIT, |d| d.iter().any(|x| x.kind == DeliveryKind::Notification))
        .await
        .unwrap();
    let n = d.iter().find(|x| x.kind == DeliveryKind::Notification).unwrap();
    assert!(!n.accepted);
    assert_eq!(n.error.as_deref(), Some("timeout"));
    assert!(n.slow);
    sim.shutdown().await;
}

#[tokio::test]
async fn renew_reauthorize_lifecycle_and_delete() {
    let sim = demo().await;
    let endpoint = NotifyEndpoint::start(Handshake::Echo).await;
    let created = subscribe(&sim, &endpoint, &format!("groups/{ADMINS}")).await;
    let id = created["id"].as_str().unwrap().to_owned();

    let lifecycle = sim
        .send_lifecycle_notification(&id, "reauthorizationRequired")
        .await
        .unwrap();
    assert!(lifecycle.accepted);
    assert!(lifecycle.url.ends_with("/api/lifecycle"));
    let item = &lifecycle.body["value"][0];
    assert_eq!(item["lifecycleEvent"], "reauthorizationRequired");
    assert_eq!(item["clientState"], "s3cret-client-state");
    assert_eq!(item["subscriptionId"], id.as_str());
    assert!(sim.subscriptions()[0].reauthorization_required);

    let r = send(
        &sim,
        reqwest::Method::POST,
        &format!("/v1.0/subscriptions/{id}/reauthorize"),
        None,
    )
    .await;
    assert_eq!(r.status(), 204);
    assert!(!sim.subscriptions()[0].reauthorization_required);

    let new_expiry = expiry(30_000);
    let r = send(
        &sim,
        reqwest::Method::PATCH,
        &format!("/v1.0/subscriptions/{id}"),
        Some(&json!({ "expirationDateTime": new_expiry })),
    )
    .await;
    assert_eq!(r.status(), 200);
    let renewed: Value = r.json().await.unwrap();
    let got = chrono::DateTime::parse_from_rfc3339(renewed["expirationDateTime"].as_str().unwrap()).unwrap();
    let want = chrono::DateTime::parse_from_rfc3339(&new_expiry).unwrap();
    assert!((got - want).num_seconds().abs() <= 1);

    let r = send(
        &sim,
        reqwest::Method::DELETE,
        &format!("/v1.0/subscriptions/{id}"),
        None,
    )
    .await;
    assert_eq!(r.status(), 204);
    let r = send(
        &sim,
        reqwest::Method::DELETE,
        &format!("/v1.0/subscriptions/{id}"),
        None,
    )
    .await;
    assert_eq!(r.status(), 404);
    assert_no_notification_for(&sim, &endpoint, &id).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn an_expired_subscription_stops_notifying() {
    let sim = demo().await;
    let endpoint = NotifyEndpoint::start(Handshake::Echo).await;
    let created = subscribe(&sim, &endpoint, &format!("groups/{ADMINS}")).await;
    let id = created["id"].as_str().unwrap();
    assert!(sim.expire_subscription(id));
    let list: Value = graph_get(&sim, "/v1.0/subscriptions").await.json().await.unwrap();
    assert!(list["value"].as_array().unwrap().is_empty());
    assert_no_notification_for(&sim, &endpoint, id).await;
    sim.shutdown().await;
}
