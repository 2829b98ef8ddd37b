//! The problem+json answers of the HTTP functions when they refuse a request.

use azfn_runtime::{HttpResponse, Problem};
use jitadmin_auth::AuthError;
use jitadmin_events::ParseError;

/// 401 (or 403/503) naming the check that failed; the message leaks no token or key
/// material (AuthError's messages are written to be returned).
pub fn auth_problem(error: &AuthError, scheme: &str) -> HttpResponse {
    let status = error.status();
    let problem = match status {
        503 => Problem::new("auth-unavailable", "Authentication is temporarily unavailable", 503),
        403 => Problem::new("forbidden", "The caller is not allowed", 403),
        _ => Problem::new("unauthenticated", "The caller is not authenticated", status),
    }
    .with_detail(error.to_string())
    .with("code", error.code());
    let response = HttpResponse::problem(&problem);
    match status {
        401 => response.with_header("WWW-Authenticate", scheme),
        503 => response.with_header("Retry-After", "5"),
        _ => response,
    }
}

/// 400 naming the field that is wrong (unknown stage, missing id, not JSON).
pub fn parse_problem(error: &ParseError) -> HttpResponse {
    let mut problem = Problem::new("invalid-callout", "The callout body is not valid", 400).with_detail(error.public());
    if let Some(path) = error.path() {
        problem = problem.with("field", path);
    }
    HttpResponse::problem(&problem)
}
