//! One request to Graph and its successful answer.

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::GraphError;

/// One request to Graph. `target` is a path starting with the version (`/v1.0/users/{id}`), with any
/// query, or an absolute URL Graph gave us (`@odata.nextLink`), which must point at the configured base.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    /// HTTP method.
    pub method: Method,
    /// Path with query, or an absolute URL on the base's origin.
    pub target: String,
    /// JSON body.
    pub body: Option<serde_json::Value>,
    /// Extra headers (e.g. `ConsistencyLevel: eventual`), resent on every page and retry.
    pub headers: Vec<(String, String)>,
}

impl GraphRequest {
    /// A request without a body.
    pub fn new(method: Method, target: impl Into<String>) -> Self {
        GraphRequest {
            method,
            target: target.into(),
            body: None,
            headers: Vec::new(),
        }
    }
    /// A GET.
    pub fn get(target: impl Into<String>) -> Self {
        Self::new(Method::GET, target)
    }
    /// A DELETE.
    pub fn delete(target: impl Into<String>) -> Self {
        Self::new(Method::DELETE, target)
    }
    /// A POST with a JSON body.
    pub fn post(target: impl Into<String>, body: serde_json::Value) -> Self {
        Self::new(Method::POST, target).with_body(body)
    }
    /// A PATCH with a JSON body.
    pub fn patch(target: impl Into<String>, body: serde_json::Value) -> Self {
        Self::new(Method::PATCH, target).with_body(body)
    }
    /// Sets the JSON body.
    pub fn with_body(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }
    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A successful (2xx) answer.
#[derive(Debug, Clone)]
pub struct GraphResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub body: Bytes,
    /// Graph's `request-id` header.
    pub request_id: Option<String>,
    /// The request path (no query), for error messages.
    pub path: String,
}

impl GraphResponse {
    /// Parses the body as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, GraphError> {
        serde_json::from_slice(&self.body).map_err(|e| GraphError::Decode {
            path: self.path.clone(),
            message: e.to_string(),
        })
    }
}
