//! `notifications`: Graph's change and lifecycle notifications for the watched groups
//! (HTTP POST `/api/notifications`, both the notification and the lifecycle URL).
//!
//! The validation handshake is answered first and alone: 200, `text/plain`, the decoded
//! `validationToken`, without reading the body. Otherwise parse the collection, keep the
//! items whose `clientState` matches (constant time; the others are dropped and counted,
//! never echoed), queue one message per group change (SessionId = the group id) and per
//! lifecycle event (SessionId = the subscription id), and answer 202 with no I/O but the
//! queue output, well inside Graph's 3 seconds.

use std::sync::Arc;

use azfn_runtime::{Error, HttpRequest, HttpResponse, Invocation, Outputs, Problem};
use jitadmin_events::notification::{screen, ChangeNotificationCollection, ValidationHandshake};

use super::bindings::HTTP_OUT;
use super::outbox::Outbox;
use crate::app::App;
use crate::inbound::notifications as inbound;
use crate::inbound::untrusted;

/// The largest invocation (the whole envelope, bytes) `notifications` takes: the function is
/// anonymous, so its input is bounded before anything of it is parsed. Graph documents no
/// batch size; a group subscription's items are about a kilobyte each, so 1 MiB leaves room
/// for hundreds. A larger POST is refused; Graph retries and then drops it, and `maintain`'s
/// delta reconcile finds the changes it carried.
pub const MAX_INVOCATION_BYTES: usize = 1024 * 1024;

/// The most items one batch may hold.
pub const MAX_ITEMS: usize = 1000;

/// The longest `validationToken` echoed (bytes). Graph documents no length; its tokens are
/// far shorter (<https://learn.microsoft.com/graph/change-notifications-delivery-webhooks>).
pub const MAX_VALIDATION_TOKEN: usize = 1024;

/// Handle one invocation.
pub async fn handle(app: Arc<App>, event: Invocation<HttpRequest>) -> Result<Outputs, Error> {
    let invocation_id = event.context.invocation_id.as_str();
    let request = &event.trigger;

    if let Some(handshake) = handshake(request) {
        // Graph's tokens are short; a long one is not Graph's and is never echoed.
        if handshake.token().len() > MAX_VALIDATION_TOKEN {
            tracing::warn!(
                function = "notifications",
                invocation_id,
                length = handshake.token().len(),
                "validation token refused: too long"
            );
            let problem = Problem::new("invalid-validation-token", "The validation token is too long", 400);
            return Ok(answer(HttpResponse::problem(&problem)));
        }
        tracing::info!(
            function = "notifications",
            invocation_id,
            "validation handshake answered"
        );
        // Echoed as plain text only: a browser must not sniff it into HTML or script.
        let echo = HttpResponse::text(200, handshake.token()).with_header("X-Content-Type-Options", "nosniff");
        return Ok(answer(echo));
    }

    let body = request.body.as_deref().unwrap_or_default();
    let configured = app.config().watch.client_state.as_deref();
    // A light look first: only a batch with an item of ours is parsed in full.
    let screened = match screen(body, configured.unwrap_or_default()) {
        Ok(screened) => screened,
        Err(error) => return Ok(answer(refused(invocation_id, &error))),
    };
    let Some(client_state) = configured else {
        // Nothing can match: acknowledge (as for a mismatch) so nothing is learnt, and log.
        tracing::warn!(
            function = "notifications",
            invocation_id,
            items = screened.items,
            "notifications dropped: JITADMIN_CLIENT_STATE is not set"
        );
        return Ok(answer(HttpResponse::new(202)));
    };
    match screened {
        s if s.items > MAX_ITEMS => {
            tracing::warn!(
                function = "notifications",
                invocation_id,
                items = s.items,
                "notification batch refused: too many items"
            );
            let problem = Problem::new("too-many-items", "Too many notifications in one batch", 413);
            return Ok(answer(HttpResponse::problem(&problem)));
        }
        s if s.ours == 0 => {
            tracing::warn!(
                function = "notifications",
                invocation_id,
                items = s.items,
                "notifications dropped: no item carries our clientState"
            );
            return Ok(answer(HttpResponse::new(202)));
        }
        _ => {}
    }
    let collection = match ChangeNotificationCollection::from_slice(body) {
        Ok(collection) => collection,
        Err(error) => return Ok(answer(refused(invocation_id, &error))),
    };

    let sorted = inbound::sort(&collection, &app.config().tenant_id, client_state, invocation_id);
    if sorted.bad_client_state + sorted.foreign_tenant + sorted.no_group > 0 {
        tracing::warn!(
            function = "notifications",
            invocation_id,
            bad_client_state = sorted.bad_client_state,
            foreign_tenant = sorted.foreign_tenant,
            no_group = sorted.no_group,
            "notification items dropped"
        );
    }
    let mut outputs = Outputs::new();
    for event in &sorted.events {
        tracing::info!(
            function = "notifications",
            invocation_id,
            kind = event.kind().as_str(),
            key = %event.identity().key,
            session = event.session_id(),
            "notification queued"
        );
        outputs = Outbox::of(&app).put(outputs, event).await?;
    }
    Ok(outputs.http(HTTP_OUT, HttpResponse::new(202)))
}

/// 400 for a body that is not a notification collection: the field, never the value.
fn refused(invocation_id: &str, error: &jitadmin_events::ParseError) -> HttpResponse {
    tracing::warn!(
        function = "notifications",
        invocation_id,
        error = %untrusted(&error.to_string(), 300),
        "notification body refused"
    );
    let problem =
        Problem::new("invalid-notification", "Not a change notification collection", 400).with_detail(error.public());
    HttpResponse::problem(&problem)
}

/// The handshake, from the host's decoded query or, failing that, the raw URL.
fn handshake(request: &HttpRequest) -> Option<ValidationHandshake> {
    ValidationHandshake::from_decoded_pairs(request.query.iter().map(|(k, v)| (k.as_str(), v.as_str()))).or_else(|| {
        let (_, query) = request.url.split_once('?')?;
        ValidationHandshake::from_query(query)
    })
}

fn answer(response: HttpResponse) -> Outputs {
    Outputs::new().http(HTTP_OUT, response)
}
