//! jitadmin's Teams side.
//!
//! - [`card`]: the approval Adaptive Cards (1.5, `Action.Execute`), built from typed
//!   structs, with an HMAC over the ids and expiry in every action's data.
//! - [`connector`]: the Bot Connector REST client (bot token, start a channel thread
//!   with a card, update an activity).

pub mod card;
pub mod connector;
