//! jitadmin's Microsoft Graph client.
//!
//! One [`GraphClient`] (cheap to clone) carries the base URL, the token source, the retry policy
//! and the Intune limiter; typed operations hang off it, one module per area: [`resume`],
//! [`users`], [`devices`], [`groups`], [`entitlement`], [`subscriptions`], [`mail`]; and for `jitadmin provision`
//! [`custom_extensions`], [`assignment_policies`], [`em_roles`], [`config_policies`] with [`local_groups`]. The generic
//! parts are [`GraphClient::execute`], the [`paging`] helpers and [`batch`].
//!
//! Against tenant-sim, set [`GraphConfig::base_url`] to the sim's address (a path prefix is kept)
//! and [`GraphConfig::scope`] to the sim's scope. Links Graph returns (`@odata.nextLink`,
//! `@odata.deltaLink`) are followed only when they point at the configured origin, so the token is
//! never sent elsewhere; the sim must therefore write its own address into them.
//!
//! Intune calls (paths under `/deviceManagement/` or naming `managedDevices`, batch items included)
//! pass through a [`RateLimiter`] shared by all clones of a client; share one limiter between
//! separately built clients with [`GraphClientBuilder::intune_limiter`].
//!
//! ```no_run
//! use jitadmin_graph::{GraphClient, GraphConfig, CredentialConfig, credential_from_config};
//! # async fn run() -> Result<(), jitadmin_graph::GraphError> {
//! let credential = credential_from_config(&CredentialConfig::ManagedIdentity { client_id: None })?;
//! let graph = GraphClient::new(GraphConfig::default(), credential)?;
//! let user = graph.get_user("adele@contoso.com").await?;
//! println!("{} works in {:?}", user.display_name.unwrap_or_default(), user.department);
//! # Ok(()) }
//! ```
#![deny(clippy::all)]
#![warn(missing_docs)]

pub mod assignment_policies;
pub mod batch;
mod client;
mod config;
pub mod config_policies;
pub mod custom_extensions;
pub mod devices;
pub mod em_roles;
pub mod entitlement;
mod error;
pub mod groups;
pub mod limiter;
pub mod local_groups;
pub mod mail;
pub mod paging;
mod path;
mod request;
pub mod resume;
pub mod retry;
pub mod subscriptions;
mod token;
pub mod users;

pub use client::GraphClient;
pub use config::{is_intune_path, GraphClientBuilder, GraphConfig, PathPredicate, GRAPH_BASE_URL};
pub use error::{ApiError, GraphError};
pub use limiter::{RateLimiter, RateLimits, RequestClass};
pub use request::{GraphRequest, GraphResponse};
pub use retry::RetryPolicy;
pub use token::{credential_from_config, CredentialConfig, StaticToken, GRAPH_SCOPE};
