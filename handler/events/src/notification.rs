//! Graph change notifications for group subscriptions, and their lifecycle notifications
//! (<https://learn.microsoft.com/graph/change-notifications-delivery-webhooks>,
//! <https://learn.microsoft.com/graph/change-notifications-lifecycle-events>).
//!
//! ```
//! use jitadmin_events::notification::{ChangeNotificationCollection, NotificationKind};
//! let body = br#"{"value":[{"subscriptionId":"s","tenantId":"t","clientState":"secret",
//!   "changeType":"updated","resource":"Groups/g","resourceData":{"id":"g"}}]}"#;
//! let batch = ChangeNotificationCollection::from_slice(body).unwrap();
//! let item = &batch.value[0];
//! assert!(item.client_state_matches("secret"));
//! assert_eq!(item.group_id(), Some("g"));
//! assert!(matches!(item.kind(), NotificationKind::Change(_)));
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use subtle::ConstantTimeEq;

use crate::json::{from_slice, null_as_empty};
use crate::string_enum::string_enum;
use crate::ParseError;

/// `changeNotificationCollection`: one POST from Graph, possibly for several subscriptions.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeNotificationCollection {
    /// The notifications.
    #[serde(deserialize_with = "null_as_empty")]
    pub value: Vec<ChangeNotification>,
    /// JWTs sent only with notifications that include resource data, which group subscriptions
    /// do not use (<https://learn.microsoft.com/graph/change-notifications-with-resource-data>).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub validation_tokens: Vec<String>,
}

impl ChangeNotificationCollection {
    /// Parse a notification POST body.
    pub fn from_slice(body: &[u8]) -> Result<Self, ParseError> {
        from_slice(body)
    }
}

/// What a first, light look at a notification POST found: how many items it has and how many
/// carry our `clientState`, without building any of them. Nobody has proved who sent the body
/// yet, so it is parsed in full only when an item is ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screened {
    /// Items in the batch.
    pub items: usize,
    /// Items whose `clientState` is `expected` (compared in constant time).
    pub ours: usize,
}

/// Screen `body` against `expected` (see [`Screened`]); an error when it is not a
/// collection at all.
pub fn screen(body: &[u8], expected: &str) -> Result<Screened, ParseError> {
    #[derive(Deserialize)]
    struct Light<'a> {
        #[serde(borrow, default)]
        value: Option<Vec<LightItem<'a>>>,
    }
    #[derive(Deserialize)]
    struct LightItem<'a> {
        #[serde(rename = "clientState", borrow, default)]
        client_state: Option<std::borrow::Cow<'a, str>>,
    }
    let light: Light<'_> = serde_json::from_slice(body).map_err(|e| ParseError::NotJson(e.to_string()))?;
    let items = light
        .value
        .ok_or_else(|| ParseError::Missing { path: "value".into() })?;
    let ours = items
        .iter()
        .filter(|i| {
            i.client_state
                .as_deref()
                .is_some_and(|got| got.len() == expected.len() && bool::from(got.as_bytes().ct_eq(expected.as_bytes())))
        })
        .count();
    Ok(Screened {
        items: items.len(),
        ours,
    })
}

string_enum! {
    /// `changeType`.
    pub enum ChangeType {
        /// `created`
        Created = "created",
        /// `updated` (also soft deletion of an M365 group)
        Updated = "updated",
        /// `deleted`
        Deleted = "deleted",
    }
}

string_enum! {
    /// `lifecycleEvent`: unknown values are kept so they can be logged and ignored.
    pub enum LifecycleEvent {
        /// Reauthorize or renew the subscription, or notifications stop.
        ReauthorizationRequired = "reauthorizationRequired",
        /// The subscription is gone: recreate it and resync (not sent for groups).
        SubscriptionRemoved = "subscriptionRemoved",
        /// Notifications were lost: resync (not sent for groups).
        Missed = "missed",
    }
}

