//! The bot side of the simulator's shared core: settings, keys, the connector's store, limits.

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use super::keys::ChannelKeys;
use super::limits::{RateWindows, MAX_MESSAGE_BYTES};
use super::store::BotStore;
use crate::error::Result;
use crate::scenario::bot::{BotScenario, Team};
use crate::scenario::Scenario;

/// The Bot Framework's token issuer (what [`BotSettings::issuer`] defaults to).
pub const BOT_ISSUER: &str = "https://api.botframework.com";
/// The audience of bot tokens for the Bot Connector.
pub const BOT_CONNECTOR_AUDIENCE: &str = "https://api.botframework.com";

/// How the simulated Bot Framework behaves; change through [`BotSim`](super::BotSim).
#[derive(Debug, Clone)]
pub(crate) struct BotSettings {
    /// The bot's app id; `None` until a scenario `[bot]` or a test sets it.
    pub app_id: Option<String>,
    pub name: String,
    pub messaging_endpoint: Option<String>,
    /// `iss` of channel tokens and of the issuer's metadata.
    pub issuer: String,
    pub teams: Vec<Team>,
    /// Enforce Teams' per-thread and global rate limits (429).
    pub enforce_limits: bool,
    /// Largest message accepted (413 `MessageSizeTooBig` above).
    pub max_message_bytes: usize,
    /// How long the Teams client helper waits for the messaging endpoint (Bot Framework: 15 s).
    pub invoke_timeout: Duration,
}

impl BotSettings {
    fn from_scenario(bot: Option<&BotScenario>) -> Self {
        BotSettings {
            app_id: bot.map(|b| b.app_id.clone()),
            name: bot.map(|b| b.name.clone()).unwrap_or_else(|| "bot".to_owned()),
            messaging_endpoint: bot.and_then(|b| b.messaging_endpoint.clone()),
            issuer: BOT_ISSUER.to_owned(),
            teams: bot.map(|b| b.teams.clone()).unwrap_or_default(),
            enforce_limits: true,
            max_message_bytes: MAX_MESSAGE_BYTES,
            invoke_timeout: Duration::from_secs(15),
        }
    }

    /// The team a channel belongs to, or `None` if the bot is not installed there.
    pub fn team_of(&self, channel_id: &str) -> Option<&Team> {
        self.teams
            .iter()
            .find(|t| t.id == channel_id || t.channels.iter().any(|c| c.id == channel_id))
    }
}

/// Keys, settings, conversations and limits of the simulated Bot Framework.
#[derive(Debug)]
pub(crate) struct BotShared {
    settings: RwLock<BotSettings>,
    store: Mutex<BotStore>,
    limits: Mutex<RateWindows>,
    /// Woken whenever an activity is posted or updated, or an invoke answered.
    pub changed: tokio::sync::Notify,
}

impl BotShared {
    /// The bot side for a scenario. The issuer's keys are generated on first use (once per
    /// process), so tests that never touch the Bot Framework neither wait nor compete for them.
    pub async fn load(scenario: &Scenario) -> Result<Self> {
        Ok(BotShared {
            settings: RwLock::new(BotSettings::from_scenario(scenario.bot.as_ref())),
            store: Mutex::default(),
            limits: Mutex::default(),
            changed: tokio::sync::Notify::new(),
        })
    }

    /// The channel token issuer's keys (waits if they are still being generated).
    pub fn keys(&self) -> Result<ChannelKeys> {
        ChannelKeys::get()
    }

    pub fn settings(&self) -> RwLockReadGuard<'_, BotSettings> {
        self.settings.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn settings_mut(&self) -> RwLockWriteGuard<'_, BotSettings> {
        self.settings.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn store(&self) -> MutexGuard<'_, BotStore> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn limits(&self) -> MutexGuard<'_, RateWindows> {
        self.limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn issuer(&self) -> String {
        self.settings().issuer.clone()
    }

    /// Wakes waiters after a change.
    pub fn notify(&self) {
        self.changed.notify_waiters();
    }
}
