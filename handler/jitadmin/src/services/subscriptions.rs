//! Keeping one Graph subscription per watched group alive: create it if missing, renew it
//! well before its maximum expiry (`JITADMIN_SUBSCRIPTION_RENEW_HOURS`), recreate it if Graph
//! lost it (404), and answer `reauthorizationRequired`
//! (<https://learn.microsoft.com/graph/change-notifications-lifecycle-events>).

use chrono::{DateTime, Utc};
use jitadmin_graph::subscriptions::{group_subscription_expiry, NewSubscription};
use jitadmin_store::Subscription as StoredSubscription;

use jitadmin_graph::GraphClient;
use jitadmin_store::Store;

use crate::config::WatchSettings;
use crate::error::{graph, WatchError};

/// What keeping subscriptions works with.
#[derive(Debug, Clone, Copy)]
pub struct Subscriptions<'a> {
    /// Where the subscriptions are recorded.
    pub store: &'a Store,
    /// Graph's subscriptions.
    pub graph: &'a GraphClient,
    /// The watched groups, the notification URL and the clientState.
    pub settings: &'a WatchSettings,
}

/// Where the clientState lives, as recorded with each subscription (never the secret).
pub const CLIENT_STATE_REF: &str = "setting:JITADMIN_CLIENT_STATE";

/// What happened to one group's subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionAction {
    /// It was alive with time to spare.
    Kept,
    /// It was missing and is created.
    Created,
    /// Graph had lost it; a new one is created.
    Recreated,
    /// It was near expiry and is renewed.
    Renewed,
}

impl SubscriptionAction {
    /// Lower-case name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionAction::Kept => "kept",
            SubscriptionAction::Created => "created",
            SubscriptionAction::Recreated => "recreated",
            SubscriptionAction::Renewed => "renewed",
        }
    }
}

/// Make sure every watched group has a live subscription; one action per group, in order.
pub async fn ensure_subscriptions(
    subs: Subscriptions<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<(String, SubscriptionAction)>, WatchError> {
    let settings = subs.settings;
    if !settings.watching() {
        return Err(WatchError::NotConfigured);
    }
    let stored = subs.store.subscriptions().await?;
    let mut actions = Vec::new();
    for group in &settings.groups {
        let resource = resource(group);
        let mine = stored.iter().find(|s| s.resource.eq_ignore_ascii_case(&resource));
        let action = match mine {
            None => {
                create(subs, group, now).await?;
                SubscriptionAction::Created
            }
            Some(sub) => keep_alive(subs, group, sub, now).await?,
        };
        tracing::info!(group = %group, action = action.as_str(), "subscription checked");
        actions.push((group.clone(), action));
    }
    Ok(actions)
}

async fn keep_alive(
    subs: Subscriptions<'_>,
    group: &str,
    sub: &StoredSubscription,
    now: DateTime<Utc>,
) -> Result<SubscriptionAction, WatchError> {
    let live = subs
        .graph
        .get_subscription(&sub.id)
        .await
        .map_err(graph(format!("group {group}: reading subscription {}", sub.id)))?;
    let Some(live) = live else {
        tracing::warn!(group, subscription = %sub.id, "Graph lost the subscription: recreating it");
        subs.store.subscription_delete(&sub.id).await?;
        create(subs, group, now).await?;
        return Ok(SubscriptionAction::Recreated);
    };
    let expires = live.expiration_date_time.unwrap_or(sub.expires_at);
    let renew_before = chrono::Duration::from_std(subs.settings.renew_before).unwrap_or(chrono::Duration::days(3));
    if expires - now > renew_before {
        return Ok(SubscriptionAction::Kept);
    }
    match subs
        .graph
        .renew_subscription(&sub.id, group_subscription_expiry(now))
        .await
    {
        Ok(renewed) => {
            let expires_at = renewed
                .expiration_date_time
                .unwrap_or_else(|| group_subscription_expiry(now));
            subs.store
                .subscription_put(&StoredSubscription {
                    expires_at,
                    ..sub.clone()
                })
                .await?;
            Ok(SubscriptionAction::Renewed)
        }
        Err(e) if e.is_not_found() => {
            subs.store.subscription_delete(&sub.id).await?;
            create(subs, group, now).await?;
            Ok(SubscriptionAction::Recreated)
        }
        Err(e) => Err(graph(format!("group {group}: renewing subscription {}", sub.id))(e)),
    }
}

async fn create(subs: Subscriptions<'_>, group: &str, now: DateTime<Utc>) -> Result<(), WatchError> {
    let settings = subs.settings;
    let (Some(url), Some(client_state)) = (&settings.notification_url, &settings.client_state) else {
        return Err(WatchError::NotConfigured);
    };
    let new = NewSubscription {
        change_type: "updated,deleted".into(),
        notification_url: url.clone(),
        lifecycle_notification_url: Some(url.clone()),
        resource: resource(group),
        expiration_date_time: group_subscription_expiry(now),
        client_state: client_state.clone(),
        latest_supported_tls_version: None,
    };
    let created = subs
        .graph
        .create_subscription(&new)
        .await
        .map_err(graph(format!("group {group}: creating its subscription")))?;
    subs.store
        .subscription_put(&StoredSubscription {
            id: created.id.clone(),
            resource: new.resource,
            expires_at: created.expiration_date_time.unwrap_or(new.expiration_date_time),
            client_state_ref: CLIENT_STATE_REF.into(),
        })
        .await?;
    tracing::info!(group, subscription = %created.id, "subscription created");
    Ok(())
}

/// Answer `reauthorizationRequired`: reauthorize; if Graph no longer knows the
/// subscription, make sure every group has one again.
pub async fn reauthorize(
    subs: Subscriptions<'_>,
    subscription_id: &str,
    now: DateTime<Utc>,
) -> Result<String, WatchError> {
    match subs.graph.reauthorize_subscription(subscription_id).await {
        Ok(()) => Ok(format!("subscription {subscription_id} reauthorized")),
        Err(e) if e.is_not_found() => {
            let actions = ensure_subscriptions(subs, now).await?;
            Ok(format!(
                "subscription {subscription_id} is gone; subscriptions: {}",
                describe(&actions)
            ))
        }
        Err(e) => Err(graph(format!("reauthorizing subscription {subscription_id}"))(e)),
    }
}

/// `group: action` pairs for logs.
pub fn describe(actions: &[(String, SubscriptionAction)]) -> String {
    actions
        .iter()
        .map(|(g, a)| format!("{g}: {}", a.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn resource(group: &str) -> String {
    format!("groups/{group}")
}
