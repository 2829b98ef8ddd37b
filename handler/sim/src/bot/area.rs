//! What the Bot Framework's routes (the Bot Connector and the channel token issuer's metadata)
//! work on, extracted from the router's state: the bot side's own state, the authority that
//! issues the bot's tokens, and the time scale of the rate limits.

use std::sync::Arc;

use super::state::BotShared;
use crate::authority::Authority;

/// The Bot Framework routes' state.
#[derive(Debug, Clone)]
pub(crate) struct BotArea {
    /// Settings, conversations and activities, rate windows.
    pub bot: Arc<BotShared>,
    /// Verifies the bot's tokens; names the tenant and the base URL.
    pub authority: Arc<Authority>,
    /// Scales the rate-limit windows (the simulator's configured time scale).
    pub time_scale: f64,
}
