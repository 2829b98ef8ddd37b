//! The HTTP front door: `/{routePrefix}/{route}` for each HTTP trigger, with function
//! keys, and the admin API under [`ADMIN_PREFIX`]:
//!
//! | route | does |
//! |---|---|
//! | `GET  /admin/azfn-local/queues` | queues with active, locked and dead-lettered counts |
//! | `GET  /admin/azfn-local/queues/{queue}/messages?max=N` | peek (default 100) |
//! | `POST /admin/azfn-local/queues/{queue}/messages` | send `{"body": …, "messageId"?, "sessionId"?, "correlationId"?, "contentType"?, "subject"?, "applicationProperties"?}` |
//! | `GET  /admin/azfn-local/queues/{queue}/deadletters` | the dead-letter queue |
//! | `POST /admin/azfn-local/queues/{queue}/deadletters/resubmit` | move back all, or `{"sequenceNumbers": [..]}` |
//! | `GET  /admin/azfn-local/functions` | the functions and their triggers |
//!
//! The master key goes in `x-functions-key` or `?code=`.

mod admin;
mod route;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

pub use admin::ADMIN_PREFIX;
pub use route::RouteTemplate;

use crate::activity::Kind;
use crate::app::{AuthLevel, FunctionDef, Trigger};
use crate::envelope::{http_invocation, IncomingRequest};
use crate::invoke::Shared;

/// Largest request body the front door accepts (the host's limit is 100 MB).
pub const BODY_LIMIT: usize = 100 * 1024 * 1024;

struct HttpRoute {
    template: RouteTemplate,
    function: FunctionDef,
    binding: String,
    auth_level: AuthLevel,
    methods: Option<Vec<String>>,
}

pub(crate) struct FrontDoor {
    shared: Arc<Shared>,
    routes: Vec<HttpRoute>,
}

/// The router: admin API, then the function routes.
pub(crate) fn router(shared: Arc<Shared>) -> Result<Router, String> {
    let mut routes = Vec::new();
    for function in &shared.app.functions {
        if let Trigger::Http {
            name,
            auth_level,
            methods,
            route,
        } = &function.trigger
        {
            let template =
                RouteTemplate::parse(route).map_err(|e| format!("function '{}': route: {e}", function.name))?;
            routes.push(HttpRoute {
                template,
                function: function.clone(),
                binding: name.clone(),
                auth_level: *auth_level,
                methods: methods.clone(),
            });
        }
    }
    routes.sort_by_key(|r| std::cmp::Reverse(r.template.specificity()));
    let state = Arc::new(FrontDoor { shared, routes });
    Ok(Router::new()
        .nest(ADMIN_PREFIX, admin::router())
        .fallback(front_door)
        .with_state(state))
}

/// The key a request presents: `x-functions-key`, else the `code` query parameter.
pub(crate) fn presented_key(request: &IncomingRequest) -> Option<&str> {
    request
        .header("x-functions-key")
        .or_else(|| request.query_value("code"))
}

fn decode_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

async fn front_door(State(door): State<Arc<FrontDoor>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let prefix = &door.shared.app.host.route_prefix;
    let rest = if prefix.is_empty() {
        Some(path.as_str())
    } else {
        let head = format!("/{prefix}");
        path.get(..head.len())
            .filter(|h| h.eq_ignore_ascii_case(&head))
            .map(|_| &path[head.len()..])
            .filter(|r| r.is_empty() || r.starts_with('/'))
    };
    let Some(rest) = rest else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let segments: Vec<String> = rest.split('/').filter(|s| !s.is_empty()).map(decode_segment).collect();
    let method = parts.method.as_str().to_ascii_uppercase();
    let found = door.routes.iter().find_map(|r| {
        let allowed = r.methods.as_ref().is_none_or(|m| m.contains(&method));
        if allowed {
            r.template.matches(&segments).map(|params| (r, params))
        } else {
            None
        }
    });
    let Some((route, params)) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let incoming = IncomingRequest {
        method,
        url: format!("http://{host}{path_and_query}"),
        query: parts
            .uri
            .query()
            .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let identity = match &door.shared.keys {
        None => None,
        Some(keys) => match keys.authorize(&route.function.name, route.auth_level, presented_key(&incoming)) {
            Ok(identity) => identity,
            Err(_) => {
                tracing::info!(function = %route.function.name, path = %path, "request refused: missing or wrong function key");
                return StatusCode::UNAUTHORIZED.into_response();
            }
        },
    };
    if door.shared.app.host.forward_http_requests && route.function.qualifies_for_forwarding() {
        return forward(&door, &incoming, &path_and_query).await;
    }
    let envelope = http_invocation(
        &route.function.name,
        &route.binding,
        &incoming,
        &params,
        identity.as_ref(),
        chrono::Utc::now(),
    );
    match door.shared.invoke(&route.function, envelope).await {
        Ok(Some(output)) => {
            let mut response = Response::new(Body::from(output.body));
            *response.status_mut() = StatusCode::from_u16(output.status).unwrap_or(StatusCode::OK);
            for (name, value) in output.headers {
                if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
                    response.headers_mut().append(name, value);
                }
            }
            response
        }
        Ok(None) => StatusCode::OK.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `enableForwardingHttpRequest` (<https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers>): the handler's response is passed through,
/// non-2xx included.
async fn forward(door: &FrontDoor, incoming: &IncomingRequest, path_and_query: &str) -> Response {
    let _busy = door.shared.activity.begin(Kind::Invocation);
    let invocation_id = uuid::Uuid::new_v4().to_string();
    let client = &door.shared.client;
    let timeout = door.shared.function_timeout;
    let result = client
        .forward(
            &invocation_id,
            &incoming.method,
            path_and_query,
            &incoming.headers,
            incoming.body.clone(),
            timeout,
        )
        .await;
    match result {
        Ok(upstream) => {
            let status = StatusCode::from_u16(upstream.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let headers: BTreeMap<String, Vec<String>> =
                upstream.headers().iter().fold(BTreeMap::new(), |mut acc, (k, v)| {
                    acc.entry(k.as_str().to_owned())
                        .or_default()
                        .push(String::from_utf8_lossy(v.as_bytes()).into_owned());
                    acc
                });
            let body = upstream.bytes().await.unwrap_or_default();
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = status;
            for (name, values) in headers {
                if matches!(name.as_str(), "content-length" | "transfer-encoding" | "connection") {
                    continue;
                }
                for value in values {
                    if let (Ok(n), Ok(v)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value)) {
                        response.headers_mut().append(n, v);
                    }
                }
            }
            response
        }
        Err(error) => {
            tracing::warn!(%invocation_id, %error, "forwarded request failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
