//! Step 5: the admin group's change-notification subscription. What to do is decided as the app's
//! `maintain` decides it (stored subscription, Graph's copy, time left); the change itself is made by
//! [`ensure_subscriptions`], the app's own code, so the subscription is recorded in the app's store
//! and `maintain` keeps renewing it. Needs the app's watch settings (`JITADMIN_WATCH_GROUPS` naming the
//! admin group, `JITADMIN_NOTIFICATION_URL`, `JITADMIN_CLIENT_STATE`, `JITADMIN_STORE`).

use chrono::Utc;

use super::{Action, Change, ProvisionError, Step, StepReport};
use crate::services::subscriptions::{describe, ensure_subscriptions, Subscriptions};

pub(crate) async fn run(step: &Step<'_>) -> Result<StepReport, ProvisionError> {
    let s = step.settings;
    let app = step.app;
    let watch = &app.config().watch;
    if !watch.watching() {
        return Err(step.invalid(
            "the app's group watch is not configured: set JITADMIN_WATCH_GROUPS (with the admin group), \
             JITADMIN_NOTIFICATION_URL and JITADMIN_CLIENT_STATE as in the Function App",
        ));
    }
    if !watch.groups.iter().any(|g| g.eq_ignore_ascii_case(&s.admin_group)) {
        return Err(step.invalid(format!(
            "JITADMIN_WATCH_GROUPS does not name the admin group {}: the Function App would not renew its subscription",
            s.admin_group
        )));
    }
    let resource = format!("groups/{}", s.admin_group);
    let what = format!(
        "subscription on {resource} → {}",
        redact(watch.notification_url.as_deref())
    );
    let stored = app
        .store()
        .subscriptions()
        .await
        .map_err(|e| step.invalid(format!("reading the app's store: {e}")))?;
    let now = Utc::now();
    let change = match stored.iter().find(|x| x.resource.eq_ignore_ascii_case(&resource)) {
        None => Change::Create,
        Some(sub) => {
            let live = app
                .graph()
                .get_subscription(&sub.id)
                .await
                .map_err(step.graph(format!("reading subscription {}", sub.id)))?;
            let renew_before = chrono::Duration::from_std(watch.renew_before).unwrap_or(chrono::Duration::days(3));
            match live.and_then(|l| l.expiration_date_time) {
                None => Change::Create,
                Some(expires) if expires - now <= renew_before => Change::Update,
                Some(_) => Change::Unchanged,
            }
        }
    };
    if change != Change::Unchanged && step.apply() {
        let subs = Subscriptions {
            store: app.store(),
            graph: app.graph(),
            settings: watch,
        };
        let done = ensure_subscriptions(subs, now)
            .await
            .map_err(|source| ProvisionError::Watch {
                step: step.number,
                name: step.name,
                source: Box::new(source),
            })?;
        tracing::info!(subscriptions = %describe(&done), "subscriptions ensured");
    }
    Ok(step.report(vec![Action::new(change, what)]))
}

/// The notification URL without its query (the `?code=` function key is a secret).
fn redact(url: Option<&str>) -> String {
    let url = url.unwrap_or("?");
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_string(),
    }
}
