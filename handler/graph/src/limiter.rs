//! A sliding-window request limiter for Intune's per-app limits
//! (<https://learn.microsoft.com/graph/throttling-limits#intune-devices-service-limits>).
//!
//! Intune allows an app 200 writes and 2,000 requests of any kind per 20 seconds per tenant. The
//! limiter keeps the time of every request admitted within the window and makes a caller wait until
//! admitting it would keep both counts within their limits. A retry is a request too: the client
//! acquires once per attempt.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// What kind of request is asking to go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestClass {
    /// GET and HEAD: counts against the "any request" limit.
    Read,
    /// POST, PUT, PATCH, DELETE: counts against both the write and the "any request" limit.
    Write,
}

impl RequestClass {
    /// The class of an HTTP method.
    pub fn of_method(method: &str) -> RequestClass {
        if method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD") {
            RequestClass::Read
        } else {
            RequestClass::Write
        }
    }
}

/// Limits of a [`RateLimiter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Writes admitted per window.
    pub writes: usize,
    /// Requests of any kind admitted per window.
    pub requests: usize,
    /// The window.
    pub window: Duration,
}

impl RateLimits {
    /// Intune's documented per-app-per-tenant limits: 200 writes and 2,000 requests per 20 s.
    pub const INTUNE_PER_APP: RateLimits = RateLimits {
        writes: 200,
        requests: 2_000,
        window: Duration::from_secs(20),
    };

    /// 75 % of the per-app limits (150 writes, 1,500 requests per 20 s): a margin for other callers
    /// with the same app id in the tenant and for our own retries.
    pub const INTUNE_RECOMMENDED: RateLimits = RateLimits {
        writes: 150,
        requests: 1_500,
        window: Duration::from_secs(20),
    };
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits::INTUNE_RECOMMENDED
    }
}

/// A sliding-window limiter shared by every request of a class (for example all Intune calls).
#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    state: Mutex<Window>,
}

#[derive(Debug, Default)]
struct Window {
    all: VecDeque<Instant>,
    writes: VecDeque<Instant>,
}

impl RateLimiter {
    /// A limiter with these limits. A limit of zero is treated as one.
    pub fn new(limits: RateLimits) -> Self {
        let limits = RateLimits {
            writes: limits.writes.max(1),
            requests: limits.requests.max(1),
            ..limits
        };
        RateLimiter {
            limits,
            state: Mutex::new(Window::default()),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Waits until a request of `class` may go, then counts it.
    pub async fn acquire(&self, class: RequestClass) {
        loop {
            let wait_until = match self.try_acquire_at(class, Instant::now()) {
                Ok(()) => return,
                Err(until) => until,
            };
            tracing::debug!(
                ?class,
                wait_ms = (wait_until - Instant::now()).as_millis() as u64,
                "rate limiter wait"
            );
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// Counts a request at `now` if it fits; otherwise tells when to try again.
    fn try_acquire_at(&self, class: RequestClass, now: Instant) -> Result<(), Instant> {
        let mut guard = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let w = &mut *guard;
        let window = self.limits.window;
        for q in [&mut w.all, &mut w.writes] {
            while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
                q.pop_front();
            }
        }
        let all_full = w.all.len() >= self.limits.requests;
        let writes_full = class == RequestClass::Write && w.writes.len() >= self.limits.writes;
        if !all_full && !writes_full {
            w.all.push_back(now);
            if class == RequestClass::Write {
                w.writes.push_back(now);
            }
            return Ok(());
        }
        // The earliest moment the oldest blocking entry leaves the window.
        let mut until = now;
        if all_full {
            if let Some(t) = w.all.front() {
                until = until.max(*t + window);
            }
        }
        if writes_full {
            if let Some(t) = w.writes.front() {
                until = until.max(*t + window);
            }
        }
        Err(until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn max_in_any_window(times: &[Instant], window: Duration) -> usize {
        times
            .iter()
            .map(|start| times.iter().filter(|t| **t >= *start && **t - *start < window).count())
            .max()
            .unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn burst_of_writes_is_paced_within_the_window_limit() {
        let limiter = Arc::new(RateLimiter::new(RateLimits {
            writes: 5,
            requests: 100,
            window: Duration::from_secs(20),
        }));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let l = limiter.clone();
            tasks.push(tokio::spawn(async move {
                l.acquire(RequestClass::Write).await;
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.expect("task"));
        }
        times.sort();
        assert_eq!(max_in_any_window(&times, Duration::from_secs(20)), 5);
        // 12 writes at 5 per 20 s: the last goes out 40 s after the first.
        assert_eq!(times[11] - start, Duration::from_secs(40));
        assert_eq!(times[4] - start, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn reads_are_not_held_back_by_the_write_limit() {
        let limiter = RateLimiter::new(RateLimits {
            writes: 1,
            requests: 10,
            window: Duration::from_secs(20),
        });
        let start = Instant::now();
        limiter.acquire(RequestClass::Write).await;
        for _ in 0..5 {
            limiter.acquire(RequestClass::Read).await;
        }
        assert_eq!(Instant::now(), start);
        limiter.acquire(RequestClass::Write).await;
        assert_eq!(Instant::now() - start, Duration::from_secs(20));
    }

    #[tokio::test(start_paused = true)]
    async fn writes_count_against_the_overall_limit() {
        let limiter = RateLimiter::new(RateLimits {
            writes: 10,
            requests: 3,
            window: Duration::from_secs(10),
        });
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire(RequestClass::Write).await;
        }
        limiter.acquire(RequestClass::Read).await;
        assert_eq!(Instant::now() - start, Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn window_slides_rather_than_resets() {
        let limiter = RateLimiter::new(RateLimits {
            writes: 2,
            requests: 100,
            window: Duration::from_secs(20),
        });
        let start = Instant::now();
        limiter.acquire(RequestClass::Write).await; // t=0
        tokio::time::sleep(Duration::from_secs(15)).await;
        limiter.acquire(RequestClass::Write).await; // t=15
        limiter.acquire(RequestClass::Write).await; // must wait for t=0 to leave: t=20
        assert_eq!(Instant::now() - start, Duration::from_secs(20));
        limiter.acquire(RequestClass::Write).await; // must wait for t=15 to leave: t=35
        assert_eq!(Instant::now() - start, Duration::from_secs(35));
    }

    #[test]
    fn methods_map_to_classes() {
        assert_eq!(RequestClass::of_method("GET"), RequestClass::Read);
        assert_eq!(RequestClass::of_method("post"), RequestClass::Write);
        assert_eq!(RequestClass::of_method("DELETE"), RequestClass::Write);
    }
}
