//! Middleware on the Graph routes (inside the bearer check): the request is checked against
//! Graph's metadata and the table of expected calls before a route sees it, and the answer
//! before the client does (see [`crate::conformance`]).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use graph_conformance::{check_batch_response, check_with, Direction, FindingKind, Options, Report};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::StatusCode;
use serde_json::Value;

use crate::conformance::{Conformance, ConformanceMode};
use crate::graph::auth::Caller;
use crate::odata::errors::GraphError;
use crate::odata::ApiVersion;

/// Largest body checked (the record middleware refuses larger requests before this).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// The code of the sim's refusals for what does not conform.
pub const CONFORMANCE_VIOLATION: &str = "ConformanceViolation";

pub(crate) async fn check(State(conformance): State<Arc<Conformance>>, req: Request, next: Next) -> Response {
    if conformance.mode() == ConformanceMode::Off {
        return next.run(req).await;
    }
    let strict = conformance.mode() == ConformanceMode::Strict;
    // Inside the version's router the path has lost its `/v1.0` or `/beta`: put it back.
    let version = req.extensions().get::<ApiVersion>().map_or("v1.0", |v| v.0);
    let uri = req.uri();
    let path = format!("/{version}{}", uri.path());
    let target = format!("/{version}{}", uri.path_and_query().map_or(uri.path(), |p| p.as_str()));
    let method = req.method().as_str().to_string();
    let mut options = Options::from_headers(
        req.headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))),
    );
    // The sim's users and groups have no directory extensions: their names are checked too.
    options.strict_open_types = true;
    let principal = req
        .extensions()
        .get::<Caller>()
        .and_then(|c| c.0.get("appid").or_else(|| c.0.get("azp")))
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(why) = conformance.unlisted(&method, &path, principal.as_deref()) {
        conformance.record(why.clone());
        if strict {
            return refusal(StatusCode::FORBIDDEN, why);
        }
    }

    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return GraphError::bad_request("The request body is too large for the simulator.").into_response();
    };
    let request_json: Option<Value> = if bytes.is_empty() {
        None
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    let report = check_with(&method, &target, request_json.as_ref(), Direction::Request, &options);
    if !report.is_clean() {
        let why = format!("{method} {target}: the request does not conform to Graph's metadata: {report}");
        conformance.record(why.clone());
        if strict {
            return refusal(StatusCode::BAD_REQUEST, why);
        }
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;

    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY * 4).await else {
        return GraphError::internal().into_response();
    };
    let is_json = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json"));
    let Some(mut answer) = is_json.then(|| serde_json::from_slice::<Value>(&bytes).ok()).flatten() else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let report = answer_report(&method, &target, request_json.as_ref(), &answer, parts.status, &options);
    // Graph keeps the later members of evolvable enums from clients that did not ask for them.
    let mut rewritten = false;
    for finding in report.of_kind(FindingKind::UnrequestedEnumMember) {
        if let Some(value) = answer.pointer_mut(&finding.pointer) {
            *value = Value::String("unknownFutureValue".into());
            rewritten = true;
        }
    }
    let faults: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.kind != FindingKind::UnrequestedEnumMember)
        .map(|f| f.message.clone())
        .collect();
    if !faults.is_empty() {
        let why = format!(
            "{method} {target}: tenant-sim's answer ({}) does not conform to Graph's metadata: {}",
            parts.status.as_u16(),
            faults.join("; ")
        );
        conformance.record(why.clone());
        if strict {
            return refusal(StatusCode::INTERNAL_SERVER_ERROR, why);
        }
    }
    if !rewritten {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let body = answer.to_string();
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

fn answer_report(
    method: &str,
    target: &str,
    request: Option<&Value>,
    answer: &Value,
    status: StatusCode,
    options: &Options,
) -> Report {
    let path = target.split('?').next().unwrap_or(target);
    match (path.strip_suffix("/$batch"), request) {
        (Some(version), Some(request)) if method == "POST" => {
            check_batch_response(version.trim_start_matches('/'), request, answer, options)
        }
        _ => check_with(
            method,
            target,
            Some(answer),
            Direction::Response {
                status: status.as_u16(),
            },
            options,
        ),
    }
}

fn refusal(status: StatusCode, message: String) -> Response {
    GraphError::new(status, CONFORMANCE_VIOLATION, message).into_response()
}
