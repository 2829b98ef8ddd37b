//! The [`Store`]: opening a backend, and the typed read/write/scan every record module builds on.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::backend::Backend;
use crate::config::{BackendConfig, StoreConfig};
use crate::entity::{BackendError, ETag, Entity, Query, WriteMode};
use crate::keys::encode_key;
use crate::limits::check_entity;
use crate::sqlite::SqliteBackend;
use crate::table::auth::{Authorizer, BearerSource};
use crate::table::TableBackend;
use crate::{ConfigError, Result, StoreError};

/// A record with the ETag it was read with, for a later conditional replace.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    /// The record.
    pub value: T,
    /// Its version when read.
    pub etag: ETag,
}

/// The tables the store keeps (each prefixed with [`StoreConfig::table_prefix`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Ledger,
    Approvals,
    Subscriptions,
    DeltaLinks,
    Elevations,
    Audit,
    Claims,
    TeamsContacts,
}

impl Table {
    pub(crate) const ALL: [Table; 8] = [
        Table::Ledger,
        Table::Approvals,
        Table::Subscriptions,
        Table::DeltaLinks,
        Table::Elevations,
        Table::Audit,
        Table::Claims,
        Table::TeamsContacts,
    ];

    fn base_name(self) -> &'static str {
        match self {
            Table::Ledger => "ledger",
            Table::Approvals => "approvals",
            Table::Subscriptions => "subscriptions",
            Table::DeltaLinks => "deltalinks",
            Table::Elevations => "elevations",
            Table::Audit => "audit",
            Table::Claims => "claims",
            Table::TeamsContacts => "teamscontacts",
        }
    }
}

/// A typed record kept in one table.
pub(crate) trait Record: Serialize + DeserializeOwned {
    /// What it is called in errors, e.g. `approval`.
    const KIND: &'static str;
    /// Where it lives.
    const TABLE: Table;
}

/// jitadmin's state store. Cheap to clone; share one per process.
///
/// Every method is safe to call concurrently from many tasks; writes that must not race use
/// conditional inserts or ETags, on both backends.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    backend: Backend,
    prefix: String,
    description: String,
}

impl Store {
    /// Opens the configured backend and creates its tables if missing.
    ///
    /// `credential` is required for `table+identity:` settings (e.g. azure_identity's
    /// `ManagedIdentityCredential`) and ignored otherwise.
    pub async fn open(config: &StoreConfig, credential: Option<Arc<dyn TokenCredential>>) -> Result<Store> {
        let backend = match &config.backend {
            BackendConfig::Sqlite { path } => Backend::Sqlite(SqliteBackend::open(Some(path)).await?),
            BackendConfig::SqliteMemory => Backend::Sqlite(SqliteBackend::open(None).await?),
            BackendConfig::TableSharedKey { endpoint, account, key } => Backend::Table(TableBackend::new(
                endpoint,
                account,
                Authorizer::SharedKey { key: key.clone() },
            )?),
            BackendConfig::TableIdentity { endpoint, account } => {
                let credential = credential.ok_or_else(|| ConfigError::BadEndpoint {
                    endpoint: endpoint.to_string(),
                    reason: "table+identity: needs a token credential (e.g. managed identity), none was given"
                        .to_string(),
                })?;
                Backend::Table(TableBackend::new(
                    endpoint,
                    account,
                    Authorizer::Bearer(Arc::new(BearerSource::new(credential))),
                )?)
            }
        };
        let store = Store {
            inner: Arc::new(Inner {
                backend,
                prefix: config.table_prefix.clone(),
                description: config.to_string(),
            }),
        };
        if let Backend::Table(t) = &store.inner.backend {
            for table in Table::ALL {
                t.ensure_table(&store.table_name(table)).await?;
            }
        }
        tracing::info!(store = %store.inner.description, "state store open");
        Ok(store)
    }

    /// Parses a setting (see [`StoreConfig`]) and opens it with the default table prefix.
    pub async fn open_setting(setting: &str, credential: Option<Arc<dyn TokenCredential>>) -> Result<Store> {
        Store::open(&StoreConfig::parse(setting)?, credential).await
    }

    /// A masked description of the backend for diagnostics (never shows keys).
    pub fn describe(&self) -> &str {
        &self.inner.description
    }

