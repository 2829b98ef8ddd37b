#![deny(clippy::all)]
#![warn(missing_docs)]
//! A local Azure Functions host for custom handlers, in the spirit of cargo-lambda's
//! local runner.
//!
//! It reads `host.json` and the `function.json` files, starts the handler the way the
//! Functions host does (or calls one that is already running), and plays the host:
//!
//! - an HTTP front door at `/{routePrefix}/{route}` with `authLevel` keys, building the
//!   invocation envelope exactly as the host does ([`envelope`]) and mapping the `http`
//!   output back ([`answer`]);
//! - Service Bus output bindings written to a durable SQLite queue ([`store`]) that
//!   feeds Service Bus triggers with peek-lock semantics: `DeliveryCount`, sessions in
//!   FIFO order with one message in flight each, retries, dead-lettering after
//!   `maxDeliveryCount`, nothing lost when the process dies mid-delivery;
//! - timer triggers on six-field NCRONTAB schedules, with `runOnStartup`;
//! - an admin API under `/admin/azfn-local` (and the same calls on [`QueueStore`]) to
//!   list queues, peek, list dead letters, move them back, and send messages.
//! - [`LocalHost::wait_idle`]: wait until the host has settled (no invocation or timer run
//!   in progress, nothing queued for its triggers), so tests wait on state instead of sleeping.
//!
//! # Fidelity notes
//!
//! - Envelopes are built as the host builds them: strings double-encoded, numbers as strings,
//!   `EnqueuedTimeUtc` without offset, a JSON body's top-level properties copied into
//!   `Metadata` (shadowing system keys), `Identities` with a `WebJobsAuthLevel` identity
//!   when a key was used, `Body` only when `Content-Length > 0`.
//! - Output values go through the host's conversions, base64 trap included
//!   ([`answer::service_bus_messages`]). The `azfnMessage` envelope of
//!   `azfn_runtime::OutputMessage` is honoured as broker properties (`MessageId`,
//!   `SessionId`, ...): this emulates a session-capable sender, which the real binding
//!   is not for custom handlers.
//! - A non-2xx answer, an invalid answer or a timeout fails the invocation: no outputs
//!   are written, an HTTP caller gets a 500, a message is abandoned (retried, then
//!   dead-lettered with `MaxDeliveryCountExceeded` and the error as description). A
//!   timeout also restarts a spawned handler, as the host restarts its worker.
//! - `enableForwardingHttpRequest` is honoured for HTTP-only functions
//!   (<https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers>).
//!
//! # Keys and the admin API
//!
//! Keys come from [`LocalHostBuilder::keys`] or a keys file
//! (`{"masterKey": "..", "functionKeys": {"default": "..", "<function>": ".."}}`, see
//! [`keys`]). Without keys every request passes, as with `func start`. The admin API
//! lives under [`front_door::ADMIN_PREFIX`] (routes in [`front_door`]'s admin module
//! docs) and needs the master key.
//!
//! # State
//!
//! With [`State::Dir`] the queues live in one SQLite file ([`store::STORE_FILE`]) that
//! survives restarts; [`QueueStore::open_dir`] opens it without a host, e.g. for an
//! operator's replay command while the host runs (the host polls, so it picks such
//! changes up within half a second). One host per state directory.
//!
//! ```no_run
//! use azfn_local::{Handler, LocalHost, State};
//!
//! # async fn run() -> Result<(), azfn_local::error::StartError> {
//! let host = LocalHost::builder()
//!     .app_root(".")
//!     .handler(Handler::Url("http://127.0.0.1:4000".into()))
//!     .http_port(0)
//!     .state(State::Dir(".azfn-local".into()))
//!     .start()
//!     .await?;
//! println!("front door at {}/api", host.front_door_url());
//! for queue in host.queues().queues().unwrap_or_default() {
//!     println!("{}: {} active, {} dead-lettered", queue.name, queue.active, queue.dead_lettered);
//! }
//! host.shutdown().await;
//! # Ok(()) }
//! ```

mod activity;
pub mod answer;
pub mod app;
pub mod encoding;
pub mod envelope;
pub mod error;
pub mod front_door;
pub mod handler;
mod host;
mod invoke;
pub mod keys;
pub mod store;
pub mod triggers;

pub use app::{App, Settings};
pub use error::IdleTimeout;
pub use handler::Handler;
pub use host::{IdleMark, LocalHost, LocalHostBuilder, State};
pub use invoke::InvocationRecord;
pub use keys::Keys;
pub use store::{Message, NewMessage, QueueCounts, QueueOptions, QueueStore};

/// Resolves once the shutdown flag is true (or its sender is gone).
pub(crate) async fn stopped(flag: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = flag.wait_for(|stop| *stop).await;
}
