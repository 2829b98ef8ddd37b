//! HTTP-trigger invocations.

use base64::Engine;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{host_string, merge_body_properties};
use crate::invocation::InvocationRequest;

/// An HTTP-triggered invocation, as the host builds it from a public request.
///
/// `Data.<binding>` is the request object `{Url, Method, Query, Headers, Params,
/// Identities, Body}` (headers as lists of values, a binary body in base64); the metadata
/// holds `Query`, `Headers` (one string each), `Params`, each route parameter, and the
/// top-level properties of a JSON body. The binding is `req` unless set.
///
/// ```
/// use azfn_runtime::testing::HttpInvocation;
/// use azfn_runtime::{HttpRequest, InvocationRequest, Trigger};
///
/// let request: InvocationRequest = HttpInvocation::post("https://example.net/api/orders?tenant=contoso")
///     .header("x-request-id", "r-1")
///     .json(&serde_json::json!({"item": "pizza"}))
///     .into();
/// let http = HttpRequest::from_request(&request, "req").unwrap();
/// assert_eq!(http.query["tenant"], "contoso");
/// assert_eq!(http.header("content-type"), Some("application/json"));
/// assert_eq!(http.body_text(), Some(r#"{"item":"pizza"}"#));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HttpInvocation {
    binding: String,
    method: String,
    url: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    params: Vec<(String, String)>,
    identities: Vec<Value>,
    body: Option<Vec<u8>>,
}

impl HttpInvocation {
    /// A request with `method` to `url`; the query string of `url` becomes `Query`.
    pub fn new(method: &str, url: &str) -> Self {
        let query = url
            .split_once('?')
            .map(|(_, query)| query.split('#').next().unwrap_or(""))
            .map(parse_query)
            .unwrap_or_default();
        HttpInvocation {
            binding: "req".to_owned(),
            method: method.to_ascii_uppercase(),
            url: url.to_owned(),
            query,
            headers: Vec::new(),
            params: Vec::new(),
            identities: Vec::new(),
            body: None,
        }
    }

    /// A `GET` of `url`.
    pub fn get(url: &str) -> Self {
        HttpInvocation::new("GET", url)
    }

    /// A `POST` to `url`.
    pub fn post(url: &str) -> Self {
        HttpInvocation::new("POST", url)
    }

    /// Name the trigger binding (the `name` in function.json); `req` by default.
    pub fn binding(mut self, name: &str) -> Self {
        name.clone_into(&mut self.binding);
        self
    }

