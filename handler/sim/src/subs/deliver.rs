//! What the subscription service sends: the validation handshake (a POST with
//! `?validationToken=` that must be echoed as `text/plain`), change notifications for membership
//! changes, and lifecycle notifications. Graph's behaviour:
//! <https://learn.microsoft.com/graph/change-notifications-delivery-webhooks> and
//! <https://learn.microsoft.com/graph/change-notifications-lifecycle-events>.

use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::outbound::OutboundError;
use crate::state::{MembershipChange, MembershipChangeKind};
use crate::subs::service::SubsService;
use crate::subs::{Delivery, DeliveryKind, Subscription};
use crate::work::Kind;

/// `url` with one more query pair (keeping the query string the subscriber put on it).
fn with_query(url: &str, key: &str, value: &str) -> Result<String, String> {
    let mut u = url::Url::parse(url).map_err(|e| format!("invalid URL {url:?}: {e}"))?;
    u.query_pairs_mut().append_pair(key, value);
    Ok(u.to_string())
}

async fn post(
    sim: &SubsService,
    kind: DeliveryKind,
    subscription_ids: Vec<String>,
    url: String,
    content_type: &str,
    body: Value,
    timeout: Duration,
) -> Delivery {
    let bytes = match &body {
        Value::Object(_) => Bytes::from(body.to_string()),
        _ => Bytes::new(),
    };
    let at = Utc::now();
    let sent = sim
        .outbound
        .send(
            http::Method::POST,
            &url,
            &[("content-type", content_type.to_owned())],
            bytes,
            timeout,
        )
        .await;
    let (status, answer, content_type, elapsed, error) = match sent {
        Ok(a) => (
            Some(a.status),
            String::from_utf8_lossy(&a.body).into_owned(),
            a.headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            a.elapsed,
            None,
        ),
        Err(e @ (OutboundError::Timeout { .. } | OutboundError::Connection { .. } | OutboundError::Invalid(_))) => {
            (None, String::new(), None, e.elapsed(), Some(e.to_string()))
        }
    };
    Delivery {
        kind,
        subscription_ids,
        url,
        body,
        at,
        status,
        answer,
        answer_content_type: content_type,
        elapsed,
        error,
        accepted: status.is_some_and(|s| (200..300).contains(&s)),
        slow: elapsed > timeout.mul_f64(2.9 / 3.0),
    }
}

/// Why a handshake failed: the 400 code and message Graph answers the create (or renew) with.
pub(crate) struct HandshakeFailure {
    pub code: &'static str,
    pub message: &'static str,
}

/// Validates `url` as Graph does: POST `?validationToken=<token>` (text/plain, empty body),
/// expecting 200, `text/plain` and the decoded token within the handshake timeout.
pub(crate) async fn handshake(
    sim: &SubsService,
    kind: DeliveryKind,
    subscription_id: &str,
    url: &str,
) -> Result<(), HandshakeFailure> {
    let token = format!(
        "Validation: Testing client application reachability for subscription Request-Id: {}",
        uuid::Uuid::new_v4()
    );
    let failed = HandshakeFailure {
        code: "ValidationError",
        message: "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
    };
    let full = match with_query(url, "validationToken", &token) {
        Ok(u) => u,
        Err(_) => return Err(failed),
    };
    let mut d = post(
        sim,
        kind,
        vec![subscription_id.to_owned()],
        full,
        "text/plain; charset=utf-8",
        Value::String(token.clone()),
        sim.config.handshake_timeout,
    )
    .await;
    d.slow = false;
    let text_plain = d.status == Some(200)
        && d.answer == token
        && d.answer_content_type
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().starts_with("text/plain"));
    d.accepted = text_plain;
    let timed_out = d.error.as_deref() == Some("timeout");
    sim.subs().deliveries.push(d.clone());
    if timed_out {
        return Err(HandshakeFailure {
            code: "InvalidRequest",
            message: "Subscription validation request timed out.",
        });
    }
    if !text_plain {
        tracing::info!(url = %url, status = ?d.status, "validation handshake failed");
        return Err(failed);
    }
    Ok(())
}

/// Membership changes not yet handed to [`dispatch`] (waiting for the dispatcher, or for
/// `SimConfig::notification_delay`).
pub(crate) fn undispatched(sim: &SubsService) -> usize {
    let from = sim.subs().dispatched_seq;
    let state = sim.directory.state();
    state.membership_log.iter().rev().take_while(|c| c.seq > from).count()
}

