//! The append-only audit trail, queryable by request, by user and by time range.
//!
//! Each event is written three times, into partitions `r|{request}`, `u|{user}` and `t|{YYYY-MM}`,
//! with the RowKey `{time, fixed width}|{event id}`, so every query is a single-partition range
//! scan returned in time order. Writes are upserts of the same id, so a retried append is harmless.
//! The detail JSON may be up to [`MAX_DETAIL_BYTES`]; above 64 KiB it is split over properties
//! `detail`, `detail1`, `detail2`, ... and joined again on read. The whole entity must also fit a
//! 1 MiB request body with non-ASCII escaped (see [`crate::limits`]), so heavily non-ASCII details
//! hold less.

use chrono::{DateTime, Datelike, Months, Utc};
use serde_json::{Map, Value};

use crate::entity::{Entity, Query, WriteMode};
use crate::keys::encode_key;
use crate::limits::{string_bytes, MAX_STRING_BYTES};
use crate::store::Table;
use crate::{Result, Store, StoreError};

/// Largest audit detail (serialised JSON), in Table bytes (UTF-16), leaving room for the rest of
/// the 1 MiB entity.
pub const MAX_DETAIL_BYTES: usize = 960 * 1024;
const KIND: &str = "audit event";
const TIME_FORMAT: &str = "%Y%m%dT%H%M%S%.6fZ";

/// Something that happened, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// The access package assignment request it concerns.
    pub request_id: String,
    /// The user it concerns.
    pub user: String,
    /// When it happened (stored to the microsecond).
    pub at: DateTime<Utc>,
    /// Who did it: `jitadmin`, an approver's id, `drift`, ...
    pub actor: String,
    /// What was done, e.g. `decided`, `approved`, `synced`.
    pub action: String,
    /// Details (facts, rule explanations, Graph request ids).
    pub detail: Value,
}

/// An audit event with the id the store gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Unique id of the event.
    pub id: String,
    /// The event.
    pub event: AuditEvent,
}

fn row_key(at: DateTime<Utc>, id: &str) -> String {
    format!("{}|{id}", at.format(TIME_FORMAT))
}

fn time_bound(at: DateTime<Utc>) -> String {
    at.format(TIME_FORMAT).to_string()
}

fn month_partition(at: DateTime<Utc>) -> String {
    format!("t|{:04}-{:02}", at.year(), at.month())
}

/// Splits a string into pieces of at most `MAX_STRING_BYTES` UTF-16 bytes, on char boundaries.
fn split_detail(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut units = 0;
    for c in s.chars() {
        let n = c.len_utf16() * 2;
        if units + n > MAX_STRING_BYTES {
            parts.push(std::mem::take(&mut current));
            units = 0;
        }
        current.push(c);
        units += n;
    }
    parts.push(current);
    parts
}

fn detail_name(i: usize) -> String {
    if i == 0 {
        "detail".to_string()
    } else {
        format!("detail{i}")
    }
}

fn to_props(id: &str, event: &AuditEvent) -> Result<Map<String, Value>> {
    let detail = event.detail.to_string();
    let size = string_bytes(&detail);
    if size > MAX_DETAIL_BYTES {
        return Err(StoreError::ValueTooLarge {
            record: KIND,
            field: "detail".to_string(),
            size,
            limit: MAX_DETAIL_BYTES,
        });
    }
    let mut m = Map::new();
    m.insert("id".into(), id.into());
    m.insert("requestId".into(), event.request_id.clone().into());
    m.insert("user".into(), event.user.clone().into());
    m.insert("at".into(), event.at.to_rfc3339().into());
    m.insert("actor".into(), event.actor.clone().into());
    m.insert("action".into(), event.action.clone().into());
    let parts = split_detail(&detail);
    m.insert("detailParts".into(), Value::from(parts.len()));
    for (i, part) in parts.into_iter().enumerate() {
        m.insert(detail_name(i), part.into());
    }
    Ok(m)
}

