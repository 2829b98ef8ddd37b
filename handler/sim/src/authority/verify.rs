//! Validation of bearer tokens the simulator itself issued (used by Graph, the Bot Connector and
//! Service Bus, and by `TenantSim::verify_token`).

use jsonwebtoken::{Algorithm, Validation};
use serde_json::Value;

use crate::authority::Authority;

/// Why a bearer token was refused, worded like Graph's `InvalidAuthenticationToken` messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `Authorization: Bearer` header.
    #[error("Access token is empty.")]
    Missing,
    /// Not a JWT, or a header we cannot read.
    #[error("IDX14100: JWT is not well formed.")]
    Malformed,
    /// Signed by a key that is not (or no longer) in the JWKS, or the signature is wrong.
    #[error("Access token validation failure. Signature validation failed.")]
    Signature,
    /// `exp` is in the past.
    #[error("Lifetime validation failed, the token is expired.")]
    Expired,
    /// `aud` is not the expected audience.
    #[error("Access token validation failure. Invalid audience.")]
    Audience,
    /// `iss` is not one of this tenant's issuers.
    #[error("Access token validation failure. Invalid issuer.")]
    Issuer,
    /// Any other validation failure.
    #[error("Access token validation failure. {0}")]
    Other(String),
}

/// Verifies `token` against the published keys, this tenant's issuers and one of `audiences`.
pub(crate) fn verify(authority: &Authority, token: &str, audiences: &[&str]) -> Result<Value, TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
    let kid = header.kid.ok_or(TokenError::Signature)?;
    let key = authority.keys().find(&kid).ok_or(TokenError::Signature)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(audiences);
    validation.set_issuer(&[&authority.issuer_v1, &authority.issuer_v2]);
    validation.leeway = 300;
    jsonwebtoken::decode::<Value>(token, key.decoding_key(), &validation)
        .map(|d| d.claims)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature | K::InvalidRsaKey(_) => TokenError::Signature,
                K::ExpiredSignature => TokenError::Expired,
                K::InvalidAudience => TokenError::Audience,
                K::InvalidIssuer => TokenError::Issuer,
                K::InvalidToken | K::Base64(_) | K::Json(_) | K::Utf8(_) => TokenError::Malformed,
                other => TokenError::Other(format!("{other:?}")),
            }
        })
}

/// The bearer token of an `Authorization` header value.
pub(crate) fn bearer(authorization: Option<&str>) -> Result<&str, TokenError> {
    let value = authorization.ok_or(TokenError::Missing)?;
    let (scheme, token) = value.split_once(' ').ok_or(TokenError::Missing)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(TokenError::Missing);
    }
    Ok(token.trim())
}
