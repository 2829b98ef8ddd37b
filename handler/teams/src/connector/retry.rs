//! The connector's own brief, bounded retry. Real back-off belongs to the caller: the
//! `process` function fails the invocation and Service Bus redelivers the message until its
//! maximum delivery count, then dead-letters it
//! (<https://learn.microsoft.com/azure/service-bus-messaging/service-bus-dead-letter-queues#maximum-delivery-count>).
//! Teams asks bots to back off on 429 (<https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit>).

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How [`BotConnector`](super::BotConnector) retries one call before giving the error back.
///
/// Retried within the bounds: 429 (the Connector did not process the request) on every call;
/// 5xx and transport failures only on `PUT` (an update is idempotent; a repeated `POST` could
/// post a second card). A `Retry-After` longer than `max_wait` is not waited for: the error
/// ([`ConnectorError::Throttled`](super::ConnectorError::Throttled)) goes back at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorRetry {
    /// Attempts in all, the first included (default 2; 1 = no retry).
    pub max_attempts: u32,
    /// The longest single wait (default 2 s), also the cap of the waits of one call together.
    pub max_wait: Duration,
    /// The wait when the answer names none (default 500 ms).
    pub default_wait: Duration,
}

impl Default for ConnectorRetry {
    fn default() -> Self {
        ConnectorRetry {
            max_attempts: 2,
            max_wait: Duration::from_secs(2),
            default_wait: Duration::from_millis(500),
        }
    }
}

impl ConnectorRetry {
    /// Never retry: every failure goes straight back to the caller.
    pub fn none() -> Self {
        ConnectorRetry {
            max_attempts: 1,
            ..ConnectorRetry::default()
        }
    }

    /// The wait before the next attempt, or `None` to give up.
    pub(crate) fn wait(&self, attempt: u32, waited: Duration, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = retry_after.unwrap_or(self.default_wait);
        (wait <= self.max_wait && waited + wait <= self.max_wait).then_some(wait)
    }
}

/// `Retry-After` as delta-seconds (the Connector's form); an HTTP date is not interpreted.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e9)
        .map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_bounded_by_attempts_and_time() {
        let r = ConnectorRetry::default();
        assert_eq!(r.wait(1, Duration::ZERO, None), Some(Duration::from_millis(500)));
        assert_eq!(
            r.wait(1, Duration::ZERO, Some(Duration::from_secs(1))),
            Some(Duration::from_secs(1))
        );
        assert_eq!(r.wait(1, Duration::ZERO, Some(Duration::from_secs(30))), None);
        assert_eq!(r.wait(2, Duration::ZERO, None), None);
        assert_eq!(ConnectorRetry::none().wait(1, Duration::ZERO, None), None);
    }

    #[test]
    fn retry_after_reads_seconds() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(RETRY_AFTER, "0.5".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(500)));
        h.insert(RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
