//! `process`: the queue worker (Service Bus queue `events`, sessions keyed by user).
//!
//! Parse our envelope, hand the event to [`crate::work`], and answer. A message that is
//! not one of our events, or whose handling failed, fails the invocation: the queue
//! retries it up to its max delivery count and then dead-letters it, where an operator
//! can inspect and replay it (handling is idempotent on the event's own key).

use std::sync::Arc;

use azfn_runtime::{Error, Invocation, Outputs, ServiceBusMessage};

use crate::app::App;
use crate::queue::QueuedEvent;
use crate::work::{self, Handled};

/// Handle one message.
pub async fn handle(app: Arc<App>, event: Invocation<ServiceBusMessage>) -> Result<Outputs, Error> {
    let invocation_id = event.context.invocation_id.as_str();
    let message = &event.trigger;
    // The group watch's own events (group changes, lifecycle) travel beside the callouts.
    if let Some(watch) = crate::watch::WatchEvent::from_message(message) {
        return watch_event(&app, invocation_id, message.delivery_count, watch).await;
    }
    // A decision made in Teams whose resume is retried.
    if let Some(decision) = crate::teams::decision_event::DecisionEvent::from_message(message) {
        return teams_decision(&app, invocation_id, message.delivery_count, decision).await;
    }
    let queued = match QueuedEvent::from_message(message) {
        Ok(queued) => {
            queued.record_in_span();
            queued
        }
        Err(error) => {
            tracing::error!(
                function = "process",
                invocation_id,
                delivery_count = message.delivery_count,
                "{error}"
            );
            return Err(error.into());
        }
    };
    tracing::info!(
        function = "process",
        invocation_id,
        kind = queued.kind.as_str(),
        key = %queued.key,
        request_id = queued.request_id.as_deref(),
        user = queued.user_id.as_deref(),
        correlation_id = %queued.correlation_id,
        delivery_count = message.delivery_count,
        "processing event"
    );
    match work::handle(&app, &queued).await? {
        Handled::Done(outcome) => {
            tracing::info!(function = "process", invocation_id, key = %queued.key, "done: {outcome}")
        }
        Handled::Duplicate(earlier) => {
            tracing::info!(function = "process", invocation_id, key = %queued.key, "duplicate, nothing changed (earlier: {earlier})")
        }
    }
    // Granted and removed: the user's devices are asked to sync and the user is told
    // (idempotent per device and notice, so it runs for duplicates too and a retry redoes
    // only what failed).
    if let Some(outcome) = crate::devices::after_callout(&app, &queued).await? {
        tracing::info!(function = "process", invocation_id, key = %queued.key, "devices: {outcome}");
    }
    Ok(Outputs::new())
}

async fn watch_event(
    app: &App,
    invocation_id: &str,
    delivery_count: Option<i64>,
    watch: Result<crate::watch::WatchEvent, String>,
) -> Result<Outputs, Error> {
    let watch = watch.map_err(|reason| {
        tracing::error!(
            function = "process",
            invocation_id,
            delivery_count,
            "malformed watch event: {reason}"
        );
        reason
    })?;
    let kind = watch.kind.as_str();
    azfn_runtime::record_field("event_kind", kind);
    match crate::watch::process::handle(app, &watch).await {
        Ok(outcome) => {
            tracing::info!(function = "process", invocation_id, kind, key = %watch.key, "done: {outcome}");
            Ok(Outputs::new())
        }
        Err(error) => {
            tracing::warn!(function = "process", invocation_id, kind, key = %watch.key, delivery_count, "watch event failed: {error}");
            Err(error.into())
        }
    }
}

async fn teams_decision(
    app: &App,
    invocation_id: &str,
    delivery_count: Option<i64>,
    decision: Result<crate::teams::decision_event::DecisionEvent, String>,
) -> Result<Outputs, Error> {
    let decision = decision.map_err(|reason| {
        tracing::error!(
            function = "process",
            invocation_id,
            delivery_count,
            "malformed Teams decision: {reason}"
        );
        reason
    })?;
    match crate::teams::decision_event::handle(app, &decision).await {
        Ok(outcome) => {
            tracing::info!(function = "process", invocation_id, kind = "teamsDecision", key = %decision.key, "done: {outcome}");
            Ok(Outputs::new())
        }
        Err(error) => {
            tracing::warn!(function = "process", invocation_id, kind = "teamsDecision", key = %decision.key, delivery_count, "Teams decision not applied: {error}");
            Err(error.into())
        }
    }
}
