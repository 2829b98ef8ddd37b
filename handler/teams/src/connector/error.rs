//! [`ConnectorError`]: what went wrong talking to the Bot Connector.

use std::time::Duration;

/// Why a Bot Connector call failed. Never carries a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    /// HTTP 429: Teams throttles the bot (per thread or per app and tenant).
    #[error("the Bot Connector throttled the request (429){}", retry_after_text(.retry_after))]
    Throttled {
        /// The `Retry-After` the Connector asked for, if any.
        retry_after: Option<Duration>,
    },
    /// HTTP 5xx: the Connector is unavailable or failed.
    #[error("the Bot Connector is unavailable (HTTP {status})")]
    Unavailable {
        /// The HTTP status.
        status: u16,
    },
    /// Any other non-2xx answer (400, 401, 403, 404, 413, ...), or a request refused before
    /// sending (an invalid `serviceUrl`, status 0): retrying will not help.
    #[error("the Bot Connector refused the request (HTTP {status}): {message}")]
    Refused {
        /// The HTTP status; 0 when the request was not sent.
        status: u16,
        /// The `ErrorResponse` message (and code), or the start of the body.
        message: String,
    },
    /// No bot token could be obtained.
    #[error("cannot get a Bot Framework token: {0}")]
    Token(String),
    /// The request could not be sent or the answer not read (connection, timeout, bad URL, bad JSON).
    #[error("Bot Connector transport error: {0}")]
    Transport(String),
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(", retry after {} ms", d.as_millis()),
        None => String::new(),
    }
}

impl ConnectorError {
    /// Whether trying again later may succeed: throttling, 5xx, transport failures and
    /// token failures (the identity endpoint may be briefly down). `Refused` is not.
    pub fn is_transient(&self) -> bool {
        !matches!(self, ConnectorError::Refused { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_refusals_are_permanent() {
        assert!(ConnectorError::Throttled { retry_after: None }.is_transient());
        assert!(ConnectorError::Unavailable { status: 503 }.is_transient());
        assert!(ConnectorError::Token("down".into()).is_transient());
        assert!(ConnectorError::Transport("reset".into()).is_transient());
        assert!(!ConnectorError::Refused {
            status: 403,
            message: "no".into()
        }
        .is_transient());
    }
}
