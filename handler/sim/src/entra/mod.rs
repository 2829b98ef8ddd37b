//! The simulated Entra ID: OpenID metadata, JWKS and the token endpoints; the claims of the
//! tokens it issues (`tokens`). The authority and its keys are a leaf (`crate::authority`).

pub(crate) mod area;
mod errors;
mod managed_identity;
mod metadata;
mod token_endpoint;
pub(crate) mod tokens;

use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;

use area::EntraArea;

/// The Entra routes: `/{tenant}/...` plus the App Service identity endpoint `/msi/token`.
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    EntraArea: FromRef<S>,
{
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(metadata::openid_v2),
        )
        .route("/{tenant}/.well-known/openid-configuration", get(metadata::openid_v1))
        .route("/{tenant}/discovery/v2.0/keys", get(metadata::jwks))
        .route("/{tenant}/discovery/keys", get(metadata::jwks))
        .route("/{tenant}/oauth2/v2.0/token", post(token_endpoint::token_v2))
        .route("/{tenant}/oauth2/token", post(token_endpoint::token_v1))
        .route("/msi/token", get(managed_identity::token))
}
