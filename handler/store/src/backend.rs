//! The two backends behind one set of entity operations.

use serde_json::{Map, Value};

use crate::entity::{BackendError, Continuation, ETag, Entity, Page, Query, WriteMode};
use crate::sqlite::SqliteBackend;
use crate::table::TableBackend;

/// Either backend; the store's record logic is written once against this.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Sqlite(SqliteBackend),
    Table(TableBackend),
}

impl Backend {
    pub(crate) async fn get(&self, table: &str, partition: &str, row: &str) -> Result<Option<Entity>, BackendError> {
        match self {
            Backend::Sqlite(b) => b.get(table, partition, row).await,
            Backend::Table(b) => b.get(table, partition, row).await,
        }
    }

    pub(crate) async fn write(
        &self,
        table: &str,
        partition: &str,
        row: &str,
        props: &Map<String, Value>,
        mode: WriteMode,
    ) -> Result<ETag, BackendError> {
        match self {
            Backend::Sqlite(b) => b.write(table, partition, row, props, mode).await,
            Backend::Table(b) => b.write(table, partition, row, props, mode).await,
        }
    }

    pub(crate) async fn delete(&self, table: &str, partition: &str, row: &str) -> Result<bool, BackendError> {
        match self {
            Backend::Sqlite(b) => b.delete(table, partition, row).await,
            Backend::Table(b) => b.delete(table, partition, row).await,
        }
    }

    pub(crate) async fn query(
        &self,
        table: &str,
        query: &Query,
        from: Option<Continuation>,
    ) -> Result<Page, BackendError> {
        match self {
            Backend::Sqlite(b) => b.query(table, query, from).await,
            Backend::Table(b) => b.query(table, query, from).await,
        }
    }

    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Table(_) => "table",
        }
    }
}
