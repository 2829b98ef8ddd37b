#![deny(clippy::all)]
#![warn(missing_docs)]
//! Inbound token validation for jitadmin.
//!
//! - [`BearerValidator`]: Entra access tokens (`Bearer`), e.g. the forwarding Logic App's
//!   managed identity calling `callout`;
//! - [`PopValidator`]: entitlement management's own proof-of-possession tokens (`PoP`)
//!   for a direct endpoint;
//! - [`BotValidator`]: Bot Framework tokens on Teams activities.
//!
//! Signing keys come from a [`KeySource`] (OpenID metadata → JWKS), cached and refreshed
//! at most once a minute on an unknown `kid`. Only RS256 is accepted. Every failure is an
//! [`AuthError`] with an HTTP status (401, 403 for a missing channel endorsement, 503 when
//! keys are unavailable) and a message that leaks no token or key material.
//!
//! ```no_run
//! use std::sync::Arc;
//! use jitadmin_auth::{BearerConfig, BearerValidator, EntraAuthority, KeySource, KeySourceConfig, SystemClock};
//!
//! # async fn run(authorization: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
//! let tenant = "84bd8158-6d4d-4958-8b9f-9d6445542f95";
//! let clock = Arc::new(SystemClock);
//! let metadata = EntraAuthority::public_cloud().openid_metadata_url(tenant);
//! let keys = Arc::new(KeySource::new(KeySourceConfig::openid(metadata), clock.clone())?);
//! let config = BearerConfig::new(tenant, &["api://jitadmin"], &["<forwarder managed identity object id>"]);
//! let validator = BearerValidator::new(config, keys, clock);
//! match validator.validate(authorization).await {
//!     Ok(claims) => println!("caller {:?}", claims.oid),
//!     Err(e) => println!("{} {}", e.status(), e), // 401/403/503 and a safe message
//! }
//! # Ok(()) }
//! ```

mod bearer;
mod bot;
mod clock;
mod error;
mod header;
mod jwk;
mod jwt;
mod keys;
mod pop;
mod replay;

pub use bearer::{
    BearerConfig, BearerValidator, CallerClaim, Confirmation, EntraAuthority, EntraClaims, DEFAULT_LEEWAY,
};
pub use bot::{BotClaims, BotConfig, BotValidator, BOT_ISSUER, BOT_OPENID_METADATA_URL};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AuthError;
pub use jwk::PublicJwk;
pub use jwt::Audience;
pub use keys::{KeyEndpoint, KeySource, KeySourceConfig, SigningKey};
pub use pop::{PopBinding, PopClaims, PopConfig, PopRequest, PopValidator, EM_APP_ID};
pub use replay::{BoxFuture, InMemoryReplayCache, ReplayCache, ReplayCacheError};
