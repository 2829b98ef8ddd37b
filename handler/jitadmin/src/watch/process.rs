//! `process` for watch events: a group change reconciles the group (by delta: the
//! notification is only a trigger, spec §3.3); a lifecycle event is answered
//! (`reauthorizationRequired` → reauthorize; `subscriptionRemoved` → subscriptions made
//! whole; `missed` → reconcile every group; unknown events are logged and ignored).

use chrono::Utc;

use super::reconcile::reconcile_group;
use super::subscriptions::{describe, ensure_subscriptions, reauthorize};
use super::{WatchError, WatchEvent, WatchKind};
use crate::app::App;

/// Handle one watch event; the text says what was done.
pub async fn handle(app: &App, event: &WatchEvent) -> Result<String, WatchError> {
    let now = Utc::now();
    match event.kind {
        WatchKind::GroupChange => {
            let group = event.group_id.as_deref().ok_or_else(|| WatchError::Malformed {
                key: event.key.clone(),
                reason: "a group change without a group id".into(),
            })?;
            if !app
                .config()
                .devices
                .watch_groups
                .iter()
                .any(|g| g.eq_ignore_ascii_case(group))
            {
                return Ok(format!("group {group} is not watched (JITADMIN_WATCH_GROUPS): ignored"));
            }
            Ok(format!(
                "group {group}: {}",
                reconcile_group(app, group, now).await?.describe()
            ))
        }
        WatchKind::Lifecycle => match event.lifecycle_event.as_deref().unwrap_or_default() {
            "reauthorizationRequired" => reauthorize(app, &event.subscription_id, now).await,
            "subscriptionRemoved" => Ok(format!(
                "subscriptions: {}",
                describe(&ensure_subscriptions(app, now).await?)
            )),
            "missed" => {
                let mut done = Vec::new();
                for group in &app.config().devices.watch_groups {
                    done.push(format!(
                        "group {group}: {}",
                        reconcile_group(app, group, now).await?.describe()
                    ));
                }
                Ok(done.join("; "))
            }
            other => {
                tracing::warn!(subscription = %event.subscription_id, lifecycle_event = other, "unknown lifecycle event ignored");
                Ok(format!("lifecycle event {other:?} ignored"))
            }
        },
    }
}
