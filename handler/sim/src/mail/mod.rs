//! Outlook mail (<https://learn.microsoft.com/graph/api/user-sendmail>): `sendMail` and the
//! messages it accepted.

pub(crate) mod area;
mod routes;

pub(crate) use routes::routes;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A message the tenant accepted for sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentMail {
    /// The sending mailbox's user id.
    pub from: String,
    /// Recipients' addresses.
    pub to: Vec<String>,
    /// Subject.
    pub subject: String,
    /// `Text` or `HTML`.
    pub content_type: String,
    /// Body.
    pub body: String,
    /// When it was accepted.
    pub at: DateTime<Utc>,
}
