//! The Bot Connector's check of the bot's token: issued by this tenant's Entra for the
//! audience `https://api.botframework.com`, to the registered bot app.

use axum::http::HeaderMap;
use serde_json::Value;

use super::area::BotArea;
use super::errors::ConnectorError;
use super::state::BOT_CONNECTOR_AUDIENCE;
use crate::authority::verify::{bearer, verify};

/// The verified claims, or 401 (bad token) / 403 (a token of another app than the bot).
pub(crate) fn authorize(area: &BotArea, headers: &HeaderMap) -> Result<Value, ConnectorError> {
    let header = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let claims = bearer(header)
        .and_then(|token| verify(&area.authority, token, &[BOT_CONNECTOR_AUDIENCE]))
        .map_err(|e| {
            tracing::info!(reason = %e, "bot connector request refused");
            ConnectorError::unauthorized(format!("Authorization has been denied for this request. {e}"))
        })?;
    let caller = claims
        .get("appid")
        .or_else(|| claims.get("azp"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let bot = area.bot.settings().app_id.clone();
    match bot {
        Some(bot) if bot.eq_ignore_ascii_case(caller) => Ok(claims),
        Some(_) => Err(ConnectorError::new(
            http::StatusCode::FORBIDDEN,
            "Forbidden",
            "The token's app is not the bot of this conversation.",
        )),
        None => Err(ConnectorError::new(
            http::StatusCode::FORBIDDEN,
            "Forbidden",
            "No bot is registered in the simulator (scenario [bot] or area.bot().set_app_id).",
        )),
    }
}
