//! The Bot Framework channel token issuer: its OpenID metadata, its JWKS (keys carry
//! `endorsements`, the channels a key may sign for:
//! <https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication>) and its two
//! signing keys, one endorsed for
//! `msteams` and one that is not.

use std::sync::{Arc, OnceLock};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::area::BotArea;
use crate::authority::keys::SigningKey;
use crate::error::{Result, SimError};

/// The channels the default signing key is endorsed for.
pub const ENDORSED_CHANNELS: [&str; 2] = ["msteams", "webchat"];
/// The channels the other published key is endorsed for (not `msteams`).
pub const UNENDORSED_CHANNELS: [&str; 2] = ["webchat", "directline"];

/// Path of the issuer's OpenID metadata (the real one is
/// `https://login.botframework.com/v1/.well-known/openidconfiguration`).
pub(crate) const METADATA_PATH: &str = "/botframework/v1/.well-known/openidconfiguration";
/// Path of the issuer's JWKS.
pub(crate) const JWKS_PATH: &str = "/botframework/v1/.well-known/keys";

/// The issuer's keys: generated once per process (RSA generation is slow) and shared by
/// every simulator, distinct from the Entra keys.
#[derive(Debug, Clone)]
pub(crate) struct ChannelKeys {
    pub endorsed: Arc<SigningKey>,
    pub unendorsed: Arc<SigningKey>,
}

impl ChannelKeys {
    /// The keys; the first call generates them (a concurrent call waits for it).
    pub fn get() -> Result<Self> {
        static KEYS: OnceLock<std::result::Result<ChannelKeys, String>> = OnceLock::new();
        let keys = KEYS.get_or_init(|| {
            Ok(ChannelKeys {
                endorsed: Arc::new(SigningKey::generate().map_err(|e| e.to_string())?),
                unendorsed: Arc::new(SigningKey::generate().map_err(|e| e.to_string())?),
            })
        });
        keys.clone().map_err(SimError::Key)
    }

    /// The JWKS document: both keys, each with its endorsements.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [
            jwk(&self.endorsed, &ENDORSED_CHANNELS),
            jwk(&self.unendorsed, &UNENDORSED_CHANNELS),
        ] })
    }
}

fn jwk(key: &SigningKey, endorsements: &[&str]) -> Value {
    let mut jwk = key.jwk("");
    if let Some(map) = jwk.as_object_mut() {
        map.remove("issuer");
        map.remove("alg");
        map.insert("endorsements".into(), json!(endorsements));
    }
    jwk
}

/// `GET /botframework/v1/.well-known/openidconfiguration`
pub(super) async fn metadata(State(area): State<BotArea>) -> Response {
    let base = &area.authority.base_url;
    Json(json!({
        "issuer": area.bot.issuer(),
        "authorization_endpoint": "https://invalid.botframework.com",
        "jwks_uri": format!("{base}{JWKS_PATH}"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    }))
    .into_response()
}

/// `GET /botframework/v1/.well-known/keys`
pub(super) async fn jwks(State(area): State<BotArea>) -> Response {
    match area.bot.keys() {
        Ok(keys) => Json(keys.jwks()).into_response(),
        Err(e) => (http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
