//! `POST /{version}/$batch` (<https://learn.microsoft.com/graph/json-batching>): up to 20 requests, each
//! dispatched through the sim's full stack (recorded, faults, throttle, auth, routes) with the
//! batch's `Authorization`, answered as `{"responses":[{id,status,headers,body}]}` in request
//! order. The envelope is 200 whenever the batch parses; a throttled item is a 429 item with its
//! own `Retry-After` (and `x-sim-retry-after-ms`).
//!
//! Refused with 400 `BadRequest` (messages are the sim's; Graph's exact wording is unknown):
//! no `requests` array, more than 20 requests, an item without `id`/`method`/`url`, duplicate
//! ids (compared case-insensitively), an item `body` without a `Content-Type` header, a
//! `dependsOn` naming an unknown or later id. Items run one after another in the listed order;
//! an item whose dependency did not succeed (2xx) gets 424 without running. A `DropConnection`
//! fault on an item drops the batch's connection.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::Router;
use axum::{Extension, Json};
use http::StatusCode;
use serde_json::{json, Map, Value};
use tower::ServiceExt;

use crate::connection::ConnectionKill;
use crate::odata::errors::GraphError;
use crate::odata::ApiVersion;

/// The simulator's whole stack (middleware and every route) that each item of a batch goes
/// through, as the router builds it; extracted from the router's state when a batch arrives.
#[derive(Clone)]
pub(crate) struct BatchStack(pub Router);

/// Graph's limit of requests per batch.
pub const MAX_BATCH: usize = 20;

struct Item {
    id: String,
    method: String,
    url: String,
    headers: Map<String, Value>,
    body: Option<Value>,
    depends_on: Vec<String>,
}

fn parse(body: &Value) -> Result<Vec<Item>, GraphError> {
    let requests = body
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| GraphError::bad_request("The batch body must have a 'requests' array."))?;
    if requests.len() > MAX_BATCH {
        return Err(GraphError::bad_request(format!(
            "The number of batch requests ({}) exceeds the limit of {MAX_BATCH}.",
            requests.len()
        )));
    }
    let mut items: Vec<Item> = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let field = |name: &str| {
            r.get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| GraphError::bad_request(format!("Request {i} of the batch has no '{name}'.")))
        };
        let item = Item {
            id: field("id")?,
            method: field("method")?.to_ascii_uppercase(),
            url: field("url")?,
            headers: r.get("headers").and_then(Value::as_object).cloned().unwrap_or_default(),
            body: r.get("body").cloned(),
            depends_on: r
                .get("dependsOn")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
        };
        if item.url.trim_start_matches('/').starts_with("$batch") {
            return Err(GraphError::bad_request("A batch cannot contain a batch."));
        }
        if items.iter().any(|x| x.id.eq_ignore_ascii_case(&item.id)) {
            return Err(GraphError::bad_request(format!(
                "Batch request id '{}' is used twice.",
                item.id
            )));
        }
        for dep in &item.depends_on {
            if !items.iter().any(|x| x.id.eq_ignore_ascii_case(dep)) {
                return Err(GraphError::bad_request(format!(
                    "Request '{}' depends on '{dep}', which is not an earlier request of the batch.",
                    item.id
                )));
            }
        }
        if item.body.is_some() && !item.headers.keys().any(|k| k.eq_ignore_ascii_case("content-type")) {
            return Err(GraphError::bad_request(format!(
                "Request '{}' has a body but no Content-Type header.",
                item.id
            )));
        }
        items.push(item);
    }
    Ok(items)
}

/// `POST /{version}/$batch`.
pub(super) async fn batch(
    State(BatchStack(app)): State<BatchStack>,
    Extension(version): Extension<ApiVersion>,
    req: Request,
) -> Result<Response, GraphError> {
    let authorization = req.headers().get(http::header::AUTHORIZATION).cloned();
    let kill = req.extensions().get::<ConnectionKill>().cloned();
    let bytes = axum::body::to_bytes(req.into_body(), 4 * 1024 * 1024)
        .await
        .map_err(|_| GraphError::bad_request("Invalid batch body."))?;
    let body: Value = serde_json::from_slice(&bytes).map_err(|_| GraphError::bad_request("Invalid batch body."))?;
    let items = parse(&body)?;
    let mut responses: Vec<Value> = Vec::new();
    for item in items {
        let failed_dependency = item.depends_on.iter().any(|dep| {
            responses.iter().any(|r| {
                r["id"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(dep))
                    && !r["status"].as_u64().is_some_and(|s| (200..300).contains(&s))
            })
        });
        if failed_dependency {
            responses.push(json!({ "id": item.id, "status": 424, "headers": {}, "body": {
                "error": { "code": "FailedDependency", "message": "A request this one depends on failed." } } }));
            continue;
        }
        let url = if item.url.starts_with('/') {
            item.url.clone()
        } else {
            format!("/{}", item.url)
        };
        let mut builder = http::Request::builder()
            .method(item.method.as_str())
            .uri(format!("/{}{url}", version.0));
        if let Some(a) = &authorization {
            builder = builder.header(http::header::AUTHORIZATION, a.clone());
        }
        for (k, v) in &item.headers {
            if let Some(v) = v.as_str() {
                builder = builder.header(k.as_str(), v);
            }
        }
        let body = match &item.body {
            None => Body::empty(),
            Some(Value::String(s)) => Body::from(s.clone()),
            Some(v) => Body::from(v.to_string()),
        };
        let mut inner = match builder.body(body) {
            Ok(r) => r,
            Err(e) => {
                return Err(GraphError::bad_request(format!(
                    "Request '{}' of the batch is invalid: {e}",
                    item.id
                )))
            }
        };
        if let Some(k) = &kill {
            inner.extensions_mut().insert(k.clone());
        }
        let response = match app.clone().oneshot(inner).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        responses.push(item_response(&item.id, response).await);
    }
    Ok((StatusCode::OK, Json(json!({ "responses": responses }))).into_response())
}

async fn item_response(id: &str, response: Response) -> Value {
    let (parts, body) = response.into_parts();
    let mut headers = Map::new();
    for (name, value) in &parts.headers {
        if name == http::header::CONTENT_LENGTH {
            continue;
        }
        if let Ok(v) = value.to_str() {
            let key = match name.as_str() {
                "retry-after" => "Retry-After".to_owned(),
                "content-type" => "Content-Type".to_owned(),
                other => other.to_owned(),
            };
            headers.insert(key, json!(v));
        }
    }
    let bytes = axum::body::to_bytes(body, 4 * 1024 * 1024).await.unwrap_or_default();
    let mut out = json!({ "id": id, "status": parts.status.as_u16(), "headers": headers });
    if !bytes.is_empty() {
        out["body"] = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)));
    }
    out
}
