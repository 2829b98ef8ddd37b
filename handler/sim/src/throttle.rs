//! Throttling per class of route and per calling app, with a time scale for fast tests.
//!
//! Each class allows `limit` requests per sliding `window` per app (the app id is read,
//! unverified, from the bearer token's `appid`/`azp`; callers without one share the id
//! `anonymous`). Only admitted requests count. A request matching several classes (an Intune
//! write matches `intune` and `intune-write`) is admitted only if every class has room.
//!
//! Time scale: windows last `window × time_scale` of wall-clock time. A throttled response
//! carries `Retry-After` in *simulated* seconds (what the real service would say, at least 1)
//! and `x-sim-retry-after-ms` in wall-clock milliseconds. A client under test honours the
//! wait either by reading `x-sim-retry-after-ms` or by scaling `Retry-After` with the same
//! time scale (e.g. a configurable retry-delay multiplier).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::pattern::RoutePattern;

/// Header with the wall-clock wait in milliseconds (scaled `Retry-After`).
pub const SIM_RETRY_AFTER_MS: &str = "x-sim-retry-after-ms";

/// A class of routes sharing one limit per app.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleClass {
    /// Name used in assertions, e.g. `intune`.
    pub name: String,
    /// Requests allowed per window per app.
    pub limit: u32,
    /// The window in simulated time.
    pub window: Duration,
    /// Routes in the class.
    pub routes: Vec<RoutePattern>,
    /// Count only writes (POST, PUT, PATCH, DELETE).
    pub writes_only: bool,
}

fn intune_routes() -> Vec<RoutePattern> {
    [
        "/v1.0/deviceManagement/*",
        "/beta/deviceManagement/*",
        "/v1.0/users/*/managedDevices*",
        "/beta/users/*/managedDevices*",
    ]
    .into_iter()
    .map(RoutePattern::any)
    .collect()
}

impl ThrottleClass {
    /// A class over `routes` allowing `limit` requests per `window` per app.
    pub fn new(name: impl Into<String>, limit: u32, window: Duration, routes: Vec<RoutePattern>) -> Self {
        Self {
            name: name.into(),
            limit,
            window,
            routes,
            writes_only: false,
        }
    }

    /// Intune devices, any request: 2,000 per 20 s per app and tenant
    /// (<https://learn.microsoft.com/graph/throttling-limits>).
    pub fn intune() -> Self {
        Self::new("intune", 2000, Duration::from_secs(20), intune_routes())
    }

    /// Intune devices, writes: 200 per 20 s per app and tenant (<https://learn.microsoft.com/graph/throttling-limits>).
    pub fn intune_writes() -> Self {
        Self {
            writes_only: true,
            ..Self::new("intune-write", 200, Duration::from_secs(20), intune_routes())
        }
    }

    fn applies(&self, method: &str, path: &str) -> bool {
        let write = matches!(method, "POST" | "PUT" | "PATCH" | "DELETE");
        (!self.writes_only || write) && self.routes.iter().any(|r| r.matches(method, path))
    }
}

#[derive(Debug)]
struct ClassState {
    class: ThrottleClass,
    per_app: HashMap<String, VecDeque<Instant>>,
    admitted: u64,
    throttled: u64,
}

/// The throttle of one simulator.
#[derive(Debug)]
pub struct Throttle {
    classes: Mutex<Vec<ClassState>>,
    time_scale: Mutex<f64>,
}

/// Why a request was refused: the simulated and the wall-clock wait.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refusal {
    /// What `Retry-After` says, in simulated seconds.
    pub retry_after_secs: u64,
    /// The wall-clock wait that matches it.
    pub real_wait: Duration,
}

impl Throttle {
    pub(crate) fn new(time_scale: f64) -> Self {
        Self {
            classes: Mutex::new(Vec::new()),
            time_scale: Mutex::new(time_scale),
        }
    }

    /// Adds a class, replacing one with the same name (its counts restart).
    pub fn set_class(&self, class: ThrottleClass) {
        let mut classes = self.classes.lock().unwrap_or_else(|p| p.into_inner());
        classes.retain(|c| c.class.name != class.name);
        classes.push(ClassState {
            class,
            per_app: HashMap::new(),
            admitted: 0,
            throttled: 0,
        });
    }

