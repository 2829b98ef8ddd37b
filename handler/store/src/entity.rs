//! The entity model both backends share: a partition key, a row key, an ETag and flat properties.

use serde_json::{Map, Value};

/// An entity's version tag, for optimistic concurrency.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag(pub(crate) String);

impl ETag {
    /// The tag as the backend gave it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored entity as read back.
#[derive(Debug, Clone)]
pub(crate) struct Entity {
    pub(crate) partition: String,
    pub(crate) row: String,
    pub(crate) etag: ETag,
    pub(crate) props: Map<String, Value>,
}

/// How a write treats an existing entity.
#[derive(Debug, Clone)]
pub(crate) enum WriteMode {
    /// Fail with [`BackendError::AlreadyExists`] if it exists.
    Insert,
    /// Insert or replace, unconditionally.
    Upsert,
    /// Replace only if the ETag matches.
    Replace(ETag),
}

/// Which entities a query returns, in (partition, row) order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    /// Only this partition.
    pub(crate) partition: Option<String>,
    /// Rows with key >= this.
    pub(crate) row_from: Option<String>,
    /// Rows with key < this.
    pub(crate) row_to: Option<String>,
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Continuation {
    pub(crate) partition: String,
    pub(crate) row: Option<String>,
}

/// One page of query results.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) entities: Vec<Entity>,
    pub(crate) next: Option<Continuation>,
}

/// The most entities a page holds (Table Storage's own maximum).
pub(crate) const PAGE_SIZE: u32 = 1000;

/// What a backend operation can fail with, before the store names the record.
#[derive(Debug)]
pub(crate) enum BackendError {
    AlreadyExists,
    NotFound,
    ETagMismatch,
    Other(crate::StoreError),
}

impl From<crate::StoreError> for BackendError {
    fn from(e: crate::StoreError) -> Self {
        BackendError::Other(e)
    }
}
