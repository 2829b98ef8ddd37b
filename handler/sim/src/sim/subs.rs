//! [`TenantSim`]'s subscription API: subscriptions, deliveries, lifecycle events, expiry.

use std::time::Duration;

use super::TenantSim;
use crate::error::{Result, SimError};
use crate::graph::delta::DeltaExpiry;
use crate::subs::{deliver, Delivery, Subscription};

impl TenantSim {
    /// Live subscriptions (of every app), in creation order.
    pub fn subscriptions(&self) -> Vec<Subscription> {
        self.shared().subs.subs().subscriptions.clone()
    }

    /// Every POST the subscription service made (handshakes, notifications, lifecycle), in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared().subs.subs().deliveries.clone()
    }

    /// Waits until `done` holds for the deliveries so far, or `timeout` passes (error).
    pub async fn wait_for_deliveries(
        &self,
        timeout: Duration,
        done: impl Fn(&[Delivery]) -> bool,
    ) -> Result<Vec<Delivery>> {
        let shared = self.shared().clone();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = shared.subs.subs_changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let now = shared.subs.subs().deliveries.clone();
            if done(&now) {
                return Ok(now);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Err(SimError::Timeout(format!(
                    "deliveries still {} after {timeout:?}",
                    now.len()
                )));
            }
        }
    }

    /// Sends a lifecycle notification (e.g. `reauthorizationRequired`) for a subscription to its
    /// lifecycle URL and returns the delivery. `reauthorizationRequired` marks the subscription
    /// until it is reauthorized or renewed.
    pub async fn send_lifecycle_notification(&self, subscription_id: &str, event: &str) -> Result<Delivery> {
        deliver::lifecycle(&self.shared().subs, subscription_id, event)
            .await
            .ok_or_else(|| SimError::NotFound {
                kind: "subscription with a lifecycle URL",
                id: subscription_id.to_owned(),
            })
    }

    /// Expires every deltaLink issued so far (as after 7 days): using one is answered `how`.
    /// Returns how many links expired.
    pub fn expire_delta_links(&self, how: DeltaExpiry) -> usize {
        self.shared().graph.delta().expire_all(how)
    }

    /// Lets a subscription expire now: Graph deletes it and notifications stop. `false` if unknown.
    pub fn expire_subscription(&self, subscription_id: &str) -> bool {
        let mut subs = self.shared().subs.subs();
        let before = subs.subscriptions.len();
        subs.subscriptions
            .retain(|s| !s.id.eq_ignore_ascii_case(subscription_id));
        subs.subscriptions.len() != before
    }
}