    /// Removes a class by name.
    pub fn remove_class(&self, name: &str) {
        self.classes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|c| c.class.name != name);
    }

    /// The configured classes.
    pub fn classes(&self) -> Vec<ThrottleClass> {
        self.classes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|c| c.class.clone())
            .collect()
    }

    /// Sets the time scale (0.01: a 20 s window lasts 200 ms).
    pub fn set_time_scale(&self, scale: f64) {
        *self.time_scale.lock().unwrap_or_else(|p| p.into_inner()) = scale;
    }

    /// The current time scale.
    pub fn time_scale(&self) -> f64 {
        *self.time_scale.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many requests of a class were refused with 429.
    pub fn throttled(&self, class: &str) -> u64 {
        self.with_class(class, |c| c.throttled)
    }

    /// How many requests of a class were admitted.
    pub fn admitted(&self, class: &str) -> u64 {
        self.with_class(class, |c| c.admitted)
    }

    /// Forgets every window and count (classes stay).
    pub fn reset(&self) {
        for c in self.classes.lock().unwrap_or_else(|p| p.into_inner()).iter_mut() {
            c.per_app.clear();
            c.admitted = 0;
            c.throttled = 0;
        }
    }

    fn with_class(&self, name: &str, f: impl Fn(&ClassState) -> u64) -> u64 {
        self.classes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|c| c.class.name == name)
            .map(f)
            .unwrap_or(0)
    }

    /// Admits (and counts) the request, or says how long to wait.
    pub(crate) fn check(&self, method: &str, path: &str, app: &str) -> Result<(), Refusal> {
        let scale = self.time_scale().max(0.0);
        let now = Instant::now();
        let mut classes = self.classes.lock().unwrap_or_else(|p| p.into_inner());
        let mut refusal: Option<Refusal> = None;
        for c in classes.iter_mut().filter(|c| c.class.applies(method, path)) {
            let window = c.class.window.mul_f64(scale);
            let log = c.per_app.entry(app.to_owned()).or_default();
            while log.front().is_some_and(|t| now.duration_since(*t) >= window) {
                log.pop_front();
            }
            if log.len() >= c.class.limit as usize {
                let oldest = log.front().copied().unwrap_or(now);
                let real_wait = window.saturating_sub(now.duration_since(oldest));
                let simulated = if scale > 0.0 {
                    real_wait.as_secs_f64() / scale
                } else {
                    0.0
                };
                let r = Refusal {
                    retry_after_secs: (simulated.ceil() as u64).max(1),
                    real_wait,
                };
                refusal = Some(match refusal {
                    Some(prev) if prev.real_wait >= r.real_wait => prev,
                    _ => r,
                });
            }
        }
        let applicable = classes.iter_mut().filter(|c| c.class.applies(method, path));
        match refusal {
            Some(r) => {
                for c in applicable {
                    c.throttled += 1;
                }
                Err(r)
            }
            None => {
                for c in applicable {
                    c.admitted += 1;
                    c.per_app.entry(app.to_owned()).or_default().push_back(now);
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_class_ignores_reads() {
        let c = ThrottleClass::intune_writes();
        assert!(!c.applies("GET", "/v1.0/deviceManagement/managedDevices"));
        assert!(c.applies("POST", "/v1.0/deviceManagement/managedDevices/d1/syncDevice"));
        assert!(ThrottleClass::intune().applies("GET", "/v1.0/users/u1/managedDevices"));
    }

    #[test]
    fn limit_is_per_app_and_window_slides() {
        let t = Throttle::new(0.001);
        t.set_class(ThrottleClass::new(
            "c",
            2,
            Duration::from_secs(20),
            vec![RoutePattern::any("/x")],
        ));
        assert!(t.check("GET", "/x", "a").is_ok());
        assert!(t.check("GET", "/x", "a").is_ok());
        let refusal = t.check("GET", "/x", "a").unwrap_err();
        assert!(refusal.retry_after_secs >= 1 && refusal.retry_after_secs <= 20);
        assert!(t.check("GET", "/x", "b").is_ok());
        std::thread::sleep(Duration::from_millis(25));
        assert!(t.check("GET", "/x", "a").is_ok());
        assert_eq!((t.admitted("c"), t.throttled("c")), (4, 1));
    }
}
