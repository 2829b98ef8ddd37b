//! The store's SQL.

use chrono::{TimeZone, Utc};
use rusqlite::Row;

use super::Message;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS queues (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL,
    session_id TEXT,
    correlation_id TEXT,
    content_type TEXT,
    subject TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    body BLOB NOT NULL,
    enqueued_ms INTEGER NOT NULL,
    delivery_count INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER,
    lock_token TEXT,
    dead_lettered INTEGER NOT NULL DEFAULT 0,
    dead_letter_reason TEXT,
    dead_letter_description TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_queue ON messages (queue, dead_lettered, seq);
CREATE INDEX IF NOT EXISTS messages_by_session ON messages (queue, session_id, seq);
CREATE TABLE IF NOT EXISTS timers (function TEXT PRIMARY KEY, last_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS duplicates (
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seen_ms INTEGER NOT NULL,
    PRIMARY KEY (queue, message_id)
);
";

pub(super) const SELECT: &str = "SELECT queue, seq, message_id, session_id, correlation_id, content_type, subject,
    properties, body, enqueued_ms, delivery_count, locked_until_ms, dead_letter_reason, dead_letter_description,
    last_error FROM messages";

/// ?1 queue, ?2 now: the oldest unlocked active message.
pub(super) const NEXT: &str = "SELECT seq FROM messages
    WHERE queue = ?1 AND dead_lettered = 0 AND (locked_until_ms IS NULL OR locked_until_ms <= ?2)
    ORDER BY seq LIMIT 1";

/// ?1 queue, ?2 now: the oldest unlocked message that is its session's oldest active
/// message (so a session with a message in flight offers nothing).
pub(super) const NEXT_IN_SESSION: &str = "SELECT m.seq FROM messages m
    WHERE m.queue = ?1 AND m.dead_lettered = 0 AND (m.locked_until_ms IS NULL OR m.locked_until_ms <= ?2)
      AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.queue = m.queue AND o.dead_lettered = 0
                      AND o.session_id IS m.session_id AND o.seq < m.seq)
    ORDER BY m.seq LIMIT 1";

/// ?1 queue, ?2 now, ?3 max delivery count, ?4 reason.
pub(super) const DEAD_LETTER_EXPIRED: &str = "UPDATE messages SET dead_lettered = 1, dead_letter_reason = ?4,
        dead_letter_description = COALESCE(last_error, 'the lock expired on the last allowed delivery'),
        locked_until_ms = NULL, lock_token = NULL
    WHERE queue = ?1 AND dead_lettered = 0 AND locked_until_ms IS NOT NULL AND locked_until_ms <= ?2
      AND delivery_count >= ?3";

/// ?1 now: counts per known queue.
pub(super) const COUNTS: &str = "SELECT q.name,
    (SELECT COUNT(*) FROM messages m WHERE m.queue = q.name AND m.dead_lettered = 0
        AND (m.locked_until_ms IS NULL OR m.locked_until_ms <= ?1)),
    (SELECT COUNT(*) FROM messages m WHERE m.queue = q.name AND m.dead_lettered = 0 AND m.locked_until_ms > ?1),
    (SELECT COUNT(*) FROM messages m WHERE m.queue = q.name AND m.dead_lettered = 1)
    FROM queues q ORDER BY q.name";

/// ?1 old seq, ?2 now: a copy of a dead-lettered message back in its queue.
pub(super) const RESUBMIT: &str = "INSERT INTO messages
    (queue, message_id, session_id, correlation_id, content_type, subject, properties, body, enqueued_ms)
    SELECT queue, message_id, session_id, correlation_id, content_type, subject, properties, body, ?2
    FROM messages WHERE seq = ?1";

/// Read a row of [`SELECT`]; the inner error names a corrupt column.
pub(super) fn row_to_message(row: &Row<'_>) -> rusqlite::Result<Result<Message, String>> {
    let properties: String = row.get(7)?;
    let enqueued_ms: i64 = row.get(9)?;
    let locked_until_ms: Option<i64> = row.get(11)?;
    let application_properties = match serde_json::from_str(&properties) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Ok(Err(format!("properties is not a JSON object: {properties}"))),
    };
    let Some(enqueued_time_utc) = Utc.timestamp_millis_opt(enqueued_ms).single() else {
        return Ok(Err(format!("enqueued time out of range: {enqueued_ms}")));
    };
    Ok(Ok(Message {
        queue: row.get(0)?,
        sequence_number: row.get(1)?,
        message_id: row.get(2)?,
        session_id: row.get(3)?,
        correlation_id: row.get(4)?,
        content_type: row.get(5)?,
        subject: row.get(6)?,
        application_properties,
        body: row.get(8)?,
        enqueued_time_utc,
        delivery_count: row.get(10)?,
        locked_until_utc: locked_until_ms.and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
        dead_letter_reason: row.get(12)?,
        dead_letter_error_description: row.get(13)?,
        last_error: row.get(14)?,
    }))
}
