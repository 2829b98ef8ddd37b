//! Timer schedule status (the host's `useMonitor`): the last run of each timer function,
//! kept with the queues so that a restarted host knows what it missed.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, OptionalExtension};

use super::QueueStore;
use crate::error::StoreError;

impl QueueStore {
    /// When `function`'s timer last ran, if it ever did.
    pub fn timer_last_run(&self, function: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let ms: Option<i64> = self
            .conn()
            .query_row(
                "SELECT last_ms FROM timers WHERE function = ?1",
                params![function],
                |r| r.get(0),
            )
            .optional()?;
        Ok(ms.and_then(|ms| Utc.timestamp_millis_opt(ms).single()))
    }

    /// Record a timer run.
    pub fn record_timer_run(&self, function: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO timers (function, last_ms) VALUES (?1, ?2)
             ON CONFLICT (function) DO UPDATE SET last_ms = excluded.last_ms",
            params![function, at.timestamp_millis()],
        )?;
        Ok(())
    }
}
