//! Entra's OAuth error responses (`{error, error_description, error_codes, ...}`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::json;

use crate::authority::Authority;

/// An AADSTS error as the token endpoint returns it.
#[derive(Debug)]
pub(crate) struct EntraError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    description: String,
    error_uri: String,
}

impl EntraError {
    fn new(authority: &Authority, status: StatusCode, error: &'static str, code: u32, description: String) -> Self {
        let error_uri = format!("{}/error?code={code}", authority.base_url);
        Self {
            status,
            error,
            code,
            description,
            error_uri,
        }
    }

    pub(crate) fn invalid_secret(authority: &Authority, client_id: &str) -> Self {
        Self::new(
            authority,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            format!(
                "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is \
                 the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        )
    }

    pub(crate) fn missing_secret(authority: &Authority) -> Self {
        Self::new(
            authority,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or \
             'client_secret'."
                .to_owned(),
        )
    }

    pub(crate) fn unknown_client(authority: &Authority, client_id: &str) -> Self {
        Self::new(
            authority,
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "AADSTS700016: Application with identifier '{client_id}' was not found in the directory '{}'. \
                 This can happen if the application has not been installed by the administrator of the tenant \
                 or consented to by any user in the tenant.",
                authority.tenant_id
            ),
        )
    }

    pub(crate) fn tenant_not_found(authority: &Authority, tenant: &str) -> Self {
        Self::new(
            authority,
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            format!(
                "AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and \
                 are signing into the correct cloud."
            ),
        )
    }

    pub(crate) fn unsupported_grant(authority: &Authority, grant: &str) -> Self {
        Self::new(
            authority,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("AADSTS70003: The app requested an unsupported grant type '{grant}'."),
        )
    }

    pub(crate) fn invalid_scope(authority: &Authority, scope: &str) -> Self {
        Self::new(
            authority,
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            format!(
                "AADSTS1002012: The provided value for scope {scope} is not valid. Client credential flows must \
                 have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        )
    }

    pub(crate) fn missing_parameter(authority: &Authority, name: &str) -> Self {
        Self::new(
            authority,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            format!("AADSTS900144: The request body must contain the following parameter: '{name}'."),
        )
    }

    pub(crate) fn internal(authority: &Authority, message: &str) -> Self {
        Self::new(
            authority,
            StatusCode::INTERNAL_SERVER_ERROR,
            "temporarily_unavailable",
            90033,
            message.to_owned(),
        )
    }
}

impl IntoResponse for EntraError {
    fn into_response(self) -> Response {
        let now = Utc::now();
        let trace = uuid::Uuid::new_v4();
        let correlation = uuid::Uuid::new_v4();
        let stamp = now.format("%Y-%m-%d %H:%M:%SZ");
        tracing::debug!(error = self.error, code = self.code, "entra error response");
        let description = format!(
            "{}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {stamp}",
            self.description
        );
        let body = json!({
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": stamp.to_string(),
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": self.error_uri,
        });
        (self.status, Json(body)).into_response()
    }
}
