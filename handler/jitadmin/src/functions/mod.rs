//! One module per Azure Function, each reading like a paragraph: parse, authenticate, hand
//! over to a flow or the queue ([`outbox`]), answer. The work lives in [`crate::flows`].

mod callout;
mod maintain;
mod notifications;
pub mod outbox;
mod process;
mod teams;

use std::sync::Arc;

use azfn_runtime::{service_fn, Functions};

use crate::app::App;

/// The binding names, as in `function-defs/*/function.json`.
pub mod bindings {
    /// The HTTP trigger of `callout`, `notifications` and `teams`.
    pub const HTTP_IN: &str = "req";
    /// Their HTTP output.
    pub const HTTP_OUT: &str = "res";
    /// The Service Bus output to the `events` queue.
    pub const EVENTS_OUT: &str = "events";
    /// The Service Bus trigger of `process`.
    pub const QUEUE_IN: &str = "msg";
    /// The timer trigger of `maintain`.
    pub const TIMER_IN: &str = "tick";
}

/// The names of the five functions.
pub const NAMES: [&str; 5] = ["callout", "notifications", "teams", "process", "maintain"];

/// Every function jitadmin serves, registered under its folder name, sharing `app`.
pub fn all(app: Arc<App>) -> Functions {
    use bindings::*;
    let (callout_app, notifications_app, maintain_app) = (app.clone(), app.clone(), app.clone());
    let teams_app = app.clone();
    let process_app = app;
    Functions::new()
        .span(invocation_span)
        .function(
            "callout",
            HTTP_IN,
            service_fn(move |event| callout::handle(callout_app.clone(), event)),
        )
        .function(
            "notifications",
            HTTP_IN,
            service_fn(move |event| notifications::handle(notifications_app.clone(), event)),
        )
        .body_limit("notifications", notifications::MAX_INVOCATION_BYTES)
        .function(
            "teams",
            HTTP_IN,
            service_fn(move |event| teams::handle(teams_app.clone(), event)),
        )
        .function(
            "process",
            QUEUE_IN,
            service_fn(move |event| process::handle(process_app.clone(), event)),
        )
        .function(
            "maintain",
            TIMER_IN,
            service_fn(move |event| maintain::handle(maintain_app.clone(), event)),
        )
}

/// The span of one invocation: the function and invocation id, and empty the fields the
/// functions record once they have read their event ([`crate::queue::Event::record_in_span`]),
/// so every line of an invocation carries them.
fn invocation_span(function: &str, invocation_id: &str) -> tracing::Span {
    tracing::info_span!(
        "invocation",
        function = %function,
        invocation_id = %invocation_id,
        event_kind = tracing::field::Empty,
        request_id = tracing::field::Empty,
        user = tracing::field::Empty,
        correlation_id = tracing::field::Empty,
    )
}
