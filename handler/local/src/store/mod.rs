//! The durable queue: Service Bus peek-lock semantics over SQLite.
//!
//! One table holds every queue's messages, active and dead-lettered. Receiving takes a
//! peek-lock: the row gets a lock token and a lock expiry and its `DeliveryCount` is
//! incremented, in one statement. A message is only removed when its delivery is
//! completed, so a process killed mid-delivery loses nothing: the lock expires (or the
//! next host on the same state directory releases it at start) and the message is
//! delivered again, its `DeliveryCount` showing the lost attempt, as on Service Bus.

mod message;
mod sql;
mod timers;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::Notify;

pub use message::{Abandoned, Locked, Message, NewMessage, QueueCounts, SendOutcome};

use crate::error::StoreError;

/// The queue store's file name inside a state directory.
pub const STORE_FILE: &str = "azfn-local-queues.sqlite3";
/// The dead-letter reason Service Bus gives after too many deliveries.
pub const MAX_DELIVERY_COUNT_EXCEEDED: &str = "MaxDeliveryCountExceeded";

/// Delivery settings of the queues (the same for every queue of a store).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueOptions {
    /// Peek-lock duration (Service Bus default: 1 minute).
    pub lock_duration: Duration,
    /// Deliveries before a message is dead-lettered (Service Bus default: 10).
    pub max_delivery_count: u32,
    /// `requiresDuplicateDetection`: drop a message whose `MessageId` was sent within
    /// this window. `None` (the Service Bus default) keeps every message.
    pub duplicate_detection: Option<Duration>,
}

impl Default for QueueOptions {
    fn default() -> Self {
        QueueOptions {
            lock_duration: Duration::from_secs(60),
            max_delivery_count: 10,
            duplicate_detection: None,
        }
    }
}

struct Inner {
    conn: Mutex<Connection>,
    changed: Notify,
    path: Option<PathBuf>,
}

/// A handle on the queues; cheap to clone. Safe to open a second time on the same file
/// from another process (e.g. an operator's replay command) while a host runs.
#[derive(Clone)]
pub struct QueueStore {
    inner: Arc<Inner>,
    options: QueueOptions,
}

