//! Change-notification subscriptions: create, renew, delete, list, and reauthorize after a lifecycle
//! notification (<https://learn.microsoft.com/graph/api/resources/subscription>, <https://learn.microsoft.com/graph/change-notifications-lifecycle-events>).

use chrono::{DateTime, Duration as ChronoDuration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::path::segment;
use crate::{GraphClient, GraphError, GraphRequest};

/// Longest lifetime Graph allows for user and group subscriptions: 41,760 minutes (under 29 days).
pub const GROUP_MAX_EXPIRATION_MINUTES: i64 = 41_760;
/// What to renew to: a margin under the cap, so a clock difference with Graph cannot push the asked-for
/// expiry past it.
pub const GROUP_RENEWAL_MINUTES: i64 = 41_000;
/// Longest `clientState` that every Microsoft page accepts (128; another page says 255).
pub const CLIENT_STATE_MAX_LEN: usize = 128;

/// The expiry to ask for when creating or renewing a group subscription at `now`.
pub fn group_subscription_expiry(now: DateTime<Utc>) -> DateTime<Utc> {
    now + ChronoDuration::minutes(GROUP_RENEWAL_MINUTES)
}

/// A new subscription. `includeResourceData` is never sent: groups refuse it even when false.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSubscription {
    /// `updated,deleted` for groups.
    pub change_type: String,
    /// Where notifications go (any query string is echoed back on every notification).
    pub notification_url: String,
    /// Where lifecycle notifications go; cannot be added later.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle_notification_url: Option<String>,
    /// `groups/{id}`, without the base or version.
    pub resource: String,
    /// Expiry (UTC).
    #[serde(serialize_with = "ser_time")]
    pub expiration_date_time: DateTime<Utc>,
    /// Our secret, checked on every notification (≤ 128 chars).
    pub client_state: String,
    /// `v1_2` by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_supported_tls_version: Option<String>,
}

fn ser_time<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// A subscription as Graph returns it (`clientState` is returned on create only).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Subscription id.
    pub id: String,
    /// Resource.
    #[serde(default)]
    pub resource: Option<String>,
    /// Change types.
    #[serde(default)]
    pub change_type: Option<String>,
    /// Notification URL.
    #[serde(default)]
    pub notification_url: Option<String>,
    /// Lifecycle notification URL.
    #[serde(default)]
    pub lifecycle_notification_url: Option<String>,
    /// Expiry.
    #[serde(default)]
    pub expiration_date_time: Option<DateTime<Utc>>,
    /// Client state (create answers only).
    #[serde(default)]
    pub client_state: Option<String>,
    /// The app that created it.
    #[serde(default)]
    pub application_id: Option<String>,
}

fn is_directory_resource(resource: &str) -> bool {
    let r = resource.trim_start_matches('/');
    r.starts_with("groups") || r.starts_with("users")
}

impl GraphClient {
    /// `POST /v1.0/subscriptions` (201). Refuses a `clientState` over 128 chars and, for user and group
    /// resources, an expiry past the 41,760-minute cap.
    pub async fn create_subscription(&self, new: &NewSubscription) -> Result<Subscription, GraphError> {
        if new.client_state.len() > CLIENT_STATE_MAX_LEN {
            return Err(GraphError::InvalidRequest(format!(
                "clientState is longer than {CLIENT_STATE_MAX_LEN}"
            )));
        }
        let cap = Utc::now() + ChronoDuration::minutes(GROUP_MAX_EXPIRATION_MINUTES);
        if is_directory_resource(&new.resource) && new.expiration_date_time > cap {
            return Err(GraphError::InvalidRequest(format!(
                "expiry {} is past the {GROUP_MAX_EXPIRATION_MINUTES}-minute maximum for {}",
                new.expiration_date_time, new.resource
            )));
        }
        let body = serde_json::to_value(new).map_err(|e| GraphError::InvalidRequest(e.to_string()))?;
        self.execute(GraphRequest::post("/v1.0/subscriptions", body))
            .await?
            .json()
    }

    /// Renews: `PATCH /v1.0/subscriptions/{id}` with a new expiry (also reauthorizes it).
    pub async fn renew_subscription(&self, id: &str, expiry: DateTime<Utc>) -> Result<Subscription, GraphError> {
        let body = serde_json::json!({ "expirationDateTime": expiry.to_rfc3339_opts(SecondsFormat::Millis, true) });
        self.execute(GraphRequest::patch(
            format!("/v1.0/subscriptions/{}", segment(id)?),
            body,
        ))
        .await?
        .json()
    }

    /// `DELETE /v1.0/subscriptions/{id}` (204). `Ok(false)` when it was already gone.
    pub async fn delete_subscription(&self, id: &str) -> Result<bool, GraphError> {
        match self
            .execute(GraphRequest::delete(format!("/v1.0/subscriptions/{}", segment(id)?)))
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `GET /v1.0/subscriptions/{id}`; `None` when Graph no longer has it.
    pub async fn get_subscription(&self, id: &str) -> Result<Option<Subscription>, GraphError> {
        match self.get_json(&format!("/v1.0/subscriptions/{}", segment(id)?)).await {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /v1.0/subscriptions`, all pages: this app's subscriptions.
    pub async fn list_subscriptions(&self) -> Result<Vec<Subscription>, GraphError> {
        Ok(self.get_all("/v1.0/subscriptions").await?.items)
    }

    /// `POST /v1.0/subscriptions/{id}/reauthorize` (204): answers a `reauthorizationRequired` lifecycle
    /// event without changing the expiry.
    pub async fn reauthorize_subscription(&self, id: &str) -> Result<(), GraphError> {
        let target = format!("/v1.0/subscriptions/{}/reauthorize", segment(id)?);
        self.execute(GraphRequest::new(reqwest::Method::POST, target))
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_subscription_fixture_parses() {
        let s: Subscription =
            serde_json::from_slice(include_bytes!("../testdata/subscription-created.json")).expect("subscription");
        assert_eq!(s.id, "7f105c7d-2dc5-4530-97cd-4e7ae6534c07");
        assert_eq!(
            s.resource.as_deref(),
            Some("groups/2f2a1c7e-1111-2222-3333-444455556666")
        );
        assert!(s.expiration_date_time.is_some());
    }

    #[test]
    fn new_subscription_serialises_without_include_resource_data() {
        let t = DateTime::parse_from_rfc3339("2025-07-20T10:00:00Z")
            .expect("t")
            .with_timezone(&Utc);
        let v = serde_json::to_value(NewSubscription {
            change_type: "updated,deleted".into(),
            notification_url: "https://fn/api/notifications".into(),
            lifecycle_notification_url: None,
            resource: "groups/g".into(),
            expiration_date_time: t,
            client_state: "s".into(),
            latest_supported_tls_version: None,
        })
        .expect("json");
        assert_eq!(v["expirationDateTime"], "2025-07-20T10:00:00.000Z");
        assert!(v.get("includeResourceData").is_none() && v.get("lifecycleNotificationUrl").is_none());
    }

    #[test]
    fn renewal_expiry_stays_under_the_cap() {
        let now = Utc::now();
        let e = group_subscription_expiry(now);
        assert!(e < now + ChronoDuration::minutes(GROUP_MAX_EXPIRATION_MINUTES));
        assert!(e > now + ChronoDuration::days(28));
    }
}
