//! Sorting one notification POST: items whose `clientState` matches (compared in constant
//! time) and whose tenant is ours become watch events, one per group change and one per
//! lifecycle event; the others are dropped and counted, never echoed
//! (<https://learn.microsoft.com/graph/change-notifications-delivery-webhooks>).

use jitadmin_events::notification::{ChangeNotificationCollection, NotificationKind};

use crate::queue::{Event, GroupChange, Lifecycle};

/// What became of a POST's items.
#[derive(Debug, Default)]
pub struct Sorted {
    /// The events to queue.
    pub events: Vec<Event>,
    /// Items dropped for a wrong or missing `clientState`.
    pub bad_client_state: usize,
    /// Items dropped for another tenant.
    pub foreign_tenant: usize,
    /// Change items naming no group.
    pub no_group: usize,
}

/// Sort `collection`'s items for our `tenant_id` and `client_state`; `correlation_id` is
/// the receiving invocation.
pub fn sort(
    collection: &ChangeNotificationCollection,
    tenant_id: &str,
    client_state: &str,
    correlation_id: &str,
) -> Sorted {
    let mut sorted = Sorted::default();
    for item in &collection.value {
        if !item.client_state_matches(client_state) {
            sorted.bad_client_state += 1;
            continue;
        }
        if !item.tenant_id.eq_ignore_ascii_case(tenant_id) {
            sorted.foreign_tenant += 1;
            continue;
        }
        let event = match item.kind() {
            NotificationKind::Lifecycle(event) => {
                Lifecycle::event(&item.subscription_id, event.clone(), correlation_id)
            }
            NotificationKind::Change(_) => {
                let Some(group) = item.group_id() else {
                    sorted.no_group += 1;
                    continue;
                };
                let marker = item
                    .resource_data
                    .as_ref()
                    .and_then(|d| d.sequence_number)
                    .map(|n| n.to_string())
                    .or_else(|| item.id.clone())
                    .unwrap_or_else(|| correlation_id.to_string());
                GroupChange::event(&item.subscription_id, group, &marker, correlation_id)
            }
        };
        // One message per group change: several items for one change collapse.
        if !sorted.events.iter().any(|e| e.identity().key == event.identity().key) {
            sorted.events.push(event);
        }
    }
    sorted
}
