//! Teams' bot limits (<https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit>): per bot per
//! thread 7 sends in 1 s, 8 in
//! 2 s, 60 in 30 s, 1800 in 3600 s (creating a conversation counts against the channel the
//! same way), and a global 50 requests per second per app and tenant (the newer docs' figure;
//! older docs say 30). Windows are scaled by the simulator's `time_scale`.
//!
//! Message size: Teams documents about 100 KB per bot message (text, card, mentions; counted
//! as UTF-16), answered with 413 `MessageSizeTooBig` (Teams' "Format your bot messages" page).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Per-thread windows: (length, most requests within it).
const THREAD_WINDOWS: [(u64, usize); 4] = [(1, 7), (2, 8), (30, 60), (3600, 1800)];
/// The global per-app-per-tenant window.
const GLOBAL_WINDOW: (u64, usize) = (1, 50);
/// Teams' approximate bot message size limit, in bytes of UTF-16.
pub const MAX_MESSAGE_BYTES: usize = 100 * 1024;

/// Sliding windows of request times, per key.
#[derive(Debug, Default)]
pub(crate) struct RateWindows {
    hits: HashMap<String, VecDeque<Instant>>,
}

impl RateWindows {
    /// Counts a request against `thread` (a conversation or channel id) and the global window;
    /// `Err(wait)` (the request is not counted) when a window is full.
    pub fn admit(&mut self, thread: &str, time_scale: f64) -> Result<(), Duration> {
        let now = Instant::now();
        let scale = |secs: u64| Duration::from_secs(secs).mul_f64(time_scale.max(0.0));
        let longest = scale(THREAD_WINDOWS[THREAD_WINDOWS.len() - 1].0);
        let thread_key = format!("thread:{thread}");
        let mut wait = Duration::ZERO;
        for (key, windows) in [
            (thread_key.as_str(), &THREAD_WINDOWS[..]),
            ("global", std::slice::from_ref(&GLOBAL_WINDOW)),
        ] {
            let hits = self.hits.entry(key.to_owned()).or_default();
            while hits.front().is_some_and(|t| now.duration_since(*t) >= longest) {
                hits.pop_front();
            }
            for &(secs, max) in windows {
                let window = scale(secs);
                let inside: Vec<&Instant> = hits.iter().filter(|t| now.duration_since(**t) < window).collect();
                if inside.len() >= max {
                    // The oldest hit inside the window leaves it first.
                    let oldest = inside[inside.len() - max];
                    wait = wait.max(window.saturating_sub(now.duration_since(*oldest)));
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        for key in [thread_key.as_str(), "global"] {
            self.hits.entry(key.to_owned()).or_default().push_back(now);
        }
        Ok(())
    }
}

/// The size Teams counts for a message: its JSON as UTF-16.
pub(crate) fn message_bytes(activity: &serde_json::Value) -> usize {
    activity.to_string().encode_utf16().count() * 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eighth_send_in_a_second_to_one_thread_waits() {
        let mut w = RateWindows::default();
        for _ in 0..7 {
            assert!(w.admit("t1", 1.0).is_ok());
        }
        let wait = w.admit("t1", 1.0).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert!(w.admit("t2", 1.0).is_ok(), "other threads are not affected");
    }

    #[test]
    fn scaled_windows_pass_quickly() {
        let mut w = RateWindows::default();
        for _ in 0..7 {
            w.admit("t", 0.001).unwrap();
        }
        std::thread::sleep(Duration::from_millis(3));
        assert!(w.admit("t", 0.001).is_ok());
    }
}