/// Runs until `stop`: sends notifications for new membership changes.
pub(crate) async fn dispatcher(sim: SubsService, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = sim.directory.changed.notified() => {}
            _ = stop.changed() => return,
        }
        let delay = sim
            .config
            .notification_delay
            .mul_f64(sim.throttle.time_scale().max(0.0));
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        dispatch(&sim);
    }
}

/// Sends one notification collection per notification URL for the changes not yet sent.
fn dispatch(sim: &SubsService) {
    // Counted while the changes move from "not yet sent" to "being posted", so that no look
    // in between finds neither.
    let _busy = sim.work.begin(Kind::Notification);
    let from = sim.subs().dispatched_seq;
    let changes: Vec<MembershipChange> = sim
        .directory
        .state()
        .membership_log
        .iter()
        .filter(|c| c.seq > from)
        .cloned()
        .collect();
    let Some(last) = changes.last().map(|c| c.seq) else {
        return;
    };
    let mut batches: Vec<(String, Vec<String>, Vec<Value>)> = Vec::new();
    {
        let mut subs = sim.subs();
        subs.dispatched_seq = last;
        subs.drop_expired(Utc::now());
        for change in &changes {
            for s in subs.subscriptions.iter().filter(|s| s.watches(&change.group_id)) {
                let item = notification_item(sim, s, change);
                match batches.iter_mut().find(|(u, _, _)| *u == s.notification_url) {
                    Some((_, ids, items)) => {
                        if !ids.contains(&s.id) {
                            ids.push(s.id.clone());
                        }
                        items.push(item);
                    }
                    None => batches.push((s.notification_url.clone(), vec![s.id.clone()], vec![item])),
                }
            }
        }
    }
    for (url, ids, items) in batches {
        let sim = sim.clone();
        let work = sim.work.clone();
        work.spawn(Kind::Notification, async move {
            let d = post(
                &sim,
                DeliveryKind::Notification,
                ids,
                url,
                "application/json; charset=utf-8",
                json!({ "value": items }),
                sim.config.notification_timeout,
            )
            .await;
            tracing::debug!(url = %d.url, status = ?d.status, "change notification delivered");
            sim.subs().deliveries.push(d);
            sim.subs_changed.notify_waiters();
        });
    }
}

/// A group change notification, with `members@delta` naming the member. Microsoft documents no
/// resource data for group notifications; `members@delta` is an undocumented hint users report,
/// so clients should treat it as optional and fall back to a delta query.
fn notification_item(sim: &SubsService, s: &Subscription, change: &MembershipChange) -> Value {
    let member = match change.kind {
        MembershipChangeKind::Added => json!({ "@odata.type": "#microsoft.graph.user", "id": change.member_id }),
        MembershipChangeKind::Removed => json!({
            "@odata.type": "#microsoft.graph.user", "id": change.member_id, "@removed": { "reason": "deleted" } }),
    };
    let mut resource_data = json!({
        "@odata.type": "#Microsoft.Graph.Group",
        "@odata.id": format!("Groups/{}", change.group_id),
        "id": change.group_id,
        "organizationId": sim.authority.tenant_id,
        "eventTime": change.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "sequenceNumber": change.seq,
    });
    if sim.config.notification_members_delta {
        resource_data["members@delta"] = json!([member]);
    }
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "subscriptionId": s.id,
        "subscriptionExpirationDateTime": s.expiration.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "clientState": s.client_state,
        "changeType": "updated",
        "resource": format!("Groups/{}", change.group_id),
        "tenantId": sim.authority.tenant_id,
        "resourceData": resource_data,
    })
}

/// Sends a lifecycle notification (`reauthorizationRequired`, ...) for a subscription to its
/// lifecycle URL; `None` if it has none or does not exist.
pub(crate) async fn lifecycle(sim: &SubsService, subscription_id: &str, event: &str) -> Option<Delivery> {
    let (url, item) = {
        let mut subs = sim.subs();
        let s = subs.get_mut(subscription_id)?;
        let url = s.lifecycle_notification_url.clone()?;
        if event == "reauthorizationRequired" {
            s.reauthorization_required = true;
        }
        let item = json!({
            "subscriptionId": s.id,
            "subscriptionExpirationDateTime": s.expiration.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "tenantId": sim.authority.tenant_id,
            "clientState": s.client_state,
            "lifecycleEvent": event,
        });
        (url, item)
    };
    let d = post(
        sim,
        DeliveryKind::Lifecycle,
        vec![subscription_id.to_owned()],
        url,
        "application/json; charset=utf-8",
        json!({ "value": [item] }),
        sim.config.notification_timeout,
    )
    .await;
    sim.subs().deliveries.push(d.clone());
    sim.subs_changed.notify_waiters();
    Some(d)
}
