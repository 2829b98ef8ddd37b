//! HTTP trigger input and HTTP output binding.
//!
//! For an HTTP trigger the host sends the public request as an object `{Url, Method, Query,
//! Headers, Params, Identities, Body}`, and reads the `http` output as `{statusCode, headers,
//! body}`; see
//! <https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers>.

use std::collections::BTreeMap;

use base64::Engine;
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::encoding;
use crate::error::BindingError;

/// The HTTP request the host built from the public request (`Data.<name>`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpRequest {
    /// `scheme://host/path?query` of the original request.
    pub url: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// Query parameters (multi-values joined by commas by the host).
    pub query: BTreeMap<String, String>,
    /// Headers, names lower-cased, values in arrival order.
    pub headers: BTreeMap<String, Vec<String>>,
    /// Route parameters.
    pub params: BTreeMap<String, String>,
    /// The serialised claims identities the host attached (kept raw).
    pub identities: Vec<Value>,
    /// The body bytes: text as sent, or decoded from base64 for binary content types.
    pub body: Option<Vec<u8>>,
}

#[derive(Deserialize)]
struct RawHttpRequest {
    #[serde(rename = "Url", alias = "url", default)]
    url: Option<Value>,
    #[serde(rename = "Method", alias = "method", default)]
    method: Option<Value>,
    #[serde(rename = "Query", alias = "query", default)]
    query: Option<Value>,
    #[serde(rename = "Headers", alias = "headers", default)]
    headers: Option<Value>,
    #[serde(rename = "Params", alias = "params", default)]
    params: Option<Value>,
    #[serde(rename = "Identities", alias = "identities", default)]
    identities: Option<Value>,
    #[serde(rename = "Body", alias = "body", default)]
    body: Option<Value>,
}

impl<'de> Deserialize<'de> for HttpRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawHttpRequest::deserialize(d)?;
        HttpRequest::from_raw(raw).map_err(serde::de::Error::custom)
    }
}

impl HttpRequest {
    /// Parse `Data.<name>` of an HTTP-triggered invocation.
    pub fn from_value(value: &Value) -> Result<Self, BindingError> {
        let raw: RawHttpRequest = match value {
            Value::String(_) => encoding::from_json_body(value),
            other => serde_json::from_value(other.clone()),
        }
        .map_err(|e| BindingError::Malformed(format!("HTTP request: {e}")))?;
        Self::from_raw(raw).map_err(BindingError::Malformed)
    }

    fn from_raw(raw: RawHttpRequest) -> Result<Self, String> {
        let headers = string_list_map(raw.headers.as_ref(), "Headers")?
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect::<BTreeMap<_, _>>();
        let query = string_map(raw.query.as_ref(), "Query")?;
        let params = string_map(raw.params.as_ref(), "Params")?;
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default();
        let body = match raw.body {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => {
                if is_binary_content_type(&content_type) {
                    Some(
                        base64::engine::general_purpose::STANDARD
                            .decode(text.as_bytes())
                            .map_err(|e| format!("Body: not valid base64 for {content_type}: {e}"))?,
                    )
                } else {
                    Some(text.into_bytes())
                }
            }
            // The host sends text; an object here means a JSON body already parsed.
            Some(other) => Some(other.to_string().into_bytes()),
        };
        let identities = match raw.identities {
            Some(Value::Array(items)) => items,
            Some(Value::String(text)) => serde_json::from_str(&text).unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(HttpRequest {
            url: raw.url.as_ref().and_then(encoding::decode_string).unwrap_or_default(),
            method: raw
                .method
                .as_ref()
                .and_then(encoding::decode_string)
                .unwrap_or_default()
                .to_ascii_uppercase(),
            query,
            headers,
            params,
            identities,
            body,
        })
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    /// The body as UTF-8 text, if any.
    pub fn body_text(&self) -> Option<&str> {
        self.body.as_deref().and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The URL's path (without scheme, host and query).
    pub fn path(&self) -> &str {
        let after_scheme = self.url.split_once("://").map(|(_, rest)| rest).unwrap_or(&self.url);
        let path = after_scheme.find('/').map(|i| &after_scheme[i..]).unwrap_or("/");
        path.split(['?', '#']).next().unwrap_or("/")
    }
}

fn is_binary_content_type(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("application/octet-stream") || ct.starts_with("multipart/")
}

/// `Query`/`Params`: an object of strings, or (docs' example) a string holding one.
fn string_map(value: Option<&Value>, field: &str) -> Result<BTreeMap<String, String>, String> {
    let object = match value {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map.clone(),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(Value::String(inner)) => match serde_json::from_str::<Value>(&inner) {
                Ok(Value::Object(map)) => map,
                _ => return Err(format!("{field}: expected an object, got a string")),
            },
            _ if text.trim().is_empty() => Map::new(),
            _ => return Err(format!("{field}: expected an object, got a string")),
        },
        Some(_) => return Err(format!("{field}: expected an object")),
    };
    Ok(object
        .into_iter()
        .map(|(k, v)| {
            let text = match &v {
                Value::Array(items) => items
                    .iter()
                    .filter_map(encoding::decode_string)
                    .collect::<Vec<_>>()
                    .join(","),
                other => encoding::decode_string(other).unwrap_or_default(),
            };
            (k, text)
        })
        .collect())
}

/// `Headers`: `{name: ["v1", ...]}`; single strings are accepted too.
fn string_list_map(value: Option<&Value>, field: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    let object = match value {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(format!("{field}: expected an object")),
    };
    let mut out = BTreeMap::new();
    for (k, v) in object {
        let values = match v {
            Value::Array(items) => items.iter().filter_map(encoding::decode_string).collect(),
            other => encoding::decode_string(other).into_iter().collect(),
        };
        out.insert(k.clone(), values);
    }
    Ok(out)
}

/// The value for an `http` output binding.
///
/// Serialises as `{statusCode, headers, body}` with a string body, which the host writes
/// verbatim. Set `Content-Type` explicitly; the constructors do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpResponse {
    /// The status code.
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    /// Response headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body text.
    #[serde(default)]
    pub body: String,
}

impl HttpResponse {
    /// A response with a status and no body.
    pub fn new(status_code: u16) -> Self {
        HttpResponse {
            status_code,
            headers: BTreeMap::new(),
            body: String::new(),
        }
    }

