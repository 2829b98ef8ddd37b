//! The Bot Connector REST client.
