//! [`TenantSim`]'s Bot Framework API: the [`BotSim`] handle and the Teams client.

use super::TenantSim;
use crate::bot::{BotSim, TeamsClient};

impl TenantSim {
    /// The simulated Bot Framework: Bot Connector state, channel tokens, settings.
    pub fn bot(&self) -> BotSim<'_> {
        BotSim::new(&self.shared().bot, &self.shared().authority)
    }

    /// A Teams client that clicks cards as the tenant's users.
    pub fn teams_client(&self) -> TeamsClient {
        TeamsClient {
            teams: self.shared().teams_handles(),
        }
    }
}
