//! The scenario's `[bot]` section: the Teams bot jitadmin runs as, and where it is installed.

use serde::{Deserialize, Serialize};

use super::{Scenario, ScenarioError};

/// The bot: its Microsoft App ID (an application of the scenario, whose secret gets tokens
/// for the Bot Connector), its name, where Teams sends activities, and the teams it is
/// installed in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BotScenario {
    /// The bot's Microsoft App ID (`aud` of channel tokens, `28:<appId>` in activities).
    pub app_id: String,
    /// The bot's display name (the `recipient.name` of activities).
    #[serde(default = "default_name")]
    pub name: String,
    /// The messaging endpoint the Teams client helper posts invokes to (settable later).
    #[serde(default)]
    pub messaging_endpoint: Option<String>,
    /// Teams the bot is installed in, with their channels.
    #[serde(default)]
    pub teams: Vec<Team>,
}

fn default_name() -> String {
    "jitadmin approvals".to_owned()
}

/// A team and its channels.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Team {
    /// The team's thread id (`19:…@thread.tacv2`, the General channel's id in Teams).
    pub id: String,
    /// The team's name.
    #[serde(default)]
    pub name: String,
    /// The team's channels.
    #[serde(default)]
    pub channels: Vec<Channel>,
}

/// A channel of a team.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Channel {
    /// The channel id (`19:…@thread.tacv2`).
    pub id: String,
    /// The channel's name.
    #[serde(default)]
    pub name: String,
}

/// Checks the `[bot]` section: an app id naming a scenario application, channel ids present.
pub(crate) fn validate(s: &Scenario, src: &str) -> Result<(), ScenarioError> {
    let Some(bot) = &s.bot else { return Ok(()) };
    if !s
        .applications
        .iter()
        .any(|a| a.client_id.eq_ignore_ascii_case(&bot.app_id))
    {
        return Err(ScenarioError::invalid(
            src,
            "bot.appId",
            format!("no application has clientId '{}'", bot.app_id),
        ));
    }
    for (i, team) in bot.teams.iter().enumerate() {
        if team.id.trim().is_empty() {
            return Err(ScenarioError::invalid(
                src,
                format!("bot.teams[{i}].id"),
                "must not be empty",
            ));
        }
        for (j, channel) in team.channels.iter().enumerate() {
            if channel.id.trim().is_empty() {
                return Err(ScenarioError::invalid(
                    src,
                    format!("bot.teams[{i}].channels[{j}].id"),
                    "must not be empty",
                ));
            }
        }
    }
    Ok(())
}
