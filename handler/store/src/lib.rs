//! jitadmin's state: ledger, approvals, subscriptions, delta links, elevations, audit trail and
//! Teams contacts on Azure Table Storage or SQLite.
//!
//! One [`Store`] type fronts both backends; a single setting string picks one (see [`config`]).
//! Both apply Table Storage's rules (key encoding, size limits, conditional writes, ETags), so
//! code tested on SQLite behaves the same on Table Storage.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use jitadmin_store::{Claim, Store};
//!
//! let store = Store::open_setting("sqlite::memory:", None).await?;
//! assert_eq!(store.claim("stage-1", "alice@contoso.com").await?, Claim::Won);
//! match store.claim("stage-1", "bob@contoso.com").await? {
//!     Claim::Lost { winner, .. } => assert_eq!(winner, "alice@contoso.com"),
//!     Claim::Won => unreachable!("alice was first"),
//! }
//! # Ok::<(), jitadmin_store::StoreError>(())
//! # }).unwrap();
//! ```
#![deny(clippy::all)]
#![warn(missing_docs)]

mod backend;
pub mod config;
mod entity;
mod error;
pub mod keys;
pub mod limits;
pub mod records;
mod sqlite;
mod store;
pub mod table;

pub use azure_core::credentials::TokenCredential;
pub use config::{BackendConfig, ConfigError, StoreConfig};
pub use entity::ETag;
pub use error::{Result, StoreError};
pub use records::approvals::{Approval, ApprovalStatus, CardRef};
pub use records::audit::{AuditEvent, AuditRecord};
pub use records::claims::Claim;
pub use records::delta_links::DeltaLink;
pub use records::elevations::{Elevation, ElevationSummary};
pub use records::ledger::{LedgerEntry, LedgerOutcome, LedgerStatus};
pub use records::subscriptions::Subscription;
pub use records::teams_contacts::TeamsContact;
pub use store::{Store, Versioned};
