//! `teams`: HTTP-triggered. Placeholder until issue 7 lands.

use azfn_runtime::{Error, HttpRequest, Invocation, Outputs};

/// Handle one invocation.
pub async fn handle(event: Invocation<HttpRequest>) -> Result<Outputs, Error> {
    tracing::info!(method = %event.trigger.method, "teams invoked");
    Ok(super::placeholder::http("teams", 7))
}
