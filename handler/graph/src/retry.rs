//! Retry policy: what is retried, how long to wait, when to give up. Graph asks clients to wait the
//! `Retry-After` of a 429 or 503, and to back off exponentially when there is none
//! (<https://learn.microsoft.com/graph/throttling>).

use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// How the client retries a request.
///
/// Retried: 429, 503, 504 (as many times as `max_attempts` allows), 500 and 502 (at most
/// `max_server_error_retries` times), connection errors and timeouts. Never retried: every other
/// status (400, 401, 403, 404, 409, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 6).
    pub max_attempts: u32,
    /// Retries allowed for 500 and 502 (default 2).
    pub max_server_error_retries: u32,
    /// First back-off step; step n waits `min(max_delay, base_delay * 2^(n-1))` times a random 0.5..1.0.
    pub base_delay: Duration,
    /// Cap of one back-off step (default 60 s).
    pub max_delay: Duration,
    /// Cap of a `Retry-After` Graph asks for (default 300 s).
    pub max_retry_after: Duration,
    /// Random extra added to a `Retry-After` wait, from zero up to this (default 1 s).
    pub retry_after_jitter: Duration,
    /// Give up rather than wait if the waits of one request would add up past this.
    pub max_total_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            max_server_error_retries: 2,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
            retry_after_jitter: Duration::from_secs(1),
            max_total_delay: Duration::from_secs(600),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Whether an answer with this status may be retried after `retries_so_far` earlier retries of 500/502.
    pub fn is_retryable_status(&self, status: u16, server_error_retries: u32) -> bool {
        match status {
            429 | 503 | 504 => true,
            500 | 502 => server_error_retries < self.max_server_error_retries,
            _ => false,
        }
    }

    /// The wait before attempt `attempt + 1`, given the `Retry-After` of the last answer, if any.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let mut rng = rand::thread_rng();
        match retry_after {
            Some(wait) => {
                let jitter_ms = self.retry_after_jitter.as_millis() as u64;
                let jitter = if jitter_ms == 0 {
                    0
                } else {
                    rng.gen_range(0..=jitter_ms)
                };
                wait.min(self.max_retry_after) + Duration::from_millis(jitter)
            }
            None => {
                let exp = attempt.saturating_sub(1).min(30);
                let step = self.base_delay.saturating_mul(1u32 << exp).min(self.max_delay);
                step.mul_f64(rng.gen_range(0.5..=1.0))
            }
        }
    }
}

/// Reads `Retry-After` in either form: delta-seconds (`"7"`) or an HTTP date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`, measured from now; a date in the past means no wait).
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    parse_retry_after_value(value, chrono::Utc::now())
}

/// `Retry-After` parsing against a given "now" (testable).
pub fn parse_retry_after_value(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// How the client waits between attempts. Tokio's sleep by default; tests swap in a recorder.
pub type SleepFn = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Tokio's sleep as a [`SleepFn`].
pub fn tokio_sleep() -> SleepFn {
    Arc::new(|d| Box::pin(tokio::time::sleep(d)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn retry_after_seconds_form_is_read() {
        let now = chrono::Utc::now();
        assert_eq!(parse_retry_after_value("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after_value("0", now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_date_form_is_measured_from_now() {
        let now = chrono::Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 50).unwrap();
        let got = parse_retry_after_value("Wed, 21 Oct 2015 07:28:00 GMT", now);
        assert_eq!(got, Some(Duration::from_secs(10)));
    }

    #[test]
    fn retry_after_date_in_the_past_means_no_wait() {
        let now = chrono::Utc.with_ymd_and_hms(2015, 10, 21, 8, 0, 0).unwrap();
        assert_eq!(
            parse_retry_after_value("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn garbage_retry_after_is_ignored() {
        assert_eq!(parse_retry_after_value("soon", chrono::Utc::now()), None);
        assert_eq!(parse_retry_after_value("-3", chrono::Utc::now()), None);
    }

    #[test]
    fn backoff_grows_and_is_capped_with_jitter() {
        let p = RetryPolicy::default();
        for attempt in 1..10 {
            let d = p.delay(attempt, None);
            let full = Duration::from_secs(1u64 << (attempt - 1)).min(p.max_delay);
            assert!(
                d >= full / 2 && d <= full,
                "attempt {attempt}: {d:?} not in [{:?}, {full:?}]",
                full / 2
            );
        }
    }

    #[test]
    fn retry_after_is_capped_and_jittered_by_at_most_the_jitter() {
        let p = RetryPolicy::default();
        let d = p.delay(1, Some(Duration::from_secs(3600)));
        assert!(d >= p.max_retry_after && d <= p.max_retry_after + p.retry_after_jitter);
    }

    #[test]
    fn only_throttling_and_unavailability_are_retried_without_limit() {
        let p = RetryPolicy::default();
        for s in [429, 503, 504] {
            assert!(p.is_retryable_status(s, 99));
        }
        for s in [500, 502] {
            assert!(p.is_retryable_status(s, 1));
            assert!(!p.is_retryable_status(s, 2));
        }
        for s in [400, 401, 403, 404, 409, 410, 412] {
            assert!(!p.is_retryable_status(s, 0));
        }
    }
}