    /// Add a header; a name given twice gets both values.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Add a query parameter, to `Query` and to the URL.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        let (path, fragment) = match self.url.split_once('#') {
            Some((path, fragment)) => (path.to_owned(), Some(fragment.to_owned())),
            None => (self.url.clone(), None),
        };
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{separator}{}={}", encode(name), encode(value));
        if let Some(fragment) = fragment {
            url.push('#');
            url.push_str(&fragment);
        }
        self.url = url;
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Add a route parameter (`{name}` in the function's route).
    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Add a serialised claims identity, as the host attaches for a function key.
    pub fn identity(mut self, identity: Value) -> Self {
        self.identities.push(identity);
        self
    }

    /// Set the body bytes. Under a binary content type (`application/octet-stream`,
    /// `multipart/*`) they are sent in base64, as the host does; otherwise as text.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Set a text body, and `Content-Type: text/plain; charset=utf-8` unless one is set.
    pub fn text(self, body: impl Into<String>) -> Self {
        self.with_default_content_type("text/plain; charset=utf-8")
            .body(body.into().into_bytes())
    }

    /// Set a JSON body, and `Content-Type: application/json` unless one is set.
    pub fn json(self, body: &impl Serialize) -> Self {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        self.with_default_content_type("application/json").body(bytes)
    }

    fn with_default_content_type(self, content_type: &str) -> Self {
        if self.header_value("content-type").is_some() {
            self
        } else {
            self.header("Content-Type", content_type)
        }
    }

    fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The envelope the host would POST for this request.
    pub fn to_request(&self) -> InvocationRequest {
        let mut query = Map::new();
        for (name, value) in &self.query {
            match query.get_mut(name) {
                // The host joins repeated query parameters with commas.
                Some(Value::String(existing)) => {
                    existing.push(',');
                    existing.push_str(value);
                }
                _ => {
                    query.insert(name.clone(), Value::String(value.clone()));
                }
            }
        }
        let mut headers = Map::new();
        for (name, value) in &self.headers {
            match headers.get_mut(name) {
                Some(Value::Array(values)) => values.push(Value::String(value.clone())),
                _ => {
                    headers.insert(name.clone(), Value::Array(vec![Value::String(value.clone())]));
                }
            }
        }
        let params: Map<String, Value> = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();

        let mut object = Map::new();
        object.insert("Url".into(), Value::String(self.url.clone()));
        object.insert("Method".into(), Value::String(self.method.clone()));
        object.insert("Query".into(), Value::Object(query.clone()));
        object.insert("Headers".into(), Value::Object(headers.clone()));
        object.insert("Params".into(), Value::Object(params.clone()));
        object.insert("Identities".into(), Value::Array(self.identities.clone()));
        if let Some(body) = &self.body {
            let text = if is_binary(self.header_value("content-type").unwrap_or("")) {
                base64::engine::general_purpose::STANDARD.encode(body)
            } else {
                String::from_utf8_lossy(body).into_owned()
            };
            object.insert("Body".into(), Value::String(text));
        }
        let mut data = Map::new();
        data.insert(self.binding.clone(), Value::Object(object));

        let mut metadata = Map::new();
        metadata.insert("Query".into(), Value::Object(query));
        let single: Map<String, Value> = headers
            .into_iter()
            .map(|(name, values)| {
                let joined = match values {
                    Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
                    _ => String::new(),
                };
                (name, Value::String(joined))
            })
            .collect();
        metadata.insert("Headers".into(), Value::Object(single));
        metadata.insert("Params".into(), Value::Object(params));
        for (name, value) in &self.params {
            metadata.insert(name.clone(), host_string(value));
        }
        if let Some(body) = &self.body {
            merge_body_properties(&mut metadata, body);
        }
        InvocationRequest { data, metadata }
    }
}

impl From<HttpInvocation> for InvocationRequest {
    fn from(invocation: HttpInvocation) -> Self {
        invocation.to_request()
    }
}

fn is_binary(content_type: &str) -> bool {
    let ct = content_type.trim().to_ascii_lowercase();
    ct.starts_with("application/octet-stream") || ct.starts_with("multipart/")
}

/// `a=1&b=x%20y` as decoded pairs.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// Percent-encode all but the unreserved characters of RFC 3986.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Undo percent-encoding and `+` for space; malformed escapes are kept as they are.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(byte) = hex {
                    out.push(byte);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HttpRequest, Trigger};

    #[test]
    fn query_from_the_url_and_added_are_both_in_the_url_and_query() {
        let request = HttpInvocation::get("https://x.test/api/a?name=J%C3%BCrgen+B&flag")
            .query("q", "a b&c")
            .to_request();
        let http = HttpRequest::from_request(&request, "req").unwrap();
        assert_eq!(http.query["name"], "Jürgen B");
        assert_eq!(http.query["flag"], "");
        assert_eq!(http.query["q"], "a b&c");
        assert_eq!(http.url, "https://x.test/api/a?name=J%C3%BCrgen+B&flag&q=a%20b%26c");
        assert_eq!(http.method, "GET");
        assert!(http.body.is_none());
    }

    #[test]
    fn binary_bodies_travel_in_base64_and_json_bodies_shadow_metadata() {
        let request = HttpInvocation::post("https://x.test/api/blob")
            .header("Content-Type", "application/octet-stream")
            .body(vec![0u8, 255])
            .to_request();
        assert_eq!(request.data["req"]["Body"], "AP8=");
        assert_eq!(
            HttpRequest::from_request(&request, "req").unwrap().body,
            Some(vec![0, 255])
        );

        let request = HttpInvocation::post("https://x.test/api/a")
            .binding("input")
            .param("tenant", "t1")
            .json(&serde_json::json!({"id": "r-1", "n": 2}))
            .to_request();
        assert_eq!(request.metadata_string("id").as_deref(), Some("r-1"));
        assert_eq!(request.metadata["n"], "2");
        assert_eq!(request.metadata["tenant"], "\"t1\"");
        let http = HttpRequest::from_request(&request, "input").unwrap();
        assert_eq!(http.params["tenant"], "t1");
    }
}
