//! tenant-sim: a simulated Entra ID / Microsoft Graph tenant over loopback HTTP, for tests
//! and local runs.
//!
//! It serves OpenID metadata, a JWKS with key rotation, the client-credentials and App
//! Service managed-identity token endpoints, and the Graph jitadmin uses: users, managers,
//! groups, members and the groups delta query; Intune managed devices and `syncDevice`;
//! `$batch`; change-notification subscriptions (with the validation handshake, change and
//! lifecycle notifications sent to the subscriber); and entitlement management (assignment
//! requests whose stages call custom extensions as EM does, bearer or PoP, and `resume`); and
//! the Bot Framework ([`bot`]: the Bot Connector, the channel token issuer, a Teams client
//! that clicks cards). Every
//! request is recorded; faults can be injected per route, and Intune-like throttling is enforced
//! per class of route with a time scale.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tenant_sim::SimError> {
//! use tenant_sim::{Scenario, TenantSim};
//!
//! let sim = TenantSim::start(Scenario::demo()).await?;
//! let token = sim.app_token("66666666-0000-4000-8000-000000000001", "https://graph.microsoft.com")?;
//! let url = format!("{}/v1.0/users/adele.vance@contoso.example", sim.graph_url());
//! // ... call `url` with `Authorization: Bearer {token}`, then assert on what the sim saw:
//! assert!(sim.calls_to("GET", "/v1.0/users/").is_empty());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! URLs: the authority and Graph share one base (`http://127.0.0.1:<port>`), so
//! `{authority}/{tenant}/oauth2/v2.0/token` and `{graph}/v1.0/...` both work. Issuers default
//! to `{base}/{tid}/` (v1) and `{base}/{tid}/v2.0` (v2); see [`SimConfig`].
//!
//! # Layers
//!
//! The top-level modules point one way, from the top down (`tests/sim/architecture.rs` fails
//! on an import against the order or a circle):
//!
//! 1. `azure`: the azure_core adapter over a running [`TenantSim`].
//! 2. `sim`: [`TenantSim`] (start, URLs, tokens, seeding) and its API per area (`sim/em.rs`,
//!    `sim/subs.rs`, ...); the only module that names `TenantSim`.
//! 3. `server`: the router. `Shared` (the router's state, which builds every area once) and its
//!    `FromRef` impls, the middleware, route registration (each area's routes, and Graph's
//!    versions behind the bearer check), the accept loop.
//! 4. The areas, each with its own state or service, its behaviour and its routes. An area uses
//!    another only if that one ranks strictly lower:
//!    - rank 3: `provisioning` (uses `em`'s store and types), `subs` (uses `graph`'s bearer
//!      check);
//!    - rank 2: `em` (uses `entra`'s token claims for callouts), `graph` (uses `intune`);
//!    - rank 1: `entra`, `intune`, `mail`, `bot`, `service_bus`.
//! 5. The leaves, which know no area: `scenario`, `config`, `error`, `state`, `directory`,
//!    `authority` (the tenant's identity, keys and token check), `duration` (ISO 8601 durations), `odata` (Graph's error JSON,
//!    request ids, API version, query options), `ids`, `connection`, `record`, `faults`,
//!    `throttle`, `pattern`, `outbound`, `work` (the tenant's work in progress). Leaves may use each other, never in a circle.
#![deny(clippy::all)]
#![warn(missing_docs)]

mod authority;
pub mod bot;
mod config;
mod conformance;
mod connection;
mod directory;
mod duration;
pub mod em;
mod entra;
mod error;
mod faults;
mod graph;
mod ids;
mod intune;
mod mail;
mod odata;
mod outbound;
mod pattern;
mod provisioning;
mod record;
pub mod scenario;
mod server;
pub mod service_bus;
mod sim;
mod state;
pub mod subs;
mod throttle;
mod work;

#[cfg(feature = "azure")]
pub mod azure;

pub use authority::keys::SigningKey;
pub use authority::verify::TokenError;
pub use bot::{BotSim, ChannelSigner, ChannelToken, TeamsClient};
pub use config::SimConfig;
pub use conformance::{ConformanceMode, GraphCallTable};
pub use em::{
    CalloutAuth, CalloutStatus, LaunchMode, NewRequest, PopBinding, PopOptions, RequestView, Stage, StageSetting,
    EM_APP_ID,
};
pub use error::{Result, SimError};
pub use faults::{FaultKind, FaultRule, Faults};
pub use graph::batch::MAX_BATCH;
pub use graph::delta::DeltaExpiry;
pub use graph::GRAPH_AUDIENCES;
pub use intune::DeviceSync;
pub use mail::SentMail;
pub use odata::errors::GraphError;
pub use pattern::RoutePattern;
pub use provisioning::ConfigurationPolicyView;
pub use record::RecordedCall;
pub use scenario::{
    AccessPackage, AccessPackagePolicy, Application, ComplianceState, Group, ManagedDevice, ManagedIdentity,
    ManagedIdentityKind, Scenario, ScenarioError, User, UserType,
};
pub use sim::TenantSim;
pub use state::{MembershipChange, MembershipChangeKind, TenantState};
pub use subs::{Delivery, DeliveryKind, Subscription};
pub use throttle::{Throttle, ThrottleClass, SIM_RETRY_AFTER_MS};
