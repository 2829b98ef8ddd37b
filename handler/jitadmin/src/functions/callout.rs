//! `callout`: entitlement management's custom-extension endpoint (HTTP POST `/api/callout`).
//!
//! Authenticate (only the header and request line are read), parse the body with
//! jitadmin-events, refuse what must not be acted on (a package we do not manage: 403; a
//! `callbackUriPath` that is not this request's documented resume path: 400; both audited),
//! and either answer the connection test with 200 or put ONE event on the `events` queue and
//! answer 202. Nothing here waits on Graph or the store: EM gives
//! us 2 seconds, and the only remote call is a signing-key fetch when the cache is cold.

use std::sync::Arc;

use azfn_runtime::{Error, HttpRequest, HttpResponse, Invocation, Outputs, Problem};
use chrono::Utc;
use jitadmin_events::callout::callback_path::CallbackPathError;
use jitadmin_events::callout::Callout;
use serde_json::{json, Value};

use super::bindings::HTTP_OUT;
use super::outbox::Outbox;
use crate::app::App;
use crate::audit::detail::CalloutDetail;
use crate::audit::{self, Action, Entry, Refusal};
use crate::inbound::{auth_problem, parse_problem, untrusted};
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
                field = error.path().map(|p| untrusted(p, 100)),
                error = %untrusted(&error.to_string(), 300),
                "callout body refused"
            );
            return Ok(answer(parse_problem(&error)));
        }
    };

    if let Some(refused) = refusal(&app, &callout) {
        return Ok(answer(refuse(&app, &callout, refused, invocation_id).await));
    }

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

/// Why a callout is refused at acknowledgement.
enum Refused {
    /// For an access package jitadmin does not manage.
    Package,
    /// Its `callbackUriPath` is not this request's documented resume path.
    Path(CallbackPathError),
}

/// Why this callout must not be acted on, if it must not: a package we do not manage, or
/// a `callbackUriPath` that is not the documented shape of this request's resume.
fn refusal(app: &App, callout: &Callout) -> Option<Refused> {
    if callout.is_connection_test() {
        return None;
    }
    let package = callout.access_package().and_then(|p| p.id.as_deref());
    if !app.config().packages.manages(package) {
        return Some(Refused::Package);
    }
    match callout {
        Callout::Request(request) => request.check_callback_path().err().map(Refused::Path),
        _ => None,
    }
}

/// Audit and answer a refusal: 403 for another package's callout (entitlement management
/// records a failed callout, which that package's administrator sees), 400 for a bad path.
async fn refuse(app: &App, callout: &Callout, refused: Refused, invocation_id: &str) -> HttpResponse {
    let request_id = callout.request_id().unwrap_or("(unknown)");
    let user = callout.target_user_id().unwrap_or("(unknown)");
    let package = callout.access_package().and_then(|p| p.id.clone());
    let (action, problem, outcome) = match refused {
        Refused::Package => (
            Refusal::UnmanagedPackage,
            Problem::new(
                "unmanaged-access-package",
                "The access package is not managed by jitadmin",
                403,
            )
            .with_detail("This custom extension is attached to an access package that jitadmin is not configured to manage (JITADMIN_ACCESS_PACKAGES)."),
            "refused: not a managed access package".to_string(),
        ),
        Refused::Path(why) => (
            Refusal::CallbackPath,
            Problem::new("invalid-callback-path", "The callout's callbackUriPath is refused", 400)
                .with_detail(why.to_string())
                .with("field", "callbackUriPath"),
            format!("refused: {why}"),
        ),
    };
    tracing::warn!(
        function = "callout",
        invocation_id,
        request_id = ?request_id,
        access_package = ?package,
        "callout {outcome}"
    );
    let detail = CalloutDetail {
        stage: Some(callout.stage().as_str().to_string()),
        stage_instance_id: callout.stage_instance_id().map(str::to_string),
        correlation_id: Some(invocation_id.to_string()),
        received_at: Some(Utc::now()),
        outcome: Some(outcome),
        access_package: package,
        ..CalloutDetail::default()
    };
    let entry = Entry::by_jitadmin(request_id, user, Action::CalloutRefused(action), detail);
    audit::append_logged(app.store(), entry).await;
    HttpResponse::problem(&problem)
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
