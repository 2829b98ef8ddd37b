//! Authenticating `callout`'s caller per configuration: the forwarding Logic App's
//! managed-identity bearer token, or entitlement management's own proof-of-possession token
//! (<https://learn.microsoft.com/entra/id-governance/entitlement-management-logic-apps-integration>).
//! Only the `Authorization` header and the request line
//! are read: the body is not touched before the caller is known.

use std::sync::Arc;

use azfn_runtime::HttpRequest;
use jitadmin_auth::{
    AuthError, BearerConfig, BearerValidator, CallerClaim, Clock, EntraAuthority, InMemoryReplayCache, KeySource,
    KeySourceConfig, PopConfig, PopRequest, PopValidator,
};

use crate::config::{CalloutAuthMode, Config};

/// Nonces remembered per instance (PoP); beyond this the replay cache answers 503.
const REPLAY_CACHE_ENTRIES: usize = 100_000;

/// Validates `callout`'s `Authorization` header as configured.
#[derive(Debug)]
pub enum CalloutAuth {
    /// `JITADMIN_CALLOUT_AUTH=bearer`.
    Bearer {
        /// The validator.
        validator: BearerValidator,
        /// Its key source (shared cache).
        keys: Arc<KeySource>,
    },
    /// `JITADMIN_CALLOUT_AUTH=pop`.
    Pop {
        /// The validator.
        validator: Box<PopValidator>,
        /// Its key source (shared cache).
        keys: Arc<KeySource>,
        /// Expected `u`, when fixed by configuration.
        host: Option<String>,
        /// Expected `p`, when fixed by configuration.
        path: Option<String>,
    },
}

/// Who called, for logs and the queued event (ids only, never the token).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// `oid` of the calling principal.
    pub object_id: Option<String>,
    /// `appid`/`azp` of the calling application.
    pub app_id: Option<String>,
}

impl CalloutAuth {
    /// Build the validator `config` asks for, with its own cached key source.
    pub fn from_config(config: &Config, clock: Arc<dyn Clock>) -> Result<CalloutAuth, String> {
        let key_config = KeySourceConfig::openid(config.authority.openid_metadata_url(&config.tenant_id))
            .http_timeout(config.authority.key_fetch_timeout);
        let keys = Arc::new(KeySource::new(key_config, clock.clone()).map_err(|e| e.to_string())?);
        let authority = EntraAuthority {
            v1_issuer_base: config.authority.v1_issuer_base.clone(),
            v2_issuer_base: config.authority.v2_issuer_base.clone(),
        };
        let callout = &config.callout;
        Ok(match callout.mode {
            CalloutAuthMode::Bearer => {
                let mut bearer = BearerConfig::new(&config.tenant_id, &[], &[]);
                bearer.authority = authority;
                bearer.audiences = callout.audiences.clone();
                bearer.allowed_callers = callout.allowed_callers.clone();
                bearer.caller_claim = CallerClaim::ObjectId;
                bearer.leeway = callout.leeway;
                CalloutAuth::Bearer {
                    validator: BearerValidator::new(bearer, keys.clone(), clock),
                    keys,
                }
            }
            CalloutAuthMode::Pop => {
                let mut pop = PopConfig::entitlement_management(&config.tenant_id, authority);
                pop.access_token.audiences = callout.pop.audiences.clone();
                pop.access_token.allowed_callers = callout.pop.app_ids.clone();
                pop.access_token.leeway = callout.leeway;
                pop.max_ts_skew = callout.pop.max_ts_skew;
                pop.require_nonce = callout.pop.require_nonce;
                let replay = Arc::new(InMemoryReplayCache::new(clock.clone(), REPLAY_CACHE_ENTRIES));
                CalloutAuth::Pop {
                    validator: Box::new(PopValidator::new(pop, keys.clone(), replay, clock)),
                    keys,
                    host: callout.pop.host.clone(),
                    path: callout.pop.path.clone(),
                }
            }
        })
    }

    /// `bearer` or `pop`.
    pub fn mode_name(&self) -> &'static str {
        match self {
            CalloutAuth::Bearer { .. } => "bearer",
            CalloutAuth::Pop { .. } => "pop",
        }
    }

    /// The `WWW-Authenticate` scheme to name in a 401.
    pub fn scheme(&self) -> &'static str {
        match self {
            CalloutAuth::Bearer { .. } => "Bearer",
            CalloutAuth::Pop { .. } => "PoP",
        }
    }

    /// Fetch the signing keys in the background so the first callout finds them cached.
    /// Needs a Tokio runtime; without one it does nothing.
    pub fn warm_up(&self) {
        let keys = match self {
            CalloutAuth::Bearer { keys, .. } | CalloutAuth::Pop { keys, .. } => keys.clone(),
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = keys.refresh().await {
                    tracing::warn!(error = %error, "signing keys could not be fetched at start-up; will retry on the first callout");
                }
            });
        }
    }

    /// Authenticate an HTTP request from its `Authorization` header (and, for PoP, its method,
    /// host and path).
    pub async fn authenticate(&self, request: &HttpRequest) -> Result<Caller, AuthError> {
        let authorization = request.header("authorization");
        match self {
            CalloutAuth::Bearer { validator, .. } => {
                let claims = validator.validate(authorization).await?;
                Ok(Caller {
                    app_id: claims.app_id().map(str::to_string),
                    object_id: claims.oid,
                })
            }
            CalloutAuth::Pop {
                validator, host, path, ..
            } => {
                let request_host = host_of(&request.url);
                let pop_request = PopRequest {
                    method: &request.method,
                    host: host.as_deref().unwrap_or(&request_host),
                    path: path.as_deref().unwrap_or(request.path()),
                };
                let claims = validator.validate(authorization, &pop_request).await?;
                Ok(Caller {
                    app_id: claims.access_token.app_id().map(str::to_string),
                    object_id: claims.access_token.oid,
                })
            }
        }
    }
}

/// `host[:port]` of a URL (the port only when not the scheme's default); empty if unparsable.
fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn host_keeps_only_a_non_default_port() {
        assert_eq!(
            host_of("https://jitadmin.azurewebsites.net/api/callout"),
            "jitadmin.azurewebsites.net"
        );
        assert_eq!(host_of("https://jitadmin.example:443/api/callout"), "jitadmin.example");
        assert_eq!(host_of("http://localhost:7071/api/callout?x=1"), "localhost:7071");
        assert_eq!(host_of("not a url"), "");
    }
}
