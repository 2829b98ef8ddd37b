//! What the Teams client (clicks, personal-scope installs) works on: the bot side's state, the
//! authority (tenant id and base URL of the activities it sends), the directory (the users who
//! click) and the outbound client that posts to the bot's messaging endpoint.

use std::sync::Arc;

use super::state::BotShared;
use crate::authority::Authority;
use crate::directory::Directory;
use crate::outbound::Outbound;

/// The Teams client's handles.
#[derive(Debug, Clone)]
pub(crate) struct TeamsHandles {
    /// Settings, conversations and activities, channel keys.
    pub bot: Arc<BotShared>,
    /// Names the tenant and the base URL.
    pub authority: Arc<Authority>,
    /// The users who click and install.
    pub directory: Arc<Directory>,
    /// Posts invokes and notices to the bot's messaging endpoint.
    pub outbound: Outbound,
}