    /// `sqlite` or `table`.
    pub fn backend_kind(&self) -> &'static str {
        self.inner.backend.kind()
    }

    pub(crate) fn table_name(&self, table: Table) -> String {
        format!("{}{}", self.inner.prefix, table.base_name())
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.inner.backend
    }

    /// Reads a record by its raw (unencoded) keys.
    pub(crate) async fn read<R: Record>(&self, partition: &str, row: &str, id: &str) -> Result<Option<Versioned<R>>> {
        let table = self.table_name(R::TABLE);
        let entity = self
            .backend()
            .get(&table, &encode_key(partition), &encode_key(row))
            .await
            .map_err(|e| named::<R>(e, id))?;
        entity.map(|e| decode::<R>(&table, e, id)).transpose()
    }

    /// Writes a record under its raw keys.
    pub(crate) async fn write<R: Record>(
        &self,
        partition: &str,
        row: &str,
        id: &str,
        record: &R,
        mode: WriteMode,
    ) -> Result<ETag> {
        let props = to_props(record, R::KIND)?;
        self.write_props(
            R::KIND,
            R::TABLE,
            &encode_key(partition),
            &encode_key(row),
            id,
            &props,
            mode,
        )
        .await
    }

    /// Writes properties under already-encoded keys, after the size checks.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn write_props(
        &self,
        kind: &'static str,
        table: Table,
        partition: &str,
        row: &str,
        id: &str,
        props: &Map<String, Value>,
        mode: WriteMode,
    ) -> Result<ETag> {
        check_entity(kind, partition, row, props)?;
        self.backend()
            .write(&self.table_name(table), partition, row, props, mode)
            .await
            .map_err(|e| named_kind(kind, e, id))
    }

    /// Deletes a record by raw keys; `false` if it was not there.
    pub(crate) async fn remove<R: Record>(&self, partition: &str, row: &str, id: &str) -> Result<bool> {
        self.backend()
            .delete(&self.table_name(R::TABLE), &encode_key(partition), &encode_key(row))
            .await
            .map_err(|e| named::<R>(e, id))
    }

    /// Every entity a query matches, all pages, in (partition, row) order.
    pub(crate) async fn scan_entities(&self, table: Table, query: &Query) -> Result<Vec<Entity>> {
        let name = self.table_name(table);
        let mut out = Vec::new();
        let mut from = None;
        loop {
            let page = self
                .backend()
                .query(&name, query, from)
                .await
                .map_err(|e| named_kind("query", e, &name))?;
            out.extend(page.entities);
            match page.next {
                Some(next) => from = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// Every record a query matches, decoded.
    pub(crate) async fn scan<R: Record>(&self, query: &Query) -> Result<Vec<Versioned<R>>> {
        let table = self.table_name(R::TABLE);
        self.scan_entities(R::TABLE, query)
            .await?
            .into_iter()
            .map(|e| {
                let id = format!("{}/{}", e.partition, e.row);
                decode::<R>(&table, e, &id)
            })
            .collect()
    }
}

/// A record as flat properties; `null`s are dropped (a missing property reads back as `None`).
pub(crate) fn to_props<R: Serialize>(record: &R, kind: &'static str) -> Result<Map<String, Value>> {
    match serde_json::to_value(record) {
        Ok(Value::Object(mut m)) => {
            m.retain(|_, v| !v.is_null());
            Ok(m)
        }
        other => Err(StoreError::Corrupt {
            record: kind,
            id: String::new(),
            table: String::new(),
            reason: match other {
                Ok(_) => "does not serialise to an object".to_string(),
                Err(e) => e.to_string(),
            },
        }),
    }
}

fn decode<R: Record>(table: &str, e: Entity, id: &str) -> Result<Versioned<R>> {
    let value = serde_json::from_value(Value::Object(e.props)).map_err(|err| StoreError::Corrupt {
        record: R::KIND,
        id: id.to_string(),
        table: table.to_string(),
        reason: err.to_string(),
    })?;
    Ok(Versioned { value, etag: e.etag })
}

fn named<R: Record>(e: BackendError, id: &str) -> StoreError {
    named_kind(R::KIND, e, id)
}

pub(crate) fn named_kind(record: &'static str, e: BackendError, id: &str) -> StoreError {
    let id = id.to_string();
    match e {
        BackendError::AlreadyExists => StoreError::AlreadyExists { record, id },
        BackendError::NotFound => StoreError::NotFound { record, id },
        BackendError::ETagMismatch => StoreError::ETagMismatch { record, id },
        BackendError::Other(e) => e,
    }
}
