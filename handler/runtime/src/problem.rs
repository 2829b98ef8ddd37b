//! RFC 9457 problem details, the body of every error the runtime answers with.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The problem+json media type.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem details object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI reference naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong in this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Extension members.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl Problem {
    /// A problem with a type slug (`urn:azfn:problem:<slug>`), a title and a status.
    pub fn new(slug: &str, title: impl Into<String>, status: u16) -> Self {
        Problem {
            kind: format!("urn:azfn:problem:{slug}"),
            title: title.into(),
            status,
            detail: None,
            extensions: Map::new(),
        }
    }

    /// Set the detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Add an extension member.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extensions.insert(key.to_owned(), value.into());
        self
    }
}

impl axum::response::IntoResponse for Problem {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (status, [(http::header::CONTENT_TYPE, PROBLEM_JSON)], body).into_response()
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{} ({}): {}", self.title, self.status, detail),
            None => write!(f, "{} ({})", self.title, self.status),
        }
    }
}

/// A function may fail with a `Problem` to choose the status and body of its failed
/// invocation (any other error becomes a 500 `function-failed` problem).
impl std::error::Error for Problem {}
