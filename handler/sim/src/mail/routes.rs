//! `POST /users/{id-or-upn}/sendMail` (202, no body): the message is recorded as sent.
//!
//! As Graph does: an unknown user is 404 `ErrorInvalidUser`; a user without a mailbox is 404
//! `MailboxNotEnabledForRESTAPI`; a body without `message` is 400 `ErrorInvalidRequest`; a
//! message without recipients is 400 `ErrorInvalidRecipients`.

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use serde_json::Value;

use super::area::MailArea;
use super::SentMail;
use crate::odata::errors::GraphError;

/// The route, relative to a Graph version root.
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    MailArea: FromRef<S>,
{
    Router::new().route("/users/{id}/sendMail", post(send_mail))
}

/// `POST /{version}/users/{id-or-upn}/sendMail`
async fn send_mail(
    State(area): State<MailArea>,
    Path(id): Path<String>,
    Json(request): Json<Value>,
) -> Result<StatusCode, GraphError> {
    let from = {
        let state = area.directory.state();
        let user = state.user(&id).ok_or_else(|| {
            GraphError::new(
                StatusCode::NOT_FOUND,
                "ErrorInvalidUser",
                format!("The requested user '{id}' is invalid."),
            )
        })?;
        if user.mail.is_none() {
            return Err(GraphError::new(
                StatusCode::NOT_FOUND,
                "MailboxNotEnabledForRESTAPI",
                "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
            ));
        }
        user.id.clone()
    };
    let message = request
        .get("message")
        .filter(|m| m.is_object())
        .ok_or_else(|| GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidRequest", "Message is required."))?;
    let to: Vec<String> = message
        .get("toRecipients")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.pointer("/emailAddress/address").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    if to.is_empty() {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid.",
        ));
    }
    let text = |pointer: &str| {
        message
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mail = SentMail {
        from,
        to,
        subject: text("/subject"),
        content_type: text("/body/contentType"),
        body: text("/body/content"),
        at: Utc::now(),
    };
    area.sent().push(mail);
    Ok(StatusCode::ACCEPTED)
}
