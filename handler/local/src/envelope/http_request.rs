//! The HTTP trigger's request object (<https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers#request-payload>).

use std::collections::BTreeMap;

use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::envelope;
use crate::encoding;

/// A request as it reached the front door.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncomingRequest {
    /// Upper-case method.
    pub method: String,
    /// `scheme://host/path?query`.
    pub url: String,
    /// Decoded query pairs in order.
    pub query: Vec<(String, String)>,
    /// Headers in order (names as received).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl IncomingRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter (case-insensitive name).
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The identity the host attaches when a key authorised the request: authentication
/// type `WebJobsAuthLevel` with the auth-level claim (`Function` or `Admin`) and the
/// key's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `Function` or `Admin`.
    pub level: &'static str,
    /// The key's name (`master`, `default`, or a function's key name).
    pub key_name: String,
}

const AUTH_LEVEL_CLAIM: &str = "http://schemas.microsoft.com/2017/07/functions/claims/authlevel";
const KEY_ID_CLAIM: &str = "http://schemas.microsoft.com/2017/07/functions/claims/keyid";

fn claim(kind: &str, value: &str) -> Value {
    json!({
        "Issuer": "LOCAL AUTHORITY",
        "OriginalIssuer": "LOCAL AUTHORITY",
        "Properties": {},
        "Type": kind,
        "Value": value,
        "ValueType": "http://www.w3.org/2001/XMLSchema#string"
    })
}

impl Identity {
    /// The serialised .NET `ClaimsIdentity`.
    pub fn to_value(&self) -> Value {
        json!({
            "AuthenticationType": "WebJobsAuthLevel",
            "IsAuthenticated": true,
            "Actor": null,
            "BootstrapContext": null,
            "Claims": [claim(AUTH_LEVEL_CLAIM, self.level), claim(KEY_ID_CLAIM, &self.key_name)],
            "Label": null,
            "Name": null,
            "NameClaimType": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
            "RoleClaimType": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
        })
    }
}

fn is_binary(content_type: &str) -> bool {
    let ct = content_type.trim().to_ascii_lowercase();
    ct.starts_with("application/octet-stream") || ct.starts_with("multipart/")
}

