//! One module per Azure Function (DESIGN.md §3). Each reads like a paragraph:
//! parse, authenticate, act, answer; the work lives in the other modules.

mod callout;
mod maintain;
mod notifications;
mod placeholder;
mod process;
mod teams;

use azfn_runtime::{service_fn, Functions};

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

/// Every function jitadmin serves, registered under its folder name.
pub fn all() -> Functions {
    use bindings::*;
    Functions::new()
        .function("callout", HTTP_IN, service_fn(callout::handle))
        .function("notifications", HTTP_IN, service_fn(notifications::handle))
        .function("teams", HTTP_IN, service_fn(teams::handle))
        .function("process", QUEUE_IN, service_fn(process::handle))
        .function("maintain", TIMER_IN, service_fn(maintain::handle))
}
