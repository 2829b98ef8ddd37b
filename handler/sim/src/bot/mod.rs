//! The simulated Bot Framework as Teams uses it, under the sim's base URL:
//!
//! - the **Bot Connector** at `{base}/botconnector/` (the `serviceUrl`): `POST v3/conversations`
//!   (a thread in a channel the bot is installed in), `POST v3/conversations/{id}/activities`,
//!   `PUT v3/conversations/{id}/activities/{activityId}`; bot tokens from the sim's Entra for
//!   `https://api.botframework.com`, issued to the bot's app; Teams' rate and size limits;
//!   every activity's current content, history and per-user views;
//! - the **channel token issuer**: OpenID metadata at
//!   `{base}/botframework/v1/.well-known/openidconfiguration`, a JWKS whose keys carry
//!   `endorsements` (one key endorsed for `msteams`, one not), and [`ChannelToken`] to mint
//!   genuine and flawed tokens;
//! - the **Teams client** ([`TeamsClient`]): a directory user clicks an `Action.Execute`, the
//!   invoke goes to the bot's messaging endpoint with a channel token, and a card in the
//!   answer becomes that user's view; a user installs or removes the app in personal scope
//!   (the bot hears of it and may then chat with them 1:1).
//!
//! Requests are recorded and faults injected like every other sim route (paths start with
//! `/botconnector/v3/`).

mod api;
pub(crate) mod area;
mod auth;
pub mod card;
mod client;
mod connector;
mod errors;
mod invoke;
mod keys;
mod limits;
mod personal;
pub(crate) mod state;
mod store;
pub(crate) mod teams;
mod token;

use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;

pub use crate::scenario::bot::{BotScenario, Channel, Team};
pub use api::BotSim;
use area::BotArea;
pub use card::{CardAction, CardInput};
pub use client::{Click, InvokeOutcome, TeamsClient};
pub use invoke::InvokeResponse;
pub use keys::{ENDORSED_CHANNELS, UNENDORSED_CHANNELS};
pub use limits::MAX_MESSAGE_BYTES;
pub use personal::InstallOutcome;
pub use state::{BOT_CONNECTOR_AUDIENCE, BOT_ISSUER};
pub use store::{BotActivity, BotConversation, InvokeRecord};
pub use token::{ChannelSigner, ChannelToken};

/// The Bot Connector's `serviceUrl` for a sim base URL.
pub(crate) fn service_url(base_url: &str) -> String {
    format!("{base_url}/botconnector/")
}

/// The Bot Connector and channel token issuer routes.
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    BotArea: FromRef<S>,
{
    Router::new()
        .route(keys::METADATA_PATH, get(keys::metadata))
        .route(keys::JWKS_PATH, get(keys::jwks))
        .route("/botconnector/v3/conversations", post(connector::create_conversation))
        .route(
            "/botconnector/v3/conversations/{id}/activities",
            post(connector::send_to_conversation),
        )
        .route(
            "/botconnector/v3/conversations/{id}/activities/{activity_id}",
            post(connector::reply_to_activity).put(connector::update_activity),
        )
}
