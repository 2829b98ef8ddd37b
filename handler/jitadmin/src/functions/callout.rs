//! `callout`: entitlement management's custom-extension endpoint (HTTP POST `/api/callout`).
//!
//! Authenticate (only the header and request line are read), parse the body with
//! jitadmin-events, and either answer the connection test with 200 or put ONE event on
//! the `events` queue and answer 202. Nothing here waits on Graph or the store: EM gives
//! us 2 seconds, and the only remote call is a signing-key fetch when the cache is cold.

use std::sync::Arc;

use azfn_runtime::{Error, HttpRequest, HttpResponse, Invocation, Outputs};
use chrono::Utc;
use jitadmin_events::callout::Callout;
use serde_json::{json, Value};

use super::bindings::HTTP_OUT;
use super::outbox::Outbox;
use crate::app::App;
use crate::inbound::{auth_problem, parse_problem};
use crate::queue::CalloutEvent;

/// Handle one invocation.
pub async fn handle(app: Arc<App>, event: Invocation<HttpRequest>) -> Result<Outputs, Error> {
    let invocation_id = event.context.invocation_id.as_str();
    let request = &event.trigger;
    let auth = app.callout_auth();

    let caller = match auth.authenticate(request).await {
        Ok(caller) => caller,
        Err(error) => {
            tracing::warn!(
                function = "callout",
                invocation_id,
                code = error.code(),
                status = error.status(),
                "callout refused: {error}"
            );
            return Ok(answer(auth_problem(&error, auth.scheme())));
        }
    };

    let body = request.body.as_deref().unwrap_or_default();
    let (callout, payload) = match parse(body) {
        Ok(parsed) => parsed,
        Err(error) => {
            tracing::warn!(
                function = "callout",
                invocation_id,
                field = error.path(),
                "callout body refused: {error}"
            );
            return Ok(answer(parse_problem(&error)));
        }
    };

    // Only the connection test has no idempotency key, and it is never queued.
    let Some(queued) = CalloutEvent::event(callout, payload, invocation_id, Utc::now()) else {
        tracing::info!(function = "callout", invocation_id, caller = ?caller.object_id, "connection test answered");
        return Ok(answer(HttpResponse::json(200, &json!({"status": "ok"}))));
    };
    queued.record_in_span();
    let id = queued.identity();
    tracing::info!(
        function = "callout",
        invocation_id,
        kind = "callout",
        stage = id.stage,
        key = %id.key,
        request_id = id.request_id,
        user = id.user,
        caller = caller.object_id.as_deref().or(caller.app_id.as_deref()),
        "callout queued"
    );
    let accepted = json!({"status": "accepted", "key": id.key, "correlationId": invocation_id});
    let outputs = Outputs::new().http(HTTP_OUT, HttpResponse::json(202, &accepted));
    // A failed direct send fails the invocation, so entitlement management calls again.
    Ok(Outbox::of(&app).put(outputs, &queued).await?)
}

/// The typed callout and the raw payload it came from.
fn parse(body: &[u8]) -> Result<(Callout, Value), jitadmin_events::ParseError> {
    let payload: Value =
        serde_json::from_slice(body).map_err(|e| jitadmin_events::ParseError::NotJson(e.to_string()))?;
    let callout = Callout::from_value(payload.clone())?;
    Ok((callout, payload))
}

fn answer(response: HttpResponse) -> Outputs {
    Outputs::new().http(HTTP_OUT, response)
}
