//! Teams approvals (issue 7): a routed request becomes an Adaptive Card in the approvers'
//! channel ([`post`]); an approver's click on it arrives at the `teams` function, is
//! authorised and claimed ([`click`]), resumes the request in Entra through
//! [`crate::work::resume`], and the card is refreshed for everyone ([`cards`]). A resume
//! that fails transiently is retried through the queue ([`decision_event`]); `maintain`
//! closes the cards of requests Entra no longer waits on ([`expire`]). Users who install the
//! app in personal scope can be told of their grants in a 1:1 chat ([`contacts`]).
//!
//! Built once at start-up from [`TeamsConfig`] when `JITADMIN_BOT_APP_ID` is set.

mod approvers;
mod card_facts;
pub mod cards;
pub mod click;
pub mod contacts;
pub mod decision_event;
pub mod expire;
pub mod notices;
mod outcome;
pub mod post;

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use jitadmin_auth::{BotConfig, BotValidator, Clock, KeySource, KeySourceConfig};
use jitadmin_teams::card::CardSigner;
use jitadmin_teams::connector::BotConnector;

pub use approvers::Approvers;
pub use card_facts::approval_card;

use crate::config::TeamsConfig;

/// Audit actions written by the Teams approvals (printed by `jitadmin audit`).
pub mod actions {
    /// A card was posted into the approvers' channel.
    pub const CARD_POSTED: &str = "teams.card.posted";
    /// An earlier attempt may have posted a card whose reference was lost: posted again.
    pub const CARD_REPOSTED: &str = "teams.card.reposted";
    /// The card could not be posted (the event is retried).
    pub const CARD_POST_FAILED: &str = "teams.card.post-failed";
    /// An approver clicked Approve or Deny.
    pub const CLICKED: &str = "teams.clicked";
    /// The decision was approve and Entra accepted it.
    pub const APPROVED: &str = "teams.approved";
    /// The decision was deny and Entra accepted it.
    pub const DENIED: &str = "teams.denied";
    /// A decision is recorded; the resume failed transiently and is retried through the queue.
    pub const APPLYING: &str = "teams.applying";
    /// A click was refused (not an approver, own request, already decided, bad card...).
    pub const REFUSED: &str = "teams.refused";
    /// The card was closed: Entra no longer waits (expired, cancelled, decided elsewhere).
    pub const CARD_EXPIRED: &str = "teams.card.expired";
    /// Entra refused the decision for good: the card shows an error.
    pub const FAILED: &str = "teams.failed";
    /// A drift finding was posted into the approvers' channel.
    pub const DRIFT_POSTED: &str = "teams.drift.posted";
    /// A drift finding could not be posted into the approvers' channel.
    pub const DRIFT_POST_FAILED: &str = "teams.drift.post-failed";
    /// The posted card could not be updated (everyone else still sees the old state).
    pub const CARD_UPDATE_FAILED: &str = "teams.card.update-failed";
}

/// Who the audit trail attributes jitadmin's own Teams actions to.
pub const ACTOR: &str = "jitadmin";

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
        let connector = BotConnector::new(credential, config.scope.clone(), http);
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
