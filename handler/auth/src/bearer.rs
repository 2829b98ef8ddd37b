//! Entra access tokens presented as `Authorization: Bearer …`: the managed identity of the
//! Logic App that forwards entitlement-management callouts, or EM itself for an extension
//! whose token security is "Normal" (the token's audience is then the app id configured as
//! `resourceId`: <https://learn.microsoft.com/graph/api/resources/azureadtokenauthentication>).
//! Issuers and claims of v1.0 and v2.0 tokens:
//! <https://learn.microsoft.com/entra/identity-platform/access-tokens>.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::clock::Clock;
use crate::header::credentials;
use crate::jwk::PublicJwk;
use crate::jwt::{check_lifetime, Audience, Jws};
use crate::keys::KeySource;
use crate::AuthError;

/// Default clock skew: 5 minutes, the Microsoft.IdentityModel default and what the Bot
/// Framework documents; Entra tokens live 60–90 minutes, so this costs little.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(300);

/// The issuer bases of an Entra authority. The public cloud issues v1 tokens as
/// `https://sts.windows.net/{tid}/` and v2 tokens as
/// `https://login.microsoftonline.com/{tid}/v2.0`; a loopback stand-in (tenant-sim) uses
/// its own base for both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraAuthority {
    /// Base of v1 issuers (no trailing slash): `https://sts.windows.net`.
    pub v1_issuer_base: String,
    /// Base of v2 issuers (no trailing slash): `https://login.microsoftonline.com`.
    pub v2_issuer_base: String,
}

impl EntraAuthority {
    /// The public cloud.
    pub fn public_cloud() -> Self {
        EntraAuthority {
            v1_issuer_base: "https://sts.windows.net".into(),
            v2_issuer_base: "https://login.microsoftonline.com".into(),
        }
    }

    /// One base for both forms (a loopback authority such as tenant-sim).
    pub fn single(base: &str) -> Self {
        let base = base.trim_end_matches('/').to_string();
        EntraAuthority {
            v1_issuer_base: base.clone(),
            v2_issuer_base: base,
        }
    }

    /// The accepted issuers for `tenant_id`: `{v1}/{tid}/` and `{v2}/{tid}/v2.0`.
    pub fn issuers(&self, tenant_id: &str) -> Vec<String> {
        vec![
            format!("{}/{tenant_id}/", self.v1_issuer_base.trim_end_matches('/')),
            format!("{}/{tenant_id}/v2.0", self.v2_issuer_base.trim_end_matches('/')),
        ]
    }

    /// The v2 OpenID metadata URL for `tenant_id` (its `jwks_uri` serves both token versions).
    pub fn openid_metadata_url(&self, tenant_id: &str) -> String {
        format!(
            "{}/{tenant_id}/v2.0/.well-known/openid-configuration",
            self.v2_issuer_base.trim_end_matches('/')
        )
    }
}

/// Which claim identifies the caller for the allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerClaim {
    /// `oid`: the object id of the calling principal (a managed identity's service principal).
    ObjectId,
    /// `appid` (v1), else `azp` (v2): the calling application's client id.
    AppId,
}

/// What a bearer token must satisfy.
#[derive(Debug, Clone)]
pub struct BearerConfig {
    /// Our tenant: `tid` must equal it and issuers are built from it.
    pub tenant_id: String,
    /// Where issuers come from.
    pub authority: EntraAuthority,
    /// Accepted audiences (e.g. `api://jitadmin` and the app's client id); at least one must match.
    pub audiences: Vec<String>,
    /// Callers allowed, by [`BearerConfig::caller_claim`]. Empty means nobody.
    pub allowed_callers: Vec<String>,
    /// Which claim names the caller.
    pub caller_claim: CallerClaim,
    /// Clock skew for `exp` and `nbf`.
    pub leeway: Duration,
}

impl BearerConfig {
    /// Public cloud, callers by object id, 5-minute skew.
    pub fn new(tenant_id: &str, audiences: &[&str], allowed_callers: &[&str]) -> Self {
        BearerConfig {
            tenant_id: tenant_id.to_string(),
            authority: EntraAuthority::public_cloud(),
            audiences: audiences.iter().map(|s| s.to_string()).collect(),
            allowed_callers: allowed_callers.iter().map(|s| s.to_string()).collect(),
            caller_claim: CallerClaim::ObjectId,
            leeway: DEFAULT_LEEWAY,
        }
    }
}

