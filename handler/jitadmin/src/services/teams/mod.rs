//! The Teams side of the app: the bot's Bot Connector client, the signer of card actions,
//! the validator of the Bot Connector's tokens and who may approve; the approval cards
//! ([`cards`], [`post`]), notices in the approvers' channel ([`notices`]), and where the bot
//! can reach a user 1:1 ([`contacts`]).
//!
//! Built once at start-up from [`TeamsConfig`] when `JITADMIN_BOT_APP_ID` is set.

mod approvers;
mod card_facts;
pub mod cards;
pub mod contacts;
pub mod notices;
pub mod post;

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use jitadmin_auth::{BotConfig, BotValidator, Clock, KeySource, KeySourceConfig};
use jitadmin_teams::card::CardSigner;
use jitadmin_teams::connector::BotConnector;

pub use approvers::Approvers;
pub use card_facts::approval_card;

use crate::config::TeamsConfig;

/// The Teams side of the app.
pub struct Teams {
    config: TeamsConfig,
    connector: BotConnector,
    signer: CardSigner,
    validator: BotValidator,
    keys: Arc<KeySource>,
    approvers: Approvers,
}

impl std::fmt::Debug for Teams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Teams")
            .field("app_id", &self.config.app_id)
            .field("channel_id", &self.config.channel_id)
            .finish_non_exhaustive()
    }
}

impl Teams {
    /// Build from the settings with the bot's `credential`.
    pub fn new(
        config: TeamsConfig,
        credential: Arc<dyn TokenCredential>,
        clock: Arc<dyn Clock>,
    ) -> Result<Teams, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        let connector =
            BotConnector::new(credential, config.scope.clone(), http).with_allowed_hosts(config.service_hosts.clone());
        let keys = Arc::new(KeySource::new(
            KeySourceConfig::openid(config.openid_metadata_url.clone()).http_timeout(std::time::Duration::from_secs(3)),
            clock.clone(),
        )?);
        let mut bot = BotConfig::new(&config.app_id);
        bot.issuers = config.issuers.clone();
        let validator = BotValidator::new(bot, keys.clone(), clock);
        Ok(Teams {
            signer: CardSigner::new(&config.card_key),
            approvers: Approvers::new(&config.approvers_group, config.approvers_cache),
            connector,
            validator,
            keys,
            config,
        })
    }

    /// Fetch the Bot Framework signing keys in the background, so the first click does not wait.
    pub fn warm_up(&self) {
        let keys = self.keys.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = keys.refresh().await {
                    tracing::warn!(error = %error, "Bot Framework signing keys could not be fetched at start-up; will retry on the first activity");
                }
            });
        }
    }

    /// The settings.
    pub fn config(&self) -> &TeamsConfig {
        &self.config
    }

    /// The Bot Connector client.
    pub fn connector(&self) -> &BotConnector {
        &self.connector
    }

    /// Signs and verifies card actions.
    pub fn signer(&self) -> &CardSigner {
        &self.signer
    }

    /// Validates the Bot Connector's tokens.
    pub fn validator(&self) -> &BotValidator {
        &self.validator
    }

    /// Who may decide.
    pub fn approvers(&self) -> &Approvers {
        &self.approvers
    }
}
