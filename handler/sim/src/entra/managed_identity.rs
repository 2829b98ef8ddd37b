//! The App Service managed-identity endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`).
//!
//! Request (as `azure_identity` 1.0 sends it): `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01
//! &resource=<resource>[&client_id=|object_id=|msi_res_id=]` with headers `X-IDENTITY-HEADER:
//! <IDENTITY_HEADER>` and `metadata: true`. Response: `{access_token, expires_on, resource,
//! token_type, client_id}` with `expires_on` as a string of Unix seconds.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::area::EntraArea;
use super::tokens::{app_claims, Audience, Principal};
use crate::scenario::ManagedIdentityKind;

/// `GET /msi/token`
pub(super) async fn token(State(area): State<EntraArea>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let query: HashMap<String, String> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let secret = headers.get("x-identity-header").and_then(|v| v.to_str().ok());
    if secret != Some(area.authority.identity_header.as_str()) {
        return fail(
            StatusCode::UNAUTHORIZED,
            "The X-IDENTITY-HEADER header is missing or does not match.",
        );
    }
    match query.get("api-version").map(String::as_str) {
        Some("2019-08-01") => {}
        other => {
            let msg = format!(
                "api-version '{}' is not supported; use 2019-08-01",
                other.unwrap_or_default()
            );
            return fail(StatusCode::BAD_REQUEST, &msg);
        }
    }
    let Some(resource) = query.get("resource").filter(|r| !r.is_empty()) else {
        return fail(StatusCode::BAD_REQUEST, "The 'resource' query parameter is required.");
    };
    let state = area.directory.state();
    let identity = state
        .managed_identities
        .iter()
        .find(|m| match (query.get("client_id"), query.get("object_id")) {
            (Some(c), _) => m.client_id.eq_ignore_ascii_case(c),
            (None, Some(o)) => m.object_id.eq_ignore_ascii_case(o),
            (None, None) => m.kind == ManagedIdentityKind::SystemAssigned,
        });
    let Some(identity) = identity else {
        // azure_identity maps 400 to "The requested identity has not been assigned to this resource".
        return fail(StatusCode::BAD_REQUEST, "No managed identity matches the request.");
    };
    let principal = Principal {
        client_id: identity.client_id.clone(),
        object_id: identity.object_id.clone(),
        display_name: identity
            .display_name
            .clone()
            .unwrap_or_else(|| "managed identity".to_owned()),
        app_roles: identity.app_roles.clone(),
    };
    let audience = Audience::resolve(&state, resource);
    drop(state);
    let claims = app_claims(&area.authority, area.token_lifetime, &principal, &audience);
    let token = match area.authority.signing_key().sign(&claims) {
        Ok(t) => t,
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let expires_on = chrono::Utc::now().timestamp() as u64 + area.token_lifetime.as_secs();
    tracing::debug!(client_id = %principal.client_id, aud = %audience.aud, "issued managed-identity token");
    Json(json!({
        "access_token": token,
        "expires_on": expires_on.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": principal.client_id,
    }))
    .into_response()
}

fn fail(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "statusCode": status.as_u16(), "message": message })),
    )
        .into_response()
}
