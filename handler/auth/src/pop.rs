//! Entitlement management's proof-of-possession (PoP) tokens, for a direct endpoint: what
//! a custom extension whose token security is "Proof of Possession" sends
//! (<https://learn.microsoft.com/graph/api/resources/azureadpoptokenauthentication>).
//!
//! `Authorization: PoP <shr>`, where the SHR (signed HTTP request) is a JWS whose
//! payload carries `at` (an Entra access token), `ts`, `m`, `u`, `p`, `nonce` and possibly
//! `cnf`. The access token binds a key in its `cnf` claim; the SHR must be signed with
//! that key.
//!
//! Microsoft does not document the token's claims for a direct endpoint, so these are
//! assumptions (each is configurable in [`PopConfig`]):
//! - the inner token's audience is Azure Resource Manager (`https://management.azure.com`),
//!   by analogy with Lifecycle Workflows: [`PopConfig::access_token`]`.audiences`;
//! - the caller is EM's first-party app [`EM_APP_ID`] in `appid`/`azp`;
//! - `u`/`p` name this request's host and path for a direct endpoint; for a Logic App
//!   they name the ARM workflow resource, so they can be fixed: [`PopBinding`];
//! - the binding is `cnf.jwk` (the key inline) or `cnf.kid` (its RFC 7638 thumbprint,
//!   as MSAL does, the key then travelling in the SHR header `jwk` or payload `cnf.jwk`);
//! - a `nonce` may be absent ([`PopConfig::require_nonce`], default false): the SHR's
//!   signature is then the replay key;
//! - the query hash `q` is not checked.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use serde::Deserialize;

use crate::bearer::{BearerConfig, BearerValidator, CallerClaim, Confirmation, EntraAuthority, EntraClaims};
use crate::clock::Clock;
use crate::header::credentials;
use crate::jwk::PublicJwk;
use crate::jwt::Jws;
use crate::keys::KeySource;
use crate::replay::ReplayCache;
use crate::AuthError;

/// "Azure AD Identity Governance - Entitlement Management", the app id EM calls with.
pub const EM_APP_ID: &str = "810dcf14-1858-4bf2-8134-4c369fa3235b";

/// What `u` and `p` must equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PopBinding {
    /// This request's host and path (a direct endpoint).
    ThisRequest,
    /// Fixed values, e.g. `management.azure.com` and the Logic App's ARM path.
    Fixed {
        /// Expected `u`.
        host: String,
        /// Expected `p`.
        path: String,
    },
}

/// What a PoP request must satisfy.
#[derive(Debug, Clone)]
pub struct PopConfig {
    /// Checks for the inner access token (issuer, audience, tenant, caller).
    pub access_token: BearerConfig,
    /// What `u`/`p` are compared with.
    pub binding: PopBinding,
    /// How far `ts` may be from now, either way (default 5 minutes).
    pub max_ts_skew: Duration,
    /// Refuse SHRs without a `nonce` (default false: nothing documents that EM sends one).
    pub require_nonce: bool,
}

impl PopConfig {
    /// Entitlement management in `tenant_id`: ARM audience, caller [`EM_APP_ID`] by app id,
    /// bound to this request, five minutes for `ts`.
    pub fn entitlement_management(tenant_id: &str, authority: EntraAuthority) -> Self {
        let mut access_token = BearerConfig::new(
            tenant_id,
            &["https://management.azure.com", "https://management.azure.com/"],
            &[EM_APP_ID],
        );
        access_token.authority = authority;
        access_token.caller_claim = CallerClaim::AppId;
        PopConfig {
            access_token,
            binding: PopBinding::ThisRequest,
            max_ts_skew: Duration::from_secs(300),
            require_nonce: false,
        }
    }
}

/// The request the PoP token must be bound to.
#[derive(Debug, Clone, Copy)]
pub struct PopRequest<'a> {
    /// HTTP method (`POST`).
    pub method: &'a str,
    /// Host, with port if not the default (`jitadmin.azurewebsites.net`).
    pub host: &'a str,
    /// Path without query (`/api/callout`).
    pub path: &'a str,
}

/// A validated PoP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopClaims {
    /// The inner access token's claims.
    pub access_token: EntraClaims,
    /// `ts` (Unix seconds).
    pub ts: i64,
    /// `nonce`, if sent.
    pub nonce: Option<String>,
}

#[derive(Deserialize)]
struct ShrPayload {
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    ts: Option<i64>,
    #[serde(default)]
    m: Option<String>,
    #[serde(default)]
    u: Option<String>,
    #[serde(default)]
    p: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    cnf: Option<Confirmation>,
}

/// Validates PoP requests.
#[derive(Debug, Clone)]
pub struct PopValidator {
    config: PopConfig,
    access_tokens: BearerValidator,
    replay: Arc<dyn ReplayCache>,
    clock: Arc<dyn Clock>,
}

