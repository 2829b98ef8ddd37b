//! The `Authorization` header of a callout: a bearer token minted for a configured app or
//! managed identity (the forwarder shape), or EM's proof-of-possession SHR.
//!
//! The PoP shape is what `jitadmin-auth`'s `PopValidator` reads. Microsoft documents that EM can
//! call with a proof-of-possession token
//! (<https://learn.microsoft.com/graph/api/resources/azureadpoptokenauthentication>)
//! but not its layout, so this one is UNCONFIRMED:
//! - `Authorization: PoP <shr>`; the SHR is a compact RS256 JWS, header
//!   `{"alg":"RS256","typ":"pop","kid":<thumbprint>}` (plus `jwk` with [`CnfForm::InlineJwk`]);
//! - its payload: `at` (the access token), `ts` (Unix seconds), `m` (`POST`), `u` (host, with
//!   the port when not 443/80), `p` (path), `nonce` (a fresh UUID, unless turned off) and
//!   `cnf: {"jwk": {kty, n, e}}` (the SHR's public key);
//! - `at` is an app-only v1 token of this tenant for EM's app id
//!   (`810dcf14-1858-4bf2-8134-4c369fa3235b`), audience [`PopOptions::audience`]
//!   (`https://management.azure.com`), signed by the tenant's current key, with
//!   `cnf: {"kid": <RFC 7638 thumbprint of the SHR key>}` (or `{"jwk": ...}`).

use chrono::Utc;
use serde_json::{json, Value};

use crate::authority::keys::pop_key;
use crate::em::service::EmService;
use crate::em::types::{CalloutAuth, CnfForm, PopBinding, PopOptions};
use crate::entra::tokens::{app_claims, Audience, Principal};
use crate::error::{Result, SimError};

/// "Azure AD Identity Governance - Entitlement Management", the app id EM calls with.
pub const EM_APP_ID: &str = "810dcf14-1858-4bf2-8134-4c369fa3235b";

/// The `Authorization` header value for one callout attempt to `endpoint` (`None`: no header).
pub(crate) fn authorization(sim: &EmService, auth: &CalloutAuth, endpoint: &url::Url) -> Result<Option<String>> {
    match auth {
        CalloutAuth::None => Ok(None),
        CalloutAuth::Bearer { client_id, audience } => {
            let claims = {
                let state = sim.directory.state();
                let principal = Principal::any(&state, client_id).ok_or_else(|| SimError::NotFound {
                    kind: "application or managed identity",
                    id: client_id.clone(),
                })?;
                let aud = Audience::resolve(&state, audience);
                drop(state);
                app_claims(&sim.authority, sim.config.token_lifetime, &principal, &aud)
            };
            Ok(Some(format!("Bearer {}", sim.authority.signing_key().sign(&claims)?)))
        }
        CalloutAuth::Pop(options) => Ok(Some(format!("PoP {}", shr(sim, options, endpoint)?))),
    }
}

/// EM's principal: the scenario's application with EM's app id, or a stand-in.
fn em_principal(sim: &EmService) -> Principal {
    Principal::any(&sim.directory.state(), EM_APP_ID).unwrap_or_else(|| Principal {
        client_id: EM_APP_ID.to_owned(),
        object_id: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, EM_APP_ID.as_bytes()).to_string(),
        display_name: "Azure AD Identity Governance - Entitlement Management".to_owned(),
        app_roles: Default::default(),
    })
}

/// `u` as the validator compares it: host, plus the port when it is not the scheme's default.
fn host_of(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// A signed HTTP request for a POST to `endpoint`.
fn shr(sim: &EmService, options: &PopOptions, endpoint: &url::Url) -> Result<String> {
    let key = pop_key()?;
    let thumbprint = key.thumbprint();
    let mut at_claims = {
        let state = sim.directory.state();
        let aud = Audience::resolve(&state, &options.audience);
        drop(state);
        app_claims(&sim.authority, sim.config.token_lifetime, &em_principal(sim), &aud)
    };
    let cnf = match options.cnf {
        CnfForm::Thumbprint => json!({ "kid": thumbprint }),
        CnfForm::InlineJwk => json!({ "jwk": key.public_jwk() }),
    };
    at_claims["cnf"] = cnf;
    let at = sim.authority.signing_key().sign(&at_claims)?;
    let (u, p) = match &options.binding {
        PopBinding::ThisRequest => (host_of(endpoint), endpoint.path().to_owned()),
        PopBinding::Fixed { host, path } => (host.clone(), path.clone()),
    };
    let mut header = json!({ "alg": "RS256", "typ": "pop", "kid": thumbprint });
    if options.cnf == CnfForm::InlineJwk {
        header["jwk"] = key.public_jwk();
    }
    let mut payload = json!({
        "at": at,
        "ts": Utc::now().timestamp(),
        "m": "POST",
        "u": u,
        "p": p,
        "cnf": { "jwk": key.public_jwk() },
    });
    if options.nonce {
        payload["nonce"] = Value::String(uuid::Uuid::new_v4().simple().to_string());
    }
    key.sign_raw(&header, &payload)
}
