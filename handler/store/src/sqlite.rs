//! The SQLite backend: one table of entities in one file (WAL), calls run on tokio's blocking pool.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use serde_json::{Map, Value};

use crate::entity::{BackendError, Continuation, ETag, Entity, Page, Query, WriteMode, PAGE_SIZE};
use crate::StoreError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entities (
    tbl   TEXT NOT NULL,
    pk    TEXT NOT NULL,
    rk    TEXT NOT NULL,
    etag  TEXT NOT NULL,
    props TEXT NOT NULL,
    PRIMARY KEY (tbl, pk, rk)
) WITHOUT ROWID;";

/// SQLite behind a mutex; every call runs on `spawn_blocking`.
#[derive(Clone)]
pub(crate) struct SqliteBackend {
    conn: Arc<Mutex<Connection>>,
    path: Arc<str>,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteBackend").field("path", &self.path).finish()
    }
}

fn sql_err<'a>(path: &'a str, operation: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + 'a {
    move |source| StoreError::Sqlite {
        operation,
        path: path.to_string(),
        source,
    }
}

fn new_etag() -> ETag {
    ETag(format!("W/\"{}\"", uuid::Uuid::new_v4().simple()))
}

impl SqliteBackend {
    /// Opens (creating if needed) a database file, or memory when `path` is `None`.
    pub(crate) async fn open(path: Option<&Path>) -> Result<Self, StoreError> {
        let owned = path.map(Path::to_path_buf);
        let label: Arc<str> = match &owned {
            Some(p) => p.display().to_string().into(),
            None => ":memory:".into(),
        };
        let label2 = label.clone();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, StoreError> {
            let err = sql_err(&label2, "open");
            let conn = match &owned {
                Some(p) => Connection::open(p).map_err(&err)?,
                None => Connection::open_in_memory().map_err(&err)?,
            };
            conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(&err)?;
            if owned.is_some() {
                conn.pragma_update(None, "journal_mode", "WAL").map_err(&err)?;
                conn.pragma_update(None, "synchronous", "NORMAL").map_err(&err)?;
            }
            conn.execute_batch(SCHEMA).map_err(sql_err(&label2, "create schema"))?;
            Ok(conn)
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))??;
        tracing::debug!(path = %label, "opened SQLite store");
        Ok(SqliteBackend {
            conn: Arc::new(Mutex::new(conn)),
            path: label,
        })
    }

    async fn call<T, F>(&self, f: F) -> Result<T, BackendError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &str) -> Result<T, BackendError> + Send + 'static,
    {
        let conn = self.conn.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard, &path)
        })
        .await
        .map_err(|e| BackendError::Other(StoreError::Worker(e.to_string())))?
    }

    pub(crate) async fn get(&self, table: &str, partition: &str, row: &str) -> Result<Option<Entity>, BackendError> {
        let (table, partition, row) = (table.to_string(), partition.to_string(), row.to_string());
        self.call(move |conn, path| {
            let found: Option<(String, String)> = conn
                .query_row(
                    "SELECT etag, props FROM entities WHERE tbl = ?1 AND pk = ?2 AND rk = ?3",
                    params![table, partition, row],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(sql_err(path, "get"))?;
            found
                .map(|(etag, props)| to_entity(&table, partition, row, etag, &props))
                .transpose()
        })
        .await
    }

    pub(crate) async fn write(
        &self,
        table: &str,
        partition: &str,
        row: &str,
        props: &Map<String, Value>,
        mode: WriteMode,
    ) -> Result<ETag, BackendError> {
        let (table, partition, row) = (table.to_string(), partition.to_string(), row.to_string());
        let body = Value::Object(props.clone()).to_string();
        self.call(move |conn, path| {
            let etag = new_etag();
            match mode {
                WriteMode::Insert => {
                    let res = conn.execute(
                        "INSERT INTO entities (tbl, pk, rk, etag, props) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![table, partition, row, etag.0, body],
                    );
                    match res {
                        Ok(_) => Ok(etag),
                        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
                            Err(BackendError::AlreadyExists)
                        }
                        Err(e) => Err(sql_err(path, "insert")(e).into()),
                    }
                }
                WriteMode::Upsert => {
                    conn.execute(
                        "INSERT INTO entities (tbl, pk, rk, etag, props) VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (tbl, pk, rk) DO UPDATE SET etag = excluded.etag, props = excluded.props",
                        params![table, partition, row, etag.0, body],
                    )
                    .map_err(sql_err(path, "upsert"))?;
                    Ok(etag)
                }
                WriteMode::Replace(expected) => {
                    let tx = conn.transaction().map_err(sql_err(path, "begin"))?;
                    let current: Option<String> = tx
                        .query_row(
                            "SELECT etag FROM entities WHERE tbl = ?1 AND pk = ?2 AND rk = ?3",
                            params![table, partition, row],
                            |r| r.get(0),
                        )
                        .optional()
                        .map_err(sql_err(path, "replace"))?;
                    match current {
                        None => return Err(BackendError::NotFound),
                        Some(c) if c != expected.0 => return Err(BackendError::ETagMismatch),
                        Some(_) => {}
                    }
                    tx.execute(
                        "UPDATE entities SET etag = ?4, props = ?5 WHERE tbl = ?1 AND pk = ?2 AND rk = ?3",
                        params![table, partition, row, etag.0, body],
                    )
                    .map_err(sql_err(path, "replace"))?;
                    tx.commit().map_err(sql_err(path, "commit"))?;
                    Ok(etag)
                }
            }
        })
        .await
    }

    pub(crate) async fn delete(&self, table: &str, partition: &str, row: &str) -> Result<bool, BackendError> {
        let (table, partition, row) = (table.to_string(), partition.to_string(), row.to_string());
        self.call(move |conn, path| {
            let n = conn
                .execute(
                    "DELETE FROM entities WHERE tbl = ?1 AND pk = ?2 AND rk = ?3",
                    params![table, partition, row],
                )
                .map_err(sql_err(path, "delete"))?;
            Ok(n > 0)
        })
        .await
    }

    pub(crate) async fn query(
        &self,
        table: &str,
        query: &Query,
        from: Option<Continuation>,
    ) -> Result<Page, BackendError> {
        let table = table.to_string();
        let query = query.clone();
        self.call(move |conn, path| {
            let (from_pk, from_rk) = match from {
                Some(c) => (Some(c.partition), Some(c.row.unwrap_or_default())),
                None => (None, None),
            };
            let mut stmt = conn
                .prepare_cached(
                    "SELECT pk, rk, etag, props FROM entities
                     WHERE tbl = ?1
                       AND (?2 IS NULL OR pk = ?2)
                       AND (?3 IS NULL OR rk >= ?3)
                       AND (?4 IS NULL OR rk < ?4)
                       AND (?5 IS NULL OR (pk, rk) >= (?5, ?6))
                     ORDER BY pk, rk LIMIT ?7",
                )
                .map_err(sql_err(path, "query"))?;
            let rows = stmt
                .query_map(
                    params![
                        table,
                        query.partition,
                        query.row_from,
                        query.row_to,
                        from_pk,
                        from_rk,
                        PAGE_SIZE + 1
                    ],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get(2)?,
                            r.get::<_, String>(3)?,
                        ))
                    },
                )
                .map_err(sql_err(path, "query"))?;
            let mut entities = Vec::new();
            let mut next = None;
            for row in rows {
                let (pk, rk, etag, props) = row.map_err(sql_err(path, "query"))?;
                if entities.len() == PAGE_SIZE as usize {
                    next = Some(Continuation {
                        partition: pk,
                        row: Some(rk),
                    });
                    break;
                }
                entities.push(to_entity(&table, pk, rk, etag, &props)?);
            }
            Ok(Page { entities, next })
        })
        .await
    }
}

fn to_entity(table: &str, partition: String, row: String, etag: String, props: &str) -> Result<Entity, BackendError> {
    let props = match serde_json::from_str::<Value>(props) {
        Ok(Value::Object(m)) => m,
        other => {
            return Err(BackendError::Other(StoreError::Corrupt {
                record: "entity",
                id: format!("{partition}/{row}"),
                table: table.to_string(),
                reason: match other {
                    Ok(_) => "properties are not a JSON object".to_string(),
                    Err(e) => e.to_string(),
                },
            }))
        }
    };
    Ok(Entity {
        partition,
        row,
        etag: ETag(etag),
        props,
    })
}