    /// A JSON body.
    pub fn json(status_code: u16, body: &impl Serialize) -> Self {
        let body = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned());
        HttpResponse::new(status_code)
            .with_header("Content-Type", "application/json")
            .with_body(body)
    }

    /// A plain-text body.
    pub fn text(status_code: u16, body: impl Into<String>) -> Self {
        HttpResponse::new(status_code)
            .with_header("Content-Type", "text/plain; charset=utf-8")
            .with_body(body)
    }

    /// An RFC 9457 problem body.
    pub fn problem(problem: &crate::Problem) -> Self {
        let body = serde_json::to_string(problem).unwrap_or_else(|_| "{}".to_owned());
        HttpResponse::new(problem.status)
            .with_header("Content-Type", crate::problem::PROBLEM_JSON)
            .with_body(body)
    }

    /// Add a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// The body parsed as JSON.
    pub fn json_body<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.body)
    }

    /// Set the body text.
    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_as_string_or_object() {
        let a = HttpRequest::from_value(&json!({"Url": "http://x/api/a?b=1", "Method": "POST", "Query": {"b": "1"}}))
            .unwrap();
        let b =
            HttpRequest::from_value(&json!({"Url": "http://x/api/a?b=1", "Method": "POST", "Query": "{\"b\":\"1\"}"}))
                .unwrap();
        let c = HttpRequest::from_value(&json!({"Url": "http://x/api/a", "Method": "POST", "Query": "{}"})).unwrap();
        assert_eq!(a.query, b.query);
        assert!(c.query.is_empty());
        assert_eq!(a.path(), "/api/a");
    }

    #[test]
    fn headers_are_case_insensitive_lists() {
        let r =
            HttpRequest::from_value(&json!({"Headers": {"Content-Type": ["application/json"], "X-A": "one"}})).unwrap();
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("x-a"), Some("one"));
    }

    #[test]
    fn bad_base64_body_is_an_error() {
        let err =
            HttpRequest::from_value(&json!({"Headers": {"Content-Type": ["application/octet-stream"]}, "Body": "***"}))
                .unwrap_err();
        assert!(err.to_string().contains("base64"), "{err}");
    }

    #[test]
    fn response_serialises_for_the_host() {
        let v = serde_json::to_value(HttpResponse::json(202, &json!({"ok": true}))).unwrap();
        assert_eq!(v["statusCode"], 202);
        assert_eq!(v["body"], "{\"ok\":true}");
        assert_eq!(v["headers"]["Content-Type"], "application/json");
    }
}
