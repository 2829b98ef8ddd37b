//! Bot Framework tokens on activities Teams sends to the messaging endpoint, checked the way
//! Microsoft documents for requests from the Bot Connector service to a bot: issuer, audience
//! (our app id), lifetime with five minutes of skew, a signing key from the Connector's OpenID
//! metadata endorsed for the activity's channel, and the `serviceUrl` claim
//! (<https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication>).

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::bearer::DEFAULT_LEEWAY;
use crate::clock::Clock;
use crate::header::credentials;
use crate::jwt::{check_lifetime, Audience, Jws};
use crate::keys::KeySource;
use crate::AuthError;

/// The Bot Framework's OpenID metadata (Connector → bot).
pub const BOT_OPENID_METADATA_URL: &str = "https://login.botframework.com/v1/.well-known/openidconfiguration";
/// The Bot Framework's token issuer.
pub const BOT_ISSUER: &str = "https://api.botframework.com";

/// What a Bot Framework token must satisfy.
#[derive(Debug, Clone)]
pub struct BotConfig {
    /// Our bot's Microsoft App ID: the required `aud`.
    pub app_id: String,
    /// Accepted issuers (default [`BOT_ISSUER`]; a loopback stand-in for tests).
    pub issuers: Vec<String>,
    /// Clock skew (5 minutes, as documented).
    pub leeway: Duration,
}

impl BotConfig {
    /// The documented Bot Framework issuer, 5-minute skew.
    pub fn new(app_id: &str) -> Self {
        BotConfig {
            app_id: app_id.to_string(),
            issuers: vec![BOT_ISSUER.to_string()],
            leeway: DEFAULT_LEEWAY,
        }
    }
}

/// The claims of a validated Bot Framework token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct BotClaims {
    /// Issuer.
    #[serde(default)]
    pub iss: String,
    /// Audience.
    #[serde(default)]
    pub aud: Audience,
    /// Expiry.
    #[serde(default)]
    pub exp: Option<i64>,
    /// Not before.
    #[serde(default)]
    pub nbf: Option<i64>,
    /// The Connector endpoint this token speaks for (`serviceurl`).
    #[serde(default, alias = "serviceUrl")]
    pub serviceurl: Option<String>,
}

/// Validates Bot Framework tokens.
#[derive(Debug, Clone)]
pub struct BotValidator {
    config: BotConfig,
    keys: Arc<KeySource>,
    clock: Arc<dyn Clock>,
}

impl BotValidator {
    /// A validator checking signatures against `keys` (the Bot Framework key set).
    pub fn new(config: BotConfig, keys: Arc<KeySource>, clock: Arc<dyn Clock>) -> Self {
        BotValidator { config, keys, clock }
    }

    /// Validate `Authorization: Bearer <jwt>` for an activity with `service_url` and
    /// `channel_id`: RS256 signature, `iss`, `aud`, lifetime, `serviceurl` claim equal to
    /// the activity's (case-insensitive, trailing slash ignored), and the signing key
    /// endorsed for `channel_id` (else [`AuthError::MissingEndorsement`], 403).
    pub async fn validate(
        &self,
        authorization: Option<&str>,
        service_url: &str,
        channel_id: &str,
    ) -> Result<BotClaims, AuthError> {
        let token = credentials(authorization, "Bearer")?;
        let jws = Jws::parse(token)?;
        jws.require_rs256()?;
        let kid = jws.header.key_id()?;
        let key = self.keys.key(kid).await?;
        if !jws.verify(&key.key) {
            return Err(AuthError::BadSignature);
        }
        let claims: BotClaims = jws.claims()?;
        if !self.config.issuers.contains(&claims.iss) {
            return Err(AuthError::WrongIssuer);
        }
        if !claims.aud.accepts_any(std::slice::from_ref(&self.config.app_id)) {
            return Err(AuthError::WrongAudience);
        }
        check_lifetime(
            claims.exp,
            claims.nbf,
            self.clock.unix_seconds(),
            self.config.leeway.as_secs() as i64,
        )?;
        if !claims
            .serviceurl
            .as_deref()
            .is_some_and(|s| same_service_url(s, service_url))
        {
            return Err(AuthError::ServiceUrlMismatch);
        }
        if !key.is_endorsed_for(channel_id) {
            return Err(AuthError::MissingEndorsement);
        }
        Ok(claims)
    }
}

fn same_service_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/').eq_ignore_ascii_case(b.trim_end_matches('/'))
}
