//! [`AuthError`]: what failed, with an HTTP status and a message safe to return.

/// Why a request was not authenticated.
///
/// Messages name the check that failed and never contain the token, key material or the
/// claim values received; they are safe to put in a problem body. Status codes: 401 for
/// an unauthenticated request, 403 for a token that is valid but not allowed here
/// (missing channel endorsement), 503 when keys or the replay store are unavailable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header.
    #[error("the Authorization header is missing")]
    MissingHeader,
    /// The header's scheme is not the one expected.
    #[error("the Authorization header must use the {expected} scheme")]
    WrongScheme {
        /// `Bearer` or `PoP`.
        expected: &'static str,
    },
    /// The token is not a well-formed JWS/JWT, or a required part of it is missing.
    #[error("the token is malformed: {what}")]
    Malformed {
        /// Which part.
        what: &'static str,
    },
    /// The token's `alg` is not one we accept (only RS256 is).
    #[error("the token's signing algorithm {alg} is not accepted")]
    UnsupportedAlg {
        /// The algorithm named in the header (sanitised).
        alg: String,
    },
    /// No signing key with the token's `kid`, even after a refresh.
    #[error("the token was signed with an unknown key")]
    UnknownKey,
    /// The signature does not verify.
    #[error("the token's signature is invalid")]
    BadSignature,
    /// `exp` is past (beyond the allowed skew).
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the allowed skew).
    #[error("the token is not yet valid")]
    NotYetValid,
    /// `iss` is not an accepted issuer.
    #[error("the token's issuer is not accepted")]
    WrongIssuer,
    /// `aud` is not an accepted audience.
    #[error("the token's audience is not accepted")]
    WrongAudience,
    /// `tid` is not our tenant.
    #[error("the token is for another tenant")]
    WrongTenant,
    /// The caller (object id or app id) is not in the allow-list.
    #[error("the caller is not allowed")]
    CallerNotAllowed,
    /// A PoP binding claim (`m`, `u`, `p`) does not match this request.
    #[error("the PoP token is bound to a different request ({field})")]
    PopMismatch {
        /// `m`, `u` or `p`.
        field: &'static str,
    },
    /// The PoP `ts` is missing or too far from now.
    #[error("the PoP token's timestamp is stale")]
    PopStale,
    /// The PoP nonce (or the whole signed request) was seen before.
    #[error("the PoP token was already used")]
    PopReplay,
    /// The outer signed request was not signed with the key the inner token binds.
    #[error("the PoP request is not signed with the key bound by its access token")]
    PopKeyNotBound,
    /// The Bot Framework signing key is not endorsed for the activity's channel.
    #[error("the signing key is not endorsed for this channel")]
    MissingEndorsement,
    /// The Bot Framework token's `serviceUrl` differs from the activity's.
    #[error("the token's serviceUrl does not match the activity")]
    ServiceUrlMismatch,
    /// The signing keys could not be fetched and none usable is cached.
    #[error("signing keys are unavailable")]
    KeysUnavailable,
    /// The replay cache could not be consulted.
    #[error("the replay cache is unavailable")]
    ReplayCacheUnavailable,
}

impl AuthError {
    /// The HTTP status to answer with: 401, 403 or 503.
    pub fn status(&self) -> u16 {
        match self {
            AuthError::MissingEndorsement => 403,
            AuthError::KeysUnavailable | AuthError::ReplayCacheUnavailable => 503,
            _ => 401,
        }
    }

    /// A short stable code for logs and problem bodies (`bad_signature`).
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::MissingHeader => "missing_header",
            AuthError::WrongScheme { .. } => "wrong_scheme",
            AuthError::Malformed { .. } => "malformed",
            AuthError::UnsupportedAlg { .. } => "unsupported_alg",
            AuthError::UnknownKey => "unknown_key",
            AuthError::BadSignature => "bad_signature",
            AuthError::Expired => "expired",
            AuthError::NotYetValid => "not_yet_valid",
            AuthError::WrongIssuer => "wrong_issuer",
            AuthError::WrongAudience => "wrong_audience",
            AuthError::WrongTenant => "wrong_tenant",
            AuthError::CallerNotAllowed => "caller_not_allowed",
            AuthError::PopMismatch { .. } => "pop_mismatch",
            AuthError::PopStale => "pop_stale",
            AuthError::PopReplay => "pop_replay",
            AuthError::PopKeyNotBound => "pop_key_not_bound",
            AuthError::MissingEndorsement => "missing_endorsement",
            AuthError::ServiceUrlMismatch => "service_url_mismatch",
            AuthError::KeysUnavailable => "keys_unavailable",
            AuthError::ReplayCacheUnavailable => "replay_cache_unavailable",
        }
    }

    /// Build [`AuthError::UnsupportedAlg`] from an attacker-controlled header value:
    /// only short alphanumeric names are echoed.
    pub(crate) fn unsupported_alg(alg: &str) -> Self {
        let safe = alg.len() <= 16 && alg.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        AuthError::UnsupportedAlg {
            alg: if safe { alg.to_string() } else { "(unrecognised)".into() },
        }
    }
}
