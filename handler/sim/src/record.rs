//! Every request the simulator received, in arrival order, with its response status.

use std::sync::Mutex;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// One received request.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    /// Position in arrival order, from 0 (not reset by `clear_calls`).
    pub seq: u64,
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// The path, e.g. `/v1.0/users/u1` (percent-encoding kept).
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Request headers (lower-case names). `authorization` is reduced to its scheme
    /// (`Bearer`), `x-identity-header` and `cookie` to `<redacted>`.
    pub headers: Vec<(String, String)>,
    /// The request body; form fields `client_secret` and `client_assertion` are redacted.
    pub body: Bytes,
    /// The calling app id read (unverified) from a bearer token's `appid`/`azp`.
    pub app_id: Option<String>,
    /// The response status; `None` while in flight or when the connection was dropped.
    pub status: Option<u16>,
    /// When the request arrived.
    pub at: DateTime<Utc>,
}

impl RecordedCall {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The ordered log of received calls.
#[derive(Debug, Default)]
pub(crate) struct CallLog {
    inner: Mutex<CallLogInner>,
}

#[derive(Debug, Default)]
struct CallLogInner {
    calls: Vec<RecordedCall>,
    next_seq: u64,
}

impl CallLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, CallLogInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn push(&self, mut call: RecordedCall) -> u64 {
        let mut inner = self.lock();
        call.seq = inner.next_seq;
        inner.next_seq += 1;
        let seq = call.seq;
        inner.calls.push(call);
        seq
    }

    pub(crate) fn set_status(&self, seq: u64, status: u16) {
        let mut inner = self.lock();
        if let Some(call) = inner.calls.iter_mut().rev().find(|c| c.seq == seq) {
            call.status = Some(status);
        }
    }

    pub fn all(&self) -> Vec<RecordedCall> {
        self.lock().calls.clone()
    }

    pub fn to(&self, method: &str, path_prefix: &str) -> Vec<RecordedCall> {
        self.lock()
            .calls
            .iter()
            .filter(|c| (method == "*" || c.method.eq_ignore_ascii_case(method)) && c.path.starts_with(path_prefix))
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.lock().calls.clear();
    }
}