/// The envelope of an HTTP-triggered invocation: `Data.<binding>` is the request object
/// `{Url, Method, Query, Headers, Params, Identities, Body}`; `Metadata` holds `Query`,
/// `Headers` (single strings), `Params`, each route parameter, the top-level properties
/// of a JSON body, and `sys`.
pub fn http_invocation(
    function: &str,
    binding: &str,
    request: &IncomingRequest,
    params: &BTreeMap<String, String>,
    identity: Option<&Identity>,
    now: DateTime<Utc>,
) -> Value {
    let mut query = Map::new();
    for (name, value) in &request.query {
        match query.get_mut(name) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(value);
            }
            _ => {
                query.insert(name.clone(), Value::String(value.clone()));
            }
        }
    }
    let mut headers: Map<String, Value> = Map::new();
    for (name, value) in &request.headers {
        match headers.get_mut(name) {
            Some(Value::Array(values)) => values.push(Value::String(value.clone())),
            _ => {
                headers.insert(name.clone(), json!([value]));
            }
        }
    }
    let params_value: Map<String, Value> = params
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut object = Map::new();
    object.insert("Url".into(), Value::String(request.url.clone()));
    object.insert("Method".into(), Value::String(request.method.clone()));
    object.insert("Query".into(), Value::Object(query.clone()));
    object.insert("Headers".into(), Value::Object(headers.clone()));
    object.insert("Params".into(), Value::Object(params_value.clone()));
    object.insert(
        "Identities".into(),
        Value::Array(identity.map(Identity::to_value).into_iter().collect()),
    );
    let content_length = request
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    if content_length > 0 {
        let body = if is_binary(request.header("content-type").unwrap_or("")) {
            base64::engine::general_purpose::STANDARD.encode(&request.body)
        } else {
            String::from_utf8_lossy(&request.body).into_owned()
        };
        object.insert("Body".into(), Value::String(body));
    }
    let mut data = Map::new();
    data.insert(binding.to_owned(), Value::Object(object));

    let mut metadata = Map::new();
    metadata.insert("Query".into(), Value::Object(query));
    let single: Map<String, Value> = headers
        .into_iter()
        .map(|(k, v)| {
            let joined = v
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","));
            (k, Value::String(joined.unwrap_or_default()))
        })
        .collect();
    metadata.insert("Headers".into(), Value::Object(single));
    metadata.insert("Params".into(), Value::Object(params_value));
    for (name, value) in params {
        metadata.insert(name.clone(), encoding::host_string(value));
    }
    if content_length > 0 {
        encoding::merge_body_properties(&mut metadata, &request.body);
    }
    metadata.insert("sys".into(), encoding::sys(function, now));
    envelope(data, metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &[u8], content_type: &str) -> IncomingRequest {
        IncomingRequest {
            method: "POST".into(),
            url: "http://localhost:7071/api/items/t1?a=1&a=2".into(),
            query: vec![("a".into(), "1".into()), ("a".into(), "2".into())],
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("content-length".into(), body.len().to_string()),
                ("x-multi".into(), "1".into()),
                ("x-multi".into(), "2".into()),
            ],
            body: body.to_vec(),
        }
    }

    #[test]
    fn the_request_object_has_the_hosts_shape() {
        let params = BTreeMap::from([("tenant".to_owned(), "t1".to_owned())]);
        let identity = Identity {
            level: "Function",
            key_name: "default".into(),
        };
        let env = http_invocation(
            "ingest",
            "req",
            &request(br#"{"n":1}"#, "application/json"),
            &params,
            Some(&identity),
            Utc::now(),
        );
        let req = &env["Data"]["req"];
        assert_eq!(req["Method"], "POST");
        assert_eq!(req["Query"], json!({"a": "1,2"}));
        assert_eq!(req["Headers"]["x-multi"], json!(["1", "2"]));
        assert_eq!(req["Params"], json!({"tenant": "t1"}));
        assert_eq!(req["Body"], "{\"n\":1}");
        assert_eq!(req["Identities"][0]["AuthenticationType"], "WebJobsAuthLevel");
        assert_eq!(req["Identities"][0]["Claims"][0]["Value"], "Function");
        let meta = &env["Metadata"];
        assert_eq!(meta["tenant"], "\"t1\"");
        assert_eq!(meta["n"], "1");
        assert_eq!(meta["Headers"]["x-multi"], "1,2");
        assert_eq!(meta["sys"]["MethodName"], "ingest");
    }

    #[test]
    fn the_request_object_matches_a_real_host_request() {
        let fixture: Value = serde_json::from_str(include_str!(
            "../../testdata/host-requests/custom-handler-request-http-trigger-with-identities.azfunc-go-fixture.json"
        ))
        .unwrap();
        let body = br#"{"message":"hello","number":2}"#;
        let incoming = IncomingRequest {
            method: "POST".into(),
            url: "http://localhost:7071/api/endpoint".into(),
            query: vec![],
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_vec(),
        };
        let mut incoming = incoming;
        incoming.headers.push(("Content-Length".into(), body.len().to_string()));
        let identity = Identity {
            level: "Admin",
            key_name: "master".into(),
        };
        let env = http_invocation(
            "helloHTTP",
            "req",
            &incoming,
            &BTreeMap::new(),
            Some(&identity),
            Utc::now(),
        );
        let (ours, theirs) = (&env["Data"]["req"], &fixture["Data"]["req"]);
        for key in ["Url", "Method", "Body", "Params", "Query"] {
            assert_eq!(ours[key], theirs[key], "{key}");
        }
        assert_eq!(ours["Headers"]["Content-Type"], theirs["Headers"]["Content-Type"]);
        let (mine, real) = (&ours["Identities"][0], &theirs["Identities"][0]);
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(mine), keys(real));
        assert_eq!(mine["Claims"][0], real["Claims"][0]);
        assert_eq!(
            env["Metadata"]["Headers"]["Content-Type"],
            fixture["Metadata"]["Headers"]["Content-Type"]
        );
        assert_eq!(env["Metadata"]["Params"], fixture["Metadata"]["Params"]);
    }

    #[test]
    fn binary_bodies_are_base64_and_empty_bodies_are_absent() {
        let env = http_invocation(
            "f",
            "req",
            &request(&[0, 159, 1], "application/octet-stream"),
            &BTreeMap::new(),
            None,
            Utc::now(),
        );
        assert_eq!(env["Data"]["req"]["Body"], "AJ8B");
        assert_eq!(env["Data"]["req"]["Identities"], json!([]));
        let env = http_invocation(
            "f",
            "req",
            &request(b"", "text/plain"),
            &BTreeMap::new(),
            None,
            Utc::now(),
        );
        assert!(env["Data"]["req"].get("Body").is_none());
    }
}