/// The claims of a validated Entra token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct EntraClaims {
    /// Issuer.
    #[serde(default)]
    pub iss: String,
    /// Audience(s).
    #[serde(default)]
    pub aud: Audience,
    /// Expiry (Unix seconds).
    #[serde(default)]
    pub exp: Option<i64>,
    /// Not before.
    #[serde(default)]
    pub nbf: Option<i64>,
    /// Issued at.
    #[serde(default)]
    pub iat: Option<i64>,
    /// Tenant.
    #[serde(default)]
    pub tid: Option<String>,
    /// Object id of the principal.
    #[serde(default)]
    pub oid: Option<String>,
    /// Client id of the caller (v1).
    #[serde(default)]
    pub appid: Option<String>,
    /// Client id of the caller (v2).
    #[serde(default)]
    pub azp: Option<String>,
    /// Subject.
    #[serde(default)]
    pub sub: Option<String>,
    /// Token version (`1.0`, `2.0`).
    #[serde(default)]
    pub ver: Option<String>,
    /// `app` for app-only tokens.
    #[serde(default)]
    pub idtyp: Option<String>,
    /// App roles.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Delegated scopes.
    #[serde(default)]
    pub scp: Option<String>,
    /// Proof-of-possession key binding.
    #[serde(default)]
    pub cnf: Option<Confirmation>,
}

impl EntraClaims {
    /// The caller's application id: `appid`, else `azp`.
    pub fn app_id(&self) -> Option<&str> {
        self.appid.as_deref().or(self.azp.as_deref())
    }
}

/// The `cnf` claim (RFC 7800): the bound key, inline or by thumbprint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Confirmation {
    /// The key itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwk: Option<PublicJwk>,
    /// The key's RFC 7638 thumbprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

/// Validates Entra bearer tokens.
#[derive(Debug, Clone)]
pub struct BearerValidator {
    config: BearerConfig,
    issuers: Vec<String>,
    keys: Arc<KeySource>,
    clock: Arc<dyn Clock>,
}

impl BearerValidator {
    /// A validator checking signatures against `keys`.
    pub fn new(config: BearerConfig, keys: Arc<KeySource>, clock: Arc<dyn Clock>) -> Self {
        let issuers = config.authority.issuers(&config.tenant_id);
        BearerValidator {
            config,
            issuers,
            keys,
            clock,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &BearerConfig {
        &self.config
    }

    /// Validate an `Authorization` header value (`Bearer <jwt>`).
    pub async fn validate(&self, authorization: Option<&str>) -> Result<EntraClaims, AuthError> {
        let token = credentials(authorization, "Bearer")?;
        self.validate_token(token).await
    }

    /// Validate a bare token: RS256 signature against the key set, then `iss`, `aud`,
    /// `exp`/`nbf`, `tid`, and the caller allow-list, in that order.
    pub async fn validate_token(&self, token: &str) -> Result<EntraClaims, AuthError> {
        let jws = Jws::parse(token)?;
        jws.require_rs256()?;
        let kid = jws.header.key_id()?;
        let key = self.keys.key(kid).await?;
        if !jws.verify(&key.key) {
            return Err(AuthError::BadSignature);
        }
        let claims: EntraClaims = jws.claims()?;
        self.check_claims(&claims)?;
        Ok(claims)
    }

    fn check_claims(&self, claims: &EntraClaims) -> Result<(), AuthError> {
        if !self.issuers.contains(&claims.iss) {
            return Err(AuthError::WrongIssuer);
        }
        if !claims.aud.accepts_any(&self.config.audiences) {
            return Err(AuthError::WrongAudience);
        }
        check_lifetime(
            claims.exp,
            claims.nbf,
            self.clock.unix_seconds(),
            self.config.leeway.as_secs() as i64,
        )?;
        if !claims
            .tid
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(&self.config.tenant_id))
        {
            return Err(AuthError::WrongTenant);
        }
        let caller = match self.config.caller_claim {
            CallerClaim::ObjectId => claims.oid.as_deref(),
            CallerClaim::AppId => claims.app_id(),
        };
        match caller {
            Some(c) if self.config.allowed_callers.iter().any(|a| a.eq_ignore_ascii_case(c)) => Ok(()),
            _ => Err(AuthError::CallerNotAllowed),
        }
    }
}
