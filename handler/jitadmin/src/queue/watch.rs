//! What `notifications` queues for the group watch: one event per group change (SessionId =
//! the group, so one group's changes are reconciled one at a time, in order) and one per
//! subscription lifecycle event (SessionId = the subscription).

use chrono::{DateTime, Utc};
use jitadmin_events::notification::LifecycleEvent;
use serde::{Deserialize, Serialize};

use super::{keys, Event, VERSION};

/// A watched group changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupChange {
    /// Envelope version.
    pub version: u32,
    /// The MessageId (duplicate detection).
    pub key: String,
    /// The subscription the notification came through.
    pub subscription_id: String,
    /// The group.
    pub group_id: String,
    /// The invocation that received it.
    pub correlation_id: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// A subscription's lifecycle event (`reauthorizationRequired`, `subscriptionRemoved`, `missed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    /// Envelope version.
    pub version: u32,
    /// The MessageId (duplicate detection).
    pub key: String,
    /// The subscription.
    pub subscription_id: String,
    /// The event, as Graph spelled it.
    pub lifecycle_event: LifecycleEvent,
    /// The invocation that received it.
    pub correlation_id: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

impl GroupChange {
    /// A change of `group_id`. `marker` tells two changes of one group apart (the
    /// notification's sequence number or id, else the receiving invocation).
    pub fn event(subscription_id: &str, group_id: &str, marker: &str, correlation_id: &str) -> Event {
        Event::GroupChange(GroupChange {
            version: VERSION,
            key: keys::group_change(group_id, marker),
            subscription_id: subscription_id.to_string(),
            group_id: group_id.to_string(),
            correlation_id: correlation_id.to_string(),
            received_at: Utc::now(),
        })
    }
}

impl Lifecycle {
    /// A lifecycle event for a subscription.
    pub fn event(subscription_id: &str, lifecycle_event: LifecycleEvent, correlation_id: &str) -> Event {
        Event::Lifecycle(Lifecycle {
            version: VERSION,
            key: keys::lifecycle(subscription_id, lifecycle_event.as_str(), correlation_id),
            subscription_id: subscription_id.to_string(),
            lifecycle_event,
            correlation_id: correlation_id.to_string(),
            received_at: Utc::now(),
        })
    }
}
