//! `callout`: HTTP-triggered. Placeholder until issue 5 lands.

use azfn_runtime::{Error, HttpRequest, Invocation, Outputs};

/// Handle one invocation.
pub async fn handle(event: Invocation<HttpRequest>) -> Result<Outputs, Error> {
    tracing::info!(method = %event.trigger.method, "callout invoked");
    Ok(super::placeholder::http("callout", 5))
}