fn from_entity(table: &str, e: Entity) -> Result<AuditRecord> {
    let corrupt = |reason: String| StoreError::Corrupt {
        record: KIND,
        id: format!("{}/{}", e.partition, e.row),
        table: table.to_string(),
        reason,
    };
    let text = |name: &str| -> Result<String> {
        e.props
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| corrupt(format!("no {name}")))
    };
    let parts = match e.props.get("detailParts") {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(1),
        Some(Value::String(s)) => s.parse().unwrap_or(1),
        _ => 1,
    } as usize;
    let mut detail = String::new();
    for i in 0..parts {
        detail.push_str(&text(&detail_name(i))?);
    }
    let at = DateTime::parse_from_rfc3339(&text("at")?)
        .map_err(|err| corrupt(format!("bad time: {err}")))?
        .with_timezone(&Utc);
    Ok(AuditRecord {
        id: text("id")?,
        event: AuditEvent {
            request_id: text("requestId")?,
            user: text("user")?,
            at,
            actor: text("actor")?,
            action: text("action")?,
            detail: serde_json::from_str(&detail).map_err(|err| corrupt(format!("bad detail JSON: {err}")))?,
        },
    })
}

impl Store {
    /// Appends an event to the audit trail and returns its id.
    pub async fn audit_append(&self, event: &AuditEvent) -> Result<String> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let props = to_props(&id, event)?;
        let row = row_key(event.at, &id);
        let by_request = format!("r|{}", encode_key(&event.request_id));
        let by_user = format!("u|{}", encode_key(&event.user));
        let by_month = month_partition(event.at);
        let write = |partition: &'_ str| {
            let partition = partition.to_string();
            let (row, id, props) = (&row, &id, &props);
            async move {
                self.write_props(KIND, Table::Audit, &partition, row, id, props, WriteMode::Upsert)
                    .await
            }
        };
        tokio::try_join!(write(&by_request), write(&by_user), write(&by_month))?;
        tracing::debug!(audit_id = %id, request_id = %event.request_id, action = %event.action, "audit event appended");
        Ok(id)
    }

    async fn audit_partition(
        &self,
        partition: String,
        from: Option<String>,
        to: Option<String>,
    ) -> Result<Vec<AuditRecord>> {
        let table = self.table_name(Table::Audit);
        self.scan_entities(
            Table::Audit,
            &Query {
                partition: Some(partition),
                row_from: from,
                row_to: to,
            },
        )
        .await?
        .into_iter()
        .map(|e| from_entity(&table, e))
        .collect()
    }

    /// A request's audit trail, in time order.
    pub async fn audit_by_request(&self, request_id: &str) -> Result<Vec<AuditRecord>> {
        self.audit_partition(format!("r|{}", encode_key(request_id)), None, None)
            .await
    }

    /// A user's audit trail, in time order.
    pub async fn audit_by_user(&self, user: &str) -> Result<Vec<AuditRecord>> {
        self.audit_partition(format!("u|{}", encode_key(user)), None, None)
            .await
    }

    /// Every event with `from <= at < to`, in time order (one partition scan per calendar month).
    pub async fn audit_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<AuditRecord>> {
        let mut out = Vec::new();
        if from >= to {
            return Ok(out);
        }
        let first_day = from.date_naive().with_day(1).and_then(|d| d.and_hms_opt(0, 0, 0));
        let mut month = first_day.map(|d| d.and_utc()).unwrap_or(from);
        while month < to {
            out.extend(
                self.audit_partition(month_partition(month), Some(time_bound(from)), Some(time_bound(to)))
                    .await?,
            );
            match month.checked_add_months(Months::new(1)) {
                Some(next) => month = next,
                None => break,
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_details_split_on_char_boundaries_and_join_back() {
        let s: String = "é😀x".repeat(40_000);
        let parts = split_detail(&s);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| string_bytes(p) <= MAX_STRING_BYTES));
        assert_eq!(parts.concat(), s);
    }

    #[test]
    fn row_keys_sort_in_time_order() {
        let a = "2026-01-02T03:04:05.000001Z".parse().unwrap();
        let b = "2026-01-02T03:04:05.000010Z".parse().unwrap();
        assert!(row_key(a, "z") < row_key(b, "a"));
    }
}
