//! OpenID Connect discovery documents and the JWKS.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::area::EntraArea;
use super::errors::EntraError;

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`
pub(super) async fn openid_v2(State(area): State<EntraArea>, Path(tenant): Path<String>) -> Response {
    if !area.authority.is_our_tenant(&tenant) {
        return EntraError::tenant_not_found(&area.authority, &tenant).into_response();
    }
    let base = &area.authority.base_url;
    let tid = &area.authority.tenant_id;
    Json(json!({
        "token_endpoint": format!("{base}/{tid}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{tid}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": area.authority.issuer_v2,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{tid}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{tid}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{tid}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "ver", "roles", "azp", "appid"],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    }))
    .into_response()
}

/// `GET /{tenant}/.well-known/openid-configuration` (v1 endpoints, `sts.windows.net`-style issuer).
pub(super) async fn openid_v1(State(area): State<EntraArea>, Path(tenant): Path<String>) -> Response {
    if !area.authority.is_our_tenant(&tenant) {
        return EntraError::tenant_not_found(&area.authority, &tenant).into_response();
    }
    let base = &area.authority.base_url;
    let tid = &area.authority.tenant_id;
    Json(json!({
        "token_endpoint": format!("{base}/{tid}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{tid}/discovery/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": area.authority.issuer_v1,
        "authorization_endpoint": format!("{base}/{tid}/oauth2/authorize"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "ver", "roles", "appid"],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    }))
    .into_response()
}

/// `GET /{tenant}/discovery/v2.0/keys` and `/{tenant}/discovery/keys`: every published key.
pub(super) async fn jwks(State(area): State<EntraArea>, Path(tenant): Path<String>) -> Response {
    if !area.authority.is_our_tenant(&tenant) {
        return EntraError::tenant_not_found(&area.authority, &tenant).into_response();
    }
    let keys: Vec<_> = area
        .authority
        .keys()
        .published()
        .iter()
        .map(|k| k.jwk(&area.authority.issuer_v2))
        .collect();
    Json(json!({ "keys": keys })).into_response()
}
