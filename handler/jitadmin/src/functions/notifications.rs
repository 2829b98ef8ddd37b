//! `notifications`: HTTP-triggered. Placeholder until issue 8 lands.

use azfn_runtime::{Error, HttpRequest, Invocation, Outputs};

/// Handle one invocation.
pub async fn handle(event: Invocation<HttpRequest>) -> Result<Outputs, Error> {
    tracing::info!(method = %event.trigger.method, "notifications invoked");
    Ok(super::placeholder::http("notifications", 8))
}
