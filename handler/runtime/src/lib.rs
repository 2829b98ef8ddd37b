#![deny(clippy::all)]
#![warn(missing_docs)]
//! A runtime for Azure Functions custom handlers, in the shape of `lambda_runtime`.
//!
//! The Functions host owns triggers and bindings; it starts your executable, waits for
//! `GET /` to answer, and POSTs each invocation to `/{FunctionName}` as a JSON envelope
//! of `Data` and `Metadata`. This crate decodes that envelope once, including the
//! host's quirks (double-encoded strings and numbers, `Query` as a string, header
//! values as arrays, base64 bodies), hands your `tower::Service` a typed
//! [`Invocation`], and writes its [`Outputs`] back in the shape the host maps onto
//! output bindings (always JSON objects, never bare strings the host would try to
//! base64-decode).
//!
//! ```no_run
//! use azfn_runtime::{service_fn, Error, Functions, HttpRequest, HttpResponse, Invocation, Outputs};
//!
//! async fn hello(event: Invocation<HttpRequest>) -> Result<Outputs, Error> {
//!     let name = event.trigger.query.get("name").cloned().unwrap_or_else(|| "world".into());
//!     Ok(Outputs::new().http("res", HttpResponse::text(200, format!("hello, {name}"))))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     azfn_runtime::init_tracing();
//!     let functions = Functions::new().function("hello", "req", service_fn(hello));
//!     azfn_runtime::run(functions).await?;
//!     Ok(())
//! }
//! ```
//!
//! Errors a function returns become a 500 problem+json reply, which the host treats as
//! a failed invocation (a Service Bus message is then redelivered). `tracing` events
//! emitted inside an invocation are returned in `Logs` and, with [`init_tracing`],
//! also written to stdout as JSON lines.

pub mod encoding;
mod error;
mod function;
pub mod http;
mod invocation;
pub mod layers;
mod logs;
pub mod problem;
mod server;
pub mod service_bus;
pub mod timer;

pub use error::{BindingError, Error, StartError};
pub use function::{Context, Functions, Invocation, Outputs, Trigger};
pub use http::{HttpRequest, HttpResponse};
pub use invocation::{InvocationRequest, InvocationResponse, SysMetadata};
pub use logs::{init_tracing, record as record_field, InvocationLogLayer, MAX_LINES};
pub use problem::Problem;
pub use server::{
    error_chain, port_from_env, router, run, run_with, serve, shutdown_signal, ServerConfig, DEFAULT_BODY_LIMIT,
    PORT_VAR,
};
pub use service_bus::{OutputMessage, ServiceBusMessage};
pub use timer::TimerInfo;
pub use tower::service_fn;