impl PopValidator {
    /// A validator using `keys` for the inner token and `replay` for nonces.
    pub fn new(config: PopConfig, keys: Arc<KeySource>, replay: Arc<dyn ReplayCache>, clock: Arc<dyn Clock>) -> Self {
        let access_tokens = BearerValidator::new(config.access_token.clone(), keys, clock.clone());
        PopValidator {
            config,
            access_tokens,
            replay,
            clock,
        }
    }

    /// Validate an `Authorization` header value (`PoP <shr>`) for `request`.
    ///
    /// Order: inner token (as a bearer token), outer signature with the bound key,
    /// `m`/`u`/`p`, `ts`, and last the replay check, so that a refused request does not
    /// use up its nonce.
    pub async fn validate(
        &self,
        authorization: Option<&str>,
        request: &PopRequest<'_>,
    ) -> Result<PopClaims, AuthError> {
        let shr = credentials(authorization, "PoP")?;
        let outer = Jws::parse(shr)?;
        outer.require_rs256()?;
        // The payload is read before its signature is checked only to find the inner
        // token and the presented key; nothing in it is trusted until the check below.
        let payload: ShrPayload = outer.claims()?;
        let at = payload
            .at
            .as_deref()
            .ok_or(AuthError::Malformed { what: "at missing" })?;
        let access_token = self.access_tokens.validate_token(at).await?;

        let presented = outer
            .header
            .jwk
            .as_ref()
            .or(payload.cnf.as_ref().and_then(|c| c.jwk.as_ref()));
        let bound = bound_key(access_token.cnf.as_ref(), presented)?;
        let key = bound.decoding_key().ok_or(AuthError::PopKeyNotBound)?;
        if !outer.verify(&key) {
            return Err(AuthError::PopKeyNotBound);
        }

        let (want_host, want_path) = match &self.config.binding {
            PopBinding::ThisRequest => (request.host, request.path),
            PopBinding::Fixed { host, path } => (host.as_str(), path.as_str()),
        };
        if !payload
            .m
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case(request.method))
        {
            return Err(AuthError::PopMismatch { field: "m" });
        }
        if !payload.u.as_deref().is_some_and(|u| same_host(u, want_host)) {
            return Err(AuthError::PopMismatch { field: "u" });
        }
        if payload.p.as_deref() != Some(want_path) {
            return Err(AuthError::PopMismatch { field: "p" });
        }

        let ts = payload.ts.ok_or(AuthError::PopStale)?;
        let now = self.clock.unix_seconds();
        let skew = self.config.max_ts_skew.as_secs() as i64;
        if (now - ts).abs() > skew {
            return Err(AuthError::PopStale);
        }

        let replay_key = match (&payload.nonce, self.config.require_nonce) {
            (Some(n), _) => format!("nonce:{n}"),
            (None, true) => return Err(AuthError::Malformed { what: "nonce missing" }),
            (None, false) => format!("sig:{}", outer.signature()),
        };
        let expires_at = UNIX_EPOCH + Duration::from_secs(ts.saturating_add(skew).max(0) as u64);
        match self.replay.insert_if_absent(&replay_key, expires_at).await {
            Ok(true) => {}
            Ok(false) => return Err(AuthError::PopReplay),
            Err(e) => {
                tracing::error!(error = %e, "replay cache unavailable");
                return Err(AuthError::ReplayCacheUnavailable);
            }
        }
        Ok(PopClaims {
            access_token,
            ts,
            nonce: payload.nonce,
        })
    }
}

/// The key the inner token binds, checked against the key the SHR presents (if any).
fn bound_key<'a>(cnf: Option<&'a Confirmation>, presented: Option<&'a PublicJwk>) -> Result<&'a PublicJwk, AuthError> {
    let cnf = cnf.ok_or(AuthError::PopKeyNotBound)?;
    if let Some(jwk) = &cnf.jwk {
        if let Some(p) = presented {
            if p.thumbprint().is_none() || p.thumbprint() != jwk.thumbprint() {
                return Err(AuthError::PopKeyNotBound);
            }
        }
        return Ok(jwk);
    }
    let thumbprint = cnf.kid.as_deref().ok_or(AuthError::PopKeyNotBound)?;
    let presented = presented.ok_or(AuthError::PopKeyNotBound)?;
    if presented.thumbprint().as_deref() != Some(thumbprint) {
        return Err(AuthError::PopKeyNotBound);
    }
    Ok(presented)
}

fn same_host(got: &str, want: &str) -> bool {
    fn norm(h: &str) -> &str {
        h.strip_suffix(":443").unwrap_or(h)
    }
    norm(got).eq_ignore_ascii_case(norm(want))
}