impl std::fmt::Debug for QueueStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueStore")
            .field("path", &self.inner.path)
            .field("options", &self.options)
            .finish()
    }
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl QueueStore {
    /// Open (or create) the store of a state directory, without running a host.
    pub fn open_dir(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::StateDir {
            dir: dir.to_owned(),
            source,
        })?;
        Self::open_file(&dir.join(STORE_FILE))
    }

    /// Open (or create) a store file.
    pub fn open_file(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::init(conn, Some(path.to_owned()))
    }

    /// A store that lives in memory (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(conn: Connection, path: Option<PathBuf>) -> Result<Self, StoreError> {
        conn.execute_batch(sql::SCHEMA)?;
        Ok(QueueStore {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                changed: Notify::new(),
                path,
            }),
            options: QueueOptions::default(),
        })
    }

    /// The same store with other delivery settings.
    pub fn with_options(mut self, options: QueueOptions) -> Self {
        self.options = options;
        self
    }

    /// The delivery settings.
    pub fn options(&self) -> &QueueOptions {
        &self.options
    }

    /// The file, for a file-backed store.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (each call is
        // one statement or one transaction), so a poisoned lock is still usable.
        self.inner.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Notified when messages may have become available (sent, abandoned, moved back)
    /// through this handle or its clones.
    pub(crate) fn changes(&self) -> &Notify {
        &self.inner.changed
    }

    fn wake(&self) {
        self.inner.changed.notify_waiters();
    }

    /// Make a queue known so that it is listed even while empty.
    pub fn declare_queue(&self, queue: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("INSERT OR IGNORE INTO queues (name) VALUES (?1)", params![queue])?;
        Ok(())
    }

    /// Send a message to a queue.
    pub fn send(&self, queue: &str, message: NewMessage) -> Result<SendOutcome, StoreError> {
        let message_id = message
            .message_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let now = now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("INSERT OR IGNORE INTO queues (name) VALUES (?1)", params![queue])?;
        if let Some(window) = self.options.duplicate_detection {
            tx.execute("DELETE FROM duplicates WHERE seen_ms < ?1", params![now - ms(window)])?;
            let seen = tx
                .query_row(
                    "SELECT 1 FROM duplicates WHERE queue = ?1 AND message_id = ?2",
                    params![queue, message_id],
                    |_| Ok(()),
                )
                .optional()?;
            if seen.is_some() {
                tracing::debug!(queue, message_id, "duplicate message dropped");
                return Ok(SendOutcome::Duplicate);
            }
            tx.execute(
                "INSERT INTO duplicates (queue, message_id, seen_ms) VALUES (?1, ?2, ?3)",
                params![queue, message_id, now],
            )?;
        }
        tx.execute(
            "INSERT INTO messages (queue, message_id, session_id, correlation_id, content_type, subject, properties, body, enqueued_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                queue,
                message_id,
                message.session_id,
                message.correlation_id,
                message.content_type,
                message.subject,
                serde_json::Value::Object(message.application_properties).to_string(),
                message.body,
                now
            ],
        )?;
        let sequence_number = tx.last_insert_rowid();
        tx.commit()?;
        drop(conn);
        tracing::debug!(queue, message_id, sequence_number, "message enqueued");
        self.wake();
        Ok(SendOutcome::Enqueued(sequence_number))
    }

    /// Take a peek-lock on the next deliverable message of `queue`. With `sessions`, only
    /// the oldest active message of each session is deliverable, so one message per
    /// session is in flight and a session's messages come in order.
    pub fn receive(&self, queue: &str, sessions: bool) -> Result<Option<Locked>, StoreError> {
        let now = now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        // Messages whose lock expired after their last allowed delivery go to the DLQ.
        tx.execute(
            sql::DEAD_LETTER_EXPIRED,
            params![queue, now, self.options.max_delivery_count, MAX_DELIVERY_COUNT_EXCEEDED],
        )?;
        let query = if sessions { sql::NEXT_IN_SESSION } else { sql::NEXT };
        let seq: Option<i64> = tx.query_row(query, params![queue, now], |row| row.get(0)).optional()?;
        let Some(seq) = seq else {
            tx.commit()?;
            return Ok(None);
        };
        let token = uuid::Uuid::new_v4().to_string();
        tx.execute(
            "UPDATE messages SET delivery_count = delivery_count + 1, locked_until_ms = ?2, lock_token = ?3 WHERE seq = ?1",
            params![seq, now + ms(self.options.lock_duration), token],
        )?;
        let message = tx.query_row(
            &format!("{} WHERE seq = ?1", sql::SELECT),
            params![seq],
            sql::row_to_message,
        )?;
        tx.commit()?;
        Ok(Some(Locked {
            message: message.map_err(|m| StoreError::Corrupt {
                sequence_number: seq,
                message: m,
            })?,
            lock_token: token,
        }))
    }

    /// Extend a lock by the lock duration; false when the lock is no longer held.
    pub fn renew_lock(&self, sequence_number: i64, lock_token: &str) -> Result<bool, StoreError> {
        let until = now_ms() + ms(self.options.lock_duration);
        let n = self.conn().execute(
            "UPDATE messages SET locked_until_ms = ?3 WHERE seq = ?1 AND lock_token = ?2 AND dead_lettered = 0",
            params![sequence_number, lock_token, until],
        )?;
        Ok(n == 1)
    }

    /// Complete a delivery: the message is removed. False when the lock was lost.
    pub fn complete(&self, sequence_number: i64, lock_token: &str) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "DELETE FROM messages WHERE seq = ?1 AND lock_token = ?2 AND dead_lettered = 0",
            params![sequence_number, lock_token],
        )?;
        self.wake();
        Ok(n == 1)
    }

    /// Abandon a delivery that failed with `error`: visible again, or dead-lettered with
    /// `MaxDeliveryCountExceeded` and `error` as description once the delivery count
    /// reached the maximum.
    pub fn abandon(&self, sequence_number: i64, lock_token: &str, error: &str) -> Result<Abandoned, StoreError> {
        let conn = self.conn();
        let n = conn.execute(
            "UPDATE messages SET
                dead_lettered = CASE WHEN delivery_count >= ?3 THEN 1 ELSE 0 END,
                dead_letter_reason = CASE WHEN delivery_count >= ?3 THEN ?4 ELSE NULL END,
                dead_letter_description = CASE WHEN delivery_count >= ?3 THEN ?5 ELSE NULL END,
                last_error = ?5, locked_until_ms = NULL, lock_token = NULL
             WHERE seq = ?1 AND lock_token = ?2 AND dead_lettered = 0",
            params![
                sequence_number,
                lock_token,
                self.options.max_delivery_count,
                MAX_DELIVERY_COUNT_EXCEEDED,
                error
            ],
        )?;
        if n == 0 {
            return Ok(Abandoned::LockLost);
        }
        let dead: bool = conn.query_row(
            "SELECT dead_lettered FROM messages WHERE seq = ?1",
            params![sequence_number],
            |r| r.get(0),
        )?;
        drop(conn);
        self.wake();
        Ok(if dead {
            Abandoned::DeadLettered
        } else {
            Abandoned::Retry
        })
    }

    /// Release every lock (a new host on this store at start: the previous host's
    /// deliveries are over). Returns how many messages were released.
    pub fn release_all_locks(&self) -> Result<usize, StoreError> {
        let n = self.conn().execute(
            "UPDATE messages SET locked_until_ms = NULL, lock_token = NULL WHERE lock_token IS NOT NULL AND dead_lettered = 0",
            [],
        )?;
        self.wake();
        Ok(n)
    }

    /// Every known queue with its counts.
    pub fn queues(&self) -> Result<Vec<QueueCounts>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(sql::COUNTS)?;
        let rows = stmt.query_map(params![now_ms()], |row| {
            Ok(QueueCounts {
                name: row.get(0)?,
                active: row.get(1)?,
                locked: row.get(2)?,
                dead_lettered: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `max` messages of a queue (active and locked), oldest first, without locking.
    pub fn peek(&self, queue: &str, max: usize) -> Result<Vec<Message>, StoreError> {
        self.select(
            &format!(
                "{} WHERE queue = ?1 AND dead_lettered = 0 ORDER BY seq LIMIT ?2",
                sql::SELECT
            ),
            queue,
            max,
        )
    }

    /// The dead-letter queue of `queue`, oldest first.
    pub fn dead_letters(&self, queue: &str) -> Result<Vec<Message>, StoreError> {
        self.select(
            &format!(
                "{} WHERE queue = ?1 AND dead_lettered = 1 ORDER BY seq LIMIT ?2",
                sql::SELECT
            ),
            queue,
            usize::MAX,
        )
    }

    fn select(&self, query: &str, queue: &str, max: usize) -> Result<Vec<Message>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(query)?;
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![queue, limit], sql::row_to_message)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?.map_err(|m| StoreError::Corrupt {
                sequence_number: -1,
                message: m,
            })?);
        }
        Ok(out)
    }

    /// Delete one dead-lettered message of `queue` (after an operator resent a copy of it).
    /// False when it is no longer there.
    pub fn remove_dead_letter(&self, queue: &str, sequence_number: i64) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "DELETE FROM messages WHERE queue = ?1 AND seq = ?2 AND dead_lettered = 1",
            params![queue, sequence_number],
        )?;
        Ok(n == 1)
    }

    /// Move dead-lettered messages of `queue` back to it: all of them, or those with these
    /// sequence numbers. Each keeps its `MessageId`, `SessionId`, properties and body, gets
    /// a new sequence number (at the end of the queue) and a `DeliveryCount` of 0. One
    /// transaction: a message is never lost nor duplicated. Duplicate detection does not
    /// apply (unlike a resend on Service Bus, which it would drop within the window).
    /// Returns the new sequence numbers.
    pub fn resubmit_dead_letters(&self, queue: &str, only: Option<&[i64]>) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let candidates: Vec<i64> = {
            let mut stmt =
                tx.prepare("SELECT seq FROM messages WHERE queue = ?1 AND dead_lettered = 1 ORDER BY seq")?;
            let rows = stmt.query_map(params![queue], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut moved = Vec::new();
        for seq in candidates.into_iter().filter(|s| only.is_none_or(|o| o.contains(s))) {
            tx.execute(sql::RESUBMIT, params![seq, now_ms()])?;
            moved.push(tx.last_insert_rowid());
            tx.execute("DELETE FROM messages WHERE seq = ?1", params![seq])?;
        }
        tx.commit()?;
        drop(conn);
        tracing::info!(queue, count = moved.len(), "dead-lettered messages moved back");
        self.wake();
        Ok(moved)
    }
}

#[cfg(test)]
mod tests;
