//! [`BotSim`]: the tests' handle on the simulated Bot Framework (`sim.bot()`): the bot side's
//! state and the authority that mints its tokens.

use std::time::Duration;

use serde_json::Value;

use super::keys::{JWKS_PATH, METADATA_PATH};
use super::service_url;
use super::state::BotShared;
use super::store::{BotActivity, BotConversation, InvokeRecord};
use super::token::ChannelToken;
use crate::authority::Authority;
use crate::error::{Result, SimError};
use crate::scenario::bot::{Channel, Team};

/// The simulated Bot Framework of one [`TenantSim`](crate::TenantSim).
#[derive(Debug, Clone, Copy)]
pub struct BotSim<'a> {
    bot: &'a BotShared,
    authority: &'a Authority,
}

impl<'a> BotSim<'a> {
    pub(crate) fn new(bot: &'a BotShared, authority: &'a Authority) -> Self {
        Self { bot, authority }
    }
}

impl BotSim<'_> {
    // --- configuration -------------------------------------------------------

    /// The Bot Connector's `serviceUrl`: `{base}/botconnector/`.
    pub fn service_url(&self) -> String {
        service_url(&self.authority.base_url)
    }

    /// The channel token issuer's OpenID metadata URL (for `KeySourceConfig::openid`).
    pub fn openid_metadata_url(&self) -> String {
        format!("{}{METADATA_PATH}", self.authority.base_url)
    }

    /// The channel token issuer's JWKS URL.
    pub fn jwks_uri(&self) -> String {
        format!("{}{JWKS_PATH}", self.authority.base_url)
    }

    /// `iss` of channel tokens (default `https://api.botframework.com`).
    pub fn issuer(&self) -> String {
        self.bot.issuer()
    }

    /// Changes `iss` of channel tokens and of the metadata.
    pub fn set_issuer(&self, issuer: impl Into<String>) {
        self.bot.settings_mut().issuer = issuer.into();
    }

    /// The bot's app id, if configured.
    pub fn app_id(&self) -> Option<String> {
        self.bot.settings().app_id.clone()
    }

    /// Sets the bot's app id (must be an application of the tenant to get Connector tokens).
    pub fn set_app_id(&self, app_id: impl Into<String>) {
        self.bot.settings_mut().app_id = Some(app_id.into());
    }

    /// Where invokes go, if set.
    pub fn messaging_endpoint(&self) -> Option<String> {
        self.bot.settings().messaging_endpoint.clone()
    }

    /// Sets where invokes go (jitadmin's `/api/teams/messages` once its front door is known).
    pub fn set_messaging_endpoint(&self, url: impl Into<String>) {
        self.bot.settings_mut().messaging_endpoint = Some(url.into());
    }

    /// How long the Teams client waits for the messaging endpoint (default 15 s).
    pub fn set_invoke_timeout(&self, timeout: Duration) {
        self.bot.settings_mut().invoke_timeout = timeout;
    }

    /// Turns Teams' rate limits (429) on or off (default on).
    pub fn set_enforce_limits(&self, on: bool) {
        self.bot.settings_mut().enforce_limits = on;
    }

    /// Sets the largest accepted message in bytes (default 100 KB, counted as UTF-16).
    pub fn set_max_message_bytes(&self, bytes: usize) {
        self.bot.settings_mut().max_message_bytes = bytes;
    }

    /// Teams the bot is installed in.
    pub fn teams(&self) -> Vec<Team> {
        self.bot.settings().teams.clone()
    }

    /// Installs the bot in a channel of a team (adding the team if new).
    pub fn install_in_channel(&self, team_id: &str, channel_id: &str, channel_name: &str) {
        let mut settings = self.bot.settings_mut();
        let team = match settings.teams.iter().position(|t| t.id == team_id) {
            Some(i) => &mut settings.teams[i],
            None => {
                settings.teams.push(Team {
                    id: team_id.to_owned(),
                    ..Team::default()
                });
                let last = settings.teams.len() - 1;
                &mut settings.teams[last]
            }
        };
        if !team.channels.iter().any(|c| c.id == channel_id) {
            team.channels.push(Channel {
                id: channel_id.to_owned(),
                name: channel_name.to_owned(),
            });
        }
    }

    // --- channel tokens ------------------------------------------------------

    /// Mints a channel token (the Bot Connector's token on calls to the bot) from `spec`.
    pub fn mint(&self, spec: &ChannelToken) -> Result<String> {
        spec.mint(self.bot, self.authority)
    }

    /// A genuine channel token.
    pub fn channel_token(&self) -> Result<String> {
        self.mint(&ChannelToken::genuine())
    }

    /// A directory user's Teams id (`from.id`, the MRI `29:…`) as this bot sees it, e.g. for a
    /// card's `refresh.userIds`.
    pub fn user_mri(&self, user_object_id: &str) -> String {
        super::invoke::user_mri(&self.app_id().unwrap_or_default(), user_object_id)
    }

    /// The `kid` of the key endorsed for `msteams`.
    pub fn endorsed_kid(&self) -> String {
        self.bot.keys().map(|k| k.endorsed.kid().to_owned()).unwrap_or_default()
    }

    /// The `kid` of the published key not endorsed for `msteams`.
    pub fn unendorsed_kid(&self) -> String {
        self.bot
            .keys()
            .map(|k| k.unendorsed.kid().to_owned())
            .unwrap_or_default()
    }

    // --- what the Connector holds ---------------------------------------------

    /// Conversations (channel threads) the bot created, in order.
    pub fn conversations(&self) -> Vec<BotConversation> {
        self.bot.store().conversations.clone()
    }

    /// One conversation.
    pub fn conversation(&self, id: &str) -> Option<BotConversation> {
        self.bot.store().conversation(id).cloned()
    }

    /// Every activity the bot posted, in posting order.
    pub fn activities(&self) -> Vec<BotActivity> {
        self.bot.store().activities.clone()
    }

    /// One activity.
    pub fn activity(&self, conversation_id: &str, activity_id: &str) -> Option<BotActivity> {
        self.bot.store().activity(conversation_id, activity_id).cloned()
    }

    /// The current base card of an activity.
    pub fn card(&self, conversation_id: &str, activity_id: &str) -> Option<Value> {
        self.activity(conversation_id, activity_id)?.card().cloned()
    }

    /// Every invoke the Teams client sent, in order.
    pub fn invokes(&self) -> Vec<InvokeRecord> {
        self.bot.store().invokes.clone()
    }

    /// Waits until `done` holds for the posted activities (checked now and after every post,
    /// update or invoke), or `timeout` passes; returns the activities as last seen.
    pub async fn wait_for_activities(
        &self,
        timeout: Duration,
        done: impl Fn(&[BotActivity]) -> bool,
    ) -> Result<Vec<BotActivity>> {
        let bot = self.bot;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = bot.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let current = bot.store().activities.clone();
            if done(&current) {
                return Ok(current);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Err(SimError::Timeout(format!(
                    "bot activities ({}) did not reach the expected state within {timeout:?}",
                    current.len()
                )));
            }
        }
    }
}