/// One `changeNotification`: a change or a lifecycle event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeNotification {
    /// Optional unique id.
    #[serde(default)]
    pub id: Option<String>,
    /// The subscription this belongs to.
    pub subscription_id: String,
    /// When the subscription expires; drives renewal.
    #[serde(default)]
    pub subscription_expiration_date_time: Option<DateTime<Utc>>,
    /// The secret we set on the subscription; compare with [`Self::client_state_matches`].
    #[serde(default)]
    pub client_state: Option<String>,
    /// The tenant.
    pub tenant_id: String,
    /// For changes: what happened.
    #[serde(default)]
    pub change_type: Option<ChangeType>,
    /// For changes: the resource path (`Groups/{id}`, casing varies).
    #[serde(default)]
    pub resource: Option<String>,
    /// For changes: the resource's id and, for groups, perhaps `members@delta`.
    #[serde(default)]
    pub resource_data: Option<ResourceData>,
    /// For lifecycle notifications only.
    #[serde(default)]
    pub lifecycle_event: Option<LifecycleEvent>,
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NotificationKind<'a> {
    /// A lifecycle event for the subscription.
    Lifecycle(&'a LifecycleEvent),
    /// A change to the resource.
    Change(Option<&'a ChangeType>),
}

impl ChangeNotification {
    /// Lifecycle event or resource change.
    pub fn kind(&self) -> NotificationKind<'_> {
        match &self.lifecycle_event {
            Some(event) => NotificationKind::Lifecycle(event),
            None => NotificationKind::Change(self.change_type.as_ref()),
        }
    }

    /// Whether the item's `clientState` equals `expected`, compared in constant time.
    /// A missing `clientState` never matches.
    pub fn client_state_matches(&self, expected: &str) -> bool {
        match &self.client_state {
            Some(got) => got.len() == expected.len() && bool::from(got.as_bytes().ct_eq(expected.as_bytes())),
            None => false,
        }
    }

    /// The group id: `resourceData.id`, else the id in `resource` (`Groups/{id}`).
    pub fn group_id(&self) -> Option<&str> {
        if let Some(id) = self.resource_data.as_ref().and_then(|d| d.id.as_deref()) {
            return Some(id);
        }
        let resource = self.resource.as_deref()?;
        let rest = resource
            .strip_prefix("Groups/")
            .or_else(|| resource.strip_prefix("groups/"))?;
        rest.split('/').next().filter(|s| !s.is_empty())
    }
}

/// `resourceData` of a group notification.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ResourceData {
    /// `@odata.type` (`#Microsoft.Graph.Group`).
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    /// `@odata.id`.
    #[serde(rename = "@odata.id")]
    pub odata_id: Option<String>,
    /// `@odata.etag`.
    #[serde(rename = "@odata.etag")]
    pub odata_etag: Option<String>,
    /// The resource id (the group id).
    pub id: Option<String>,
    /// The tenant (`organizationId`).
    #[serde(rename = "organizationId")]
    pub organization_id: Option<String>,
    /// When the change happened.
    #[serde(rename = "eventTime")]
    pub event_time: Option<DateTime<Utc>>,
    /// Ordering hint whose guarantees are undocumented.
    #[serde(rename = "sequenceNumber")]
    pub sequence_number: Option<i64>,
    /// Member changes, when Graph includes them (not documented to be always present): a hint only;
    /// the delta query is authoritative.
    #[serde(rename = "members@delta", deserialize_with = "null_as_empty")]
    pub members_delta: Vec<MemberDelta>,
}

/// One `members@delta` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MemberDelta {
    /// The member's object id.
    pub id: String,
    /// `@odata.type` (`#microsoft.graph.user`), when present.
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    /// Present when the member was removed; `"deleted"` and `{"reason":"deleted"}` both accepted.
    #[serde(rename = "@removed", default, deserialize_with = "removed")]
    pub removed: Option<Removed>,
}

impl MemberDelta {
    /// Whether this entry says the member left.
    pub fn is_removal(&self) -> bool {
        self.removed.is_some()
    }
}

/// Why a member was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// `deleted`, `changed`, ... (empty when Graph gave none).
    pub reason: String,
}

fn removed<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Removed>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Object {
            #[serde(default)]
            reason: Option<String>,
        },
    }
    Ok(Option::<Raw>::deserialize(d)?.map(|raw| match raw {
        Raw::Text(reason) => Removed { reason },
        Raw::Object { reason } => Removed {
            reason: reason.unwrap_or_default(),
        },
    }))
}

/// The validation handshake: `POST {notificationUrl}?validationToken=<opaque>`
/// (<https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#notificationurl-validation>).
///
/// Answer `200`, [`ValidationHandshake::CONTENT_TYPE`], body = [`ValidationHandshake::token`],
/// within 10 seconds, doing nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationHandshake {
    token: String,
}

impl ValidationHandshake {
    /// Content type of the answer.
    pub const CONTENT_TYPE: &'static str = "text/plain; charset=utf-8";

    /// From a raw (still percent-encoded) query string, with or without the leading `?`.
    /// `+` decodes to a space, as form encoding says.
    pub fn from_query(query: &str) -> Option<ValidationHandshake> {
        let query = query.strip_prefix('?').unwrap_or(query);
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "validationToken")
            .map(|(_, v)| ValidationHandshake { token: v.into_owned() })
    }

    /// From query parameters that are already decoded (as a host hands them over).
    pub fn from_decoded_pairs<'a, I>(pairs: I) -> Option<ValidationHandshake>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        pairs
            .into_iter()
            .find(|(k, _)| *k == "validationToken")
            .map(|(_, v)| ValidationHandshake { token: v.to_string() })
    }

    /// The decoded token: the body to answer with, unchanged.
    pub fn token(&self) -> &str {
        &self.token
    }
}
