//! Channel tokens: what the Bot Connector signs when it calls the bot
//! (<https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication>), and flawed
//! variants for negative tests.

use chrono::Utc;
use serde_json::{json, Map, Value};

use super::keys::ChannelKeys;
use super::state::BotShared;
use crate::authority::keys::foreign_key;
use crate::authority::Authority;
use crate::error::Result;

/// Which key signs a channel token, and which `kid` its header names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ChannelSigner {
    /// The published key endorsed for `msteams` (genuine tokens).
    #[default]
    Endorsed,
    /// The published key that is not endorsed for `msteams` (a valid signature; the
    /// validator must refuse it for a Teams activity: missing endorsement).
    Unendorsed,
    /// A key in no JWKS, with the endorsed key's `kid` in the header: a bad signature.
    Forged,
    /// The endorsed key, with a `kid` that is not in the JWKS.
    UnknownKid(String),
}

/// A channel token to mint: the claims the Bot Connector puts in one, each overridable.
/// `Default` is a genuine token for the sim's bot and connector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelToken {
    /// `iss`; default the sim's Bot Framework issuer (`https://api.botframework.com`).
    pub issuer: Option<String>,
    /// `aud`; default the bot's app id.
    pub audience: Option<String>,
    /// `exp` (Unix seconds); default an hour from now.
    pub expires_at: Option<i64>,
    /// `nbf` (Unix seconds); default five minutes ago.
    pub not_before: Option<i64>,
    /// `serviceurl`; default the sim's Bot Connector URL.
    pub service_url: Option<String>,
    /// Claims to leave out (e.g. `"serviceurl"`).
    pub omit: Vec<String>,
    /// Extra claims, set last.
    pub extra: Map<String, Value>,
    /// Who signs it.
    pub signer: ChannelSigner,
}

impl ChannelToken {
    /// A genuine token (all defaults).
    pub fn genuine() -> Self {
        Self::default()
    }

    /// Sets `iss`.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.issuer = Some(iss.into());
        self
    }

    /// Sets `aud`.
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audience = Some(aud.into());
        self
    }

    /// Sets `exp`.
    pub fn expires_at(mut self, exp: i64) -> Self {
        self.expires_at = Some(exp);
        self
    }

    /// An expired token: `exp` an hour ago (beyond any 5-minute skew), `nbf` two hours ago.
    pub fn expired(mut self) -> Self {
        let now = Utc::now().timestamp();
        self.expires_at = Some(now - 3600);
        self.not_before = Some(now - 7200);
        self
    }

    /// Sets `nbf`.
    pub fn not_before(mut self, nbf: i64) -> Self {
        self.not_before = Some(nbf);
        self
    }

    /// Sets `serviceurl`.
    pub fn service_url(mut self, url: impl Into<String>) -> Self {
        self.service_url = Some(url.into());
        self
    }

    /// Leaves a claim out.
    pub fn without(mut self, claim: impl Into<String>) -> Self {
        self.omit.push(claim.into());
        self
    }

    /// Adds or replaces a claim.
    pub fn claim(mut self, name: impl Into<String>, value: Value) -> Self {
        self.extra.insert(name.into(), value);
        self
    }

    /// Chooses the signer.
    pub fn signed_by(mut self, signer: ChannelSigner) -> Self {
        self.signer = signer;
        self
    }

    /// The claims, with defaults filled from the simulator's values.
    pub(crate) fn claims(&self, issuer: &str, app_id: &str, service_url: &str) -> Value {
        let now = Utc::now().timestamp();
        let mut c = Map::new();
        c.insert(
            "serviceurl".into(),
            json!(self.service_url.as_deref().unwrap_or(service_url)),
        );
        c.insert("nbf".into(), json!(self.not_before.unwrap_or(now - 300)));
        c.insert("exp".into(), json!(self.expires_at.unwrap_or(now + 3600)));
        c.insert("iss".into(), json!(self.issuer.as_deref().unwrap_or(issuer)));
        c.insert("aud".into(), json!(self.audience.as_deref().unwrap_or(app_id)));
        for name in &self.omit {
            c.remove(name);
        }
        for (k, v) in &self.extra {
            c.insert(k.clone(), v.clone());
        }
        Value::Object(c)
    }

    /// The token as the sim's Bot Connector would send it: claims from the bot's settings
    /// and the sim's `serviceUrl`, signed by this token's signer.
    pub(crate) fn mint(&self, bot: &BotShared, authority: &Authority) -> Result<String> {
        let (issuer, app_id) = {
            let s = bot.settings();
            (s.issuer.clone(), s.app_id.clone().unwrap_or_default())
        };
        let claims = self.claims(&issuer, &app_id, &super::service_url(&authority.base_url));
        self.sign(&bot.keys()?, &claims)
    }

    /// Signs `claims` as this token's signer does.
    pub(crate) fn sign(&self, keys: &ChannelKeys, claims: &Value) -> Result<String> {
        let (key, kid) = match &self.signer {
            ChannelSigner::Endorsed => (keys.endorsed.clone(), keys.endorsed.kid().to_owned()),
            ChannelSigner::Unendorsed => (keys.unendorsed.clone(), keys.unendorsed.kid().to_owned()),
            ChannelSigner::Forged => (foreign_key()?, keys.endorsed.kid().to_owned()),
            ChannelSigner::UnknownKid(kid) => (keys.endorsed.clone(), kid.clone()),
        };
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": kid, "x5t": kid });
        key.sign_raw(&header, claims)
    }
}
