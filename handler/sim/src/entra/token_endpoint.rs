//! `POST /{tenant}/oauth2/v2.0/token` (and the v1 `/{tenant}/oauth2/token`): client credentials.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use bytes::Bytes;
use serde_json::json;

use super::area::EntraArea;
use super::errors::EntraError;
use super::tokens::{app_claims, Audience, Principal};

/// v2: the resource comes from `scope=<resource>/.default`.
pub(super) async fn token_v2(
    State(area): State<EntraArea>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let Some(scope) = form.get("scope") else {
        return EntraError::missing_parameter(&area.authority, "scope").into_response();
    };
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let resource = match scopes.as_slice() {
        [one] => match one.strip_suffix("/.default") {
            Some(resource) if !resource.is_empty() => resource.to_owned(),
            _ => return EntraError::invalid_scope(&area.authority, scope).into_response(),
        },
        _ => return EntraError::invalid_scope(&area.authority, scope).into_response(),
    };
    issue(&area, &tenant, &headers, &form, &resource, true)
}

/// v1: the resource comes from `resource=`.
pub(super) async fn token_v1(
    State(area): State<EntraArea>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let Some(resource) = form.get("resource").cloned() else {
        return EntraError::missing_parameter(&area.authority, "resource").into_response();
    };
    issue(&area, &tenant, &headers, &form, &resource, false)
}

fn issue(
    area: &EntraArea,
    tenant: &str,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
    resource: &str,
    v2_endpoint: bool,
) -> Response {
    if !area.authority.is_our_tenant(tenant) {
        return EntraError::tenant_not_found(&area.authority, tenant).into_response();
    }
    let grant = form.get("grant_type").map(String::as_str).unwrap_or_default();
    if grant != "client_credentials" {
        return EntraError::unsupported_grant(&area.authority, grant).into_response();
    }
    let (client_id, secret) = match client_credentials(headers, form) {
        Some(c) => c,
        None => return EntraError::missing_parameter(&area.authority, "client_id").into_response(),
    };
    let state = area.directory.state();
    let Some(app) = state.application(&client_id) else {
        return EntraError::unknown_client(&area.authority, &client_id).into_response();
    };
    let Some(secret) = secret else {
        return EntraError::missing_secret(&area.authority).into_response();
    };
    if !app.secrets.iter().any(|s| s == &secret) {
        tracing::info!(client_id = %client_id, "token request with a wrong client secret");
        return EntraError::invalid_secret(&area.authority, &client_id).into_response();
    }
    let Some(principal) = Principal::application(&state, &client_id) else {
        return EntraError::unknown_client(&area.authority, &client_id).into_response();
    };
    let audience = Audience::resolve(&state, resource);
    drop(state);
    let claims = app_claims(&area.authority, area.token_lifetime, &principal, &audience);
    let token = match area.authority.signing_key().sign(&claims) {
        Ok(t) => t,
        Err(e) => return EntraError::internal(&area.authority, &e.to_string()).into_response(),
    };
    let lifetime = area.token_lifetime.as_secs();
    tracing::debug!(client_id = %client_id, aud = %audience.aud, "issued client-credentials token");
    let mut body = json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": token,
    });
    if !v2_endpoint {
        let now = chrono::Utc::now().timestamp() as u64;
        body["expires_on"] = json!((now + lifetime).to_string());
        body["not_before"] = json!((now - 300).to_string());
        body["resource"] = json!(resource);
    }
    Json(body).into_response()
}

/// `client_secret_post` (form fields) or `client_secret_basic` (Authorization: Basic).
fn client_credentials(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<(String, Option<String>)> {
    if let Some(id) = form.get("client_id") {
        return Some((id.clone(), form.get("client_secret").cloned()));
    }
    let basic = headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(basic.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), Some(secret.to_owned())))
}

pub(crate) fn parse_form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}
