//! Injected faults per route: 429 (with or without Retry-After), 500, 503, latency, dropped connections.

use std::sync::Mutex;
use std::time::Duration;

use crate::pattern::RoutePattern;

/// What happens to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// 429 `TooManyRequests` in Graph's shape; `Retry-After: <seconds>` when given.
    TooManyRequests {
        /// Seconds for the `Retry-After` header; `None` sends no header.
        retry_after: Option<u64>,
    },
    /// 500 `generalException`.
    InternalServerError,
    /// 503 `serviceNotAvailable`; `Retry-After: <seconds>` when given.
    ServiceUnavailable {
        /// Seconds for the `Retry-After` header; `None` sends no header.
        retry_after: Option<u64>,
    },
    /// Wait this long, then serve the request normally.
    Latency(Duration),
    /// Close the TCP connection without sending any response.
    DropConnection,
}

/// A fault for requests matching a route, for the next N of them or until cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// Which requests.
    pub route: RoutePattern,
    /// What happens to them.
    pub kind: FaultKind,
    /// How many matching requests it applies to; `None` = every one until cleared.
    pub times: Option<u32>,
}

impl FaultRule {
    /// A rule for the next matching request only (change with [`times`](Self::times) or [`always`](Self::always)).
    pub fn new(route: RoutePattern, kind: FaultKind) -> Self {
        Self {
            route,
            kind,
            times: Some(1),
        }
    }

    /// Applies to the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Applies to every matching request until the faults are cleared.
    pub fn always(mut self) -> Self {
        self.times = None;
        self
    }
}

/// The injected faults of one simulator. Rules are tried in insertion order; the first live
/// matching rule applies (and uses up one of its `times`).
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    injected: Mutex<u64>,
}

impl Faults {
    /// Adds a rule.
    pub fn inject(&self, rule: FaultRule) {
        tracing::debug!(route = %rule.route, kind = ?rule.kind, times = ?rule.times, "fault injected");
        self.rules.lock().unwrap_or_else(|p| p.into_inner()).push(rule);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// How many requests a fault was applied to so far.
    pub fn injected(&self) -> u64 {
        *self.injected.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Rules still live (those with `times` left, and `always` rules).
    pub fn rules(&self) -> Vec<FaultRule> {
        self.rules.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn take(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut rules = self.rules.lock().unwrap_or_else(|p| p.into_inner());
        let pos = rules
            .iter()
            .position(|r| r.route.matches(method, path) && r.times != Some(0))?;
        let kind = rules[pos].kind.clone();
        if let Some(n) = rules[pos].times.as_mut() {
            *n -= 1;
            if *n == 0 {
                rules.remove(pos);
            }
        }
        *self.injected.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        Some(kind)
    }
}
