//! Access-token claims as Entra issues them for app-only (client-credentials and managed-identity) tokens.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Map, Value};

use crate::authority::Authority;
use crate::state::TenantState;

/// Who asks for a token: an application's service principal or a managed identity.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub client_id: String,
    pub object_id: String,
    pub display_name: String,
    pub app_roles: BTreeMap<String, Vec<String>>,
}

impl Principal {
    /// A registered application, by client id.
    pub fn application(state: &TenantState, client_id: &str) -> Option<Self> {
        state.application(client_id).map(|a| Self {
            client_id: a.client_id.clone(),
            object_id: a.service_principal_id.clone(),
            display_name: a.display_name.clone(),
            app_roles: a.app_roles.clone(),
        })
    }

    /// A registered application or, failing that, a managed identity, by client id.
    pub fn any(state: &TenantState, client_id: &str) -> Option<Self> {
        Self::application(state, client_id).or_else(|| {
            state
                .managed_identities
                .iter()
                .find(|m| m.client_id.eq_ignore_ascii_case(client_id))
                .map(|m| Self {
                    client_id: m.client_id.clone(),
                    object_id: m.object_id.clone(),
                    display_name: m.display_name.clone().unwrap_or_default(),
                    app_roles: m.app_roles.clone(),
                })
        })
    }
}

/// The token's audience, version and the resource aliases roles may be keyed by.
#[derive(Debug, Clone)]
pub(crate) struct Audience {
    pub aud: String,
    pub version: u8,
    aliases: Vec<String>,
}

impl Audience {
    /// Resolves a resource (`https://graph.microsoft.com`, `api://...`, an app id) as Entra does:
    /// tokens for a registered app follow its `accessTokenVersion` (v2 audiences are the app id);
    /// everything else (Graph, ARM, ...) gets v1 tokens with the resource as audience.
    pub fn resolve(state: &TenantState, resource: &str) -> Self {
        let resource = resource.trim_end_matches('/').to_owned();
        let app = state.applications.iter().find(|a| {
            a.client_id.eq_ignore_ascii_case(&resource)
                || a.identifier_uris
                    .iter()
                    .any(|u| u.trim_end_matches('/').eq_ignore_ascii_case(&resource))
        });
        match app {
            Some(app) => {
                let version = app.access_token_version.unwrap_or(1);
                let aud = if version == 2 {
                    app.client_id.clone()
                } else {
                    resource.clone()
                };
                let mut aliases = vec![resource, app.client_id.clone()];
                aliases.extend(app.identifier_uris.iter().cloned());
                Self { aud, version, aliases }
            }
            None => Self {
                aud: resource.clone(),
                version: 1,
                aliases: vec![resource],
            },
        }
    }

    fn roles(&self, principal: &Principal) -> Vec<String> {
        let mut roles: Vec<String> = principal
            .app_roles
            .iter()
            .filter(|(res, _)| {
                let res = res.trim_end_matches('/');
                self.aliases.iter().any(|a| a.eq_ignore_ascii_case(res))
            })
            .flat_map(|(_, r)| r.iter().cloned())
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }
}

/// The claims of an app-only access token for `principal` and `audience`, issued by `authority`
/// to live `lifetime`.
pub(crate) fn app_claims(
    authority: &Authority,
    lifetime: Duration,
    principal: &Principal,
    audience: &Audience,
) -> Value {
    let now = Utc::now().timestamp();
    let lifetime = lifetime.as_secs() as i64;
    let tid = &authority.tenant_id;
    let mut c = Map::new();
    c.insert("aud".into(), json!(audience.aud));
    let iss = if audience.version == 2 {
        &authority.issuer_v2
    } else {
        &authority.issuer_v1
    };
    c.insert("iss".into(), json!(iss));
    // Entra back-dates iat/nbf by five minutes.
    c.insert("iat".into(), json!(now - 300));
    c.insert("nbf".into(), json!(now - 300));
    c.insert("exp".into(), json!(now + lifetime));
    c.insert("aio".into(), json!(random_id()));
    if audience.version == 2 {
        c.insert("azp".into(), json!(principal.client_id));
        c.insert("azpacr".into(), json!("1"));
    } else {
        c.insert("app_displayname".into(), json!(principal.display_name));
        c.insert("appid".into(), json!(principal.client_id));
        c.insert("appidacr".into(), json!("1"));
        c.insert("idp".into(), json!(authority.issuer_v1));
    }
    c.insert("idtyp".into(), json!("app"));
    c.insert("oid".into(), json!(principal.object_id));
    c.insert("rh".into(), json!(format!("0.{}.", random_id())));
    let roles = audience.roles(principal);
    if !roles.is_empty() {
        c.insert("roles".into(), json!(roles));
    }
    c.insert("sub".into(), json!(principal.object_id));
    c.insert("tid".into(), json!(tid));
    c.insert("uti".into(), json!(random_id()));
    c.insert("ver".into(), json!(if audience.version == 2 { "2.0" } else { "1.0" }));
    Value::Object(c)
}

fn random_id() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}

/// The calling app's id from a bearer token, without verifying it (used to count per app).
pub(crate) fn unverified_app_id(authorization: Option<&str>) -> Option<String> {
    use base64::Engine;
    let token = authorization?
        .strip_prefix("Bearer ")
        .or_else(|| authorization?.strip_prefix("bearer "))?;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get("appid")
        .or_else(|| claims.get("azp"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
