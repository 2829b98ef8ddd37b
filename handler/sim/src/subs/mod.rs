//! Graph change-notification subscriptions on groups
//! (<https://learn.microsoft.com/graph/api/resources/subscription>):
//! create with the validation handshake against both URLs, get, list, renew, delete,
//! reauthorize; change notifications POSTed when a watched group's membership changes; lifecycle
//! `reauthorizationRequired` on demand. Every outbound POST is recorded as a [`Delivery`].
//!
//! The sim's departures from Graph: URLs may be `http://` (loopback endpoints have no TLS);
//! Graph does not retry a failed delivery here (it retries for up to 4 hours); notifications are
//! sent at once unless `SimConfig::notification_delay` says otherwise.

pub(crate) mod deliver;
pub(crate) mod routes;
pub(crate) mod service;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// Graph's maximum subscription lifetime for groups: 41,760 minutes (under 29 days), from the
/// `expirationDateTime` table of <https://learn.microsoft.com/graph/api/resources/subscription>.
pub const MAX_GROUP_SUBSCRIPTION_MINUTES: i64 = 41_760;
/// Subscriptions per app and tenant for groups: Graph's quota is 100
/// (<https://learn.microsoft.com/graph/api/resources/change-notifications-api-overview>).
pub const MAX_SUBSCRIPTIONS_PER_APP: usize = 100;

/// A subscription as the sim holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    /// Subscription id.
    pub id: String,
    /// `groups`, `groups/{id}` or `groups/{id}/members`, as given.
    pub resource: String,
    /// e.g. `updated,deleted`.
    pub change_type: String,
    /// Where notifications go (its query string is kept).
    pub notification_url: String,
    /// Where lifecycle notifications go.
    pub lifecycle_notification_url: Option<String>,
    /// The secret echoed on every notification.
    pub client_state: Option<String>,
    /// When Graph deletes it unless renewed.
    pub expiration: DateTime<Utc>,
    /// The creating app (`appid`/`azp` of its token).
    pub application_id: String,
    /// The creating principal (`oid`).
    pub creator_id: String,
    /// `v1_2` unless given.
    pub latest_supported_tls_version: String,
    /// A `reauthorizationRequired` was sent and not yet answered by reauthorize or renew.
    pub reauthorization_required: bool,
}

impl Subscription {
    /// The group the subscription watches (`None` for all groups).
    pub(crate) fn group_id(&self) -> Option<&str> {
        let mut parts = self.resource.trim_matches('/').split('/');
        let _groups = parts.next();
        parts.next()
    }

    /// Whether it wants notifications for `group_id` with change type `updated`.
    pub(crate) fn watches(&self, group_id: &str) -> bool {
        let wants_updates = self
            .change_type
            .split(',')
            .any(|c| c.trim().eq_ignore_ascii_case("updated"));
        wants_updates && self.group_id().is_none_or(|g| g.eq_ignore_ascii_case(group_id))
    }

    /// The subscription resource's JSON (`clientState` only when `with_secret`, as on create).
    pub(crate) fn json(&self, with_secret: bool) -> Value {
        json!({
            "id": self.id,
            "resource": self.resource,
            "applicationId": self.application_id,
            "changeType": self.change_type,
            "clientState": if with_secret { json!(self.client_state) } else { Value::Null },
            "notificationUrl": self.notification_url,
            "notificationQueryOptions": null,
            "lifecycleNotificationUrl": self.lifecycle_notification_url,
            "expirationDateTime": self.expiration.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "creatorId": self.creator_id,
            "includeResourceData": null,
            "latestSupportedTlsVersion": self.latest_supported_tls_version,
            "encryptionCertificate": null,
            "encryptionCertificateId": null,
            "notificationUrlAppId": null,
        })
    }
}

/// What an outbound POST of the subscription service was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKind {
    /// `?validationToken=...` to the notification URL.
    Handshake,
    /// `?validationToken=...` to the lifecycle notification URL.
    LifecycleHandshake,
    /// A change notification collection.
    Notification,
    /// A lifecycle notification collection.
    Lifecycle,
}

/// One POST the subscription service made.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Handshake, notification or lifecycle.
    pub kind: DeliveryKind,
    /// The subscriptions it was for.
    pub subscription_ids: Vec<String>,
    /// The full URL posted to.
    pub url: String,
    /// The body sent (JSON for notifications; the token as a string for handshakes).
    pub body: Value,
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// The answer's status; `None` on timeout or connection error.
    pub status: Option<u16>,
    /// The answer's body (text).
    pub answer: String,
    /// The answer's `Content-Type`.
    pub answer_content_type: Option<String>,
    /// How long the answer took.
    pub elapsed: Duration,
    /// Timeout or connection error.
    pub error: Option<String>,
    /// Whether the answer came back 2xx within the limit (3 s for notifications, 10 s and the
    /// echoed token for handshakes).
    pub accepted: bool,
    /// Slower than 2,900 ms of 3 s (Graph's "slow endpoint" mark; notifications only).
    pub slow: bool,
}

/// The subscription service's state.
#[derive(Debug, Default)]
pub(crate) struct SubState {
    pub subscriptions: Vec<Subscription>,
    pub deliveries: Vec<Delivery>,
    /// The membership-log position notifications have been sent up to.
    pub dispatched_seq: u64,
}

impl SubState {
    pub fn get(&self, id: &str) -> Option<&Subscription> {
        self.subscriptions.iter().find(|s| s.id.eq_ignore_ascii_case(id))
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Subscription> {
        self.subscriptions.iter_mut().find(|s| s.id.eq_ignore_ascii_case(id))
    }

    /// Drops subscriptions past their expiry (Graph deletes them). Returns how many.
    pub fn drop_expired(&mut self, now: DateTime<Utc>) -> usize {
        let before = self.subscriptions.len();
        self.subscriptions.retain(|s| s.expiration > now);
        before - self.subscriptions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(resource: &str, change_type: &str) -> Subscription {
        Subscription {
            id: "s".into(),
            resource: resource.into(),
            change_type: change_type.into(),
            notification_url: "http://x".into(),
            lifecycle_notification_url: None,
            client_state: None,
            expiration: Utc::now(),
            application_id: "a".into(),
            creator_id: "c".into(),
            latest_supported_tls_version: "v1_2".into(),
            reauthorization_required: false,
        }
    }

    #[test]
    fn a_subscription_watches_its_group_or_all_groups_for_updates() {
        assert!(sub("groups/G1", "updated,deleted").watches("g1"));
        assert!(sub("groups/g1/members", "updated").watches("G1"));
        assert!(!sub("groups/g1", "updated").watches("g2"));
        assert!(sub("groups", "updated").watches("g2"));
        assert!(!sub("groups/g1", "deleted").watches("g1"));
    }
}
