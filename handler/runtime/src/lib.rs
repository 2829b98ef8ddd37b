#![deny(clippy::all)]
#![warn(missing_docs)]
//! A runtime for Azure Functions custom handlers, in the shape of `lambda_runtime`.
//!
//! The Functions host owns triggers and bindings; it starts your executable, waits for
//! `GET /` to answer, and POSTs each invocation to `/{FunctionName}` as a JSON envelope
//! of `Data` and `Metadata`
//! (<https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers>). This
//! crate decodes that envelope once, including the host's quirks (double-encoded strings
//! and numbers, `Query` as a string, header values as arrays, base64 bodies), hands your
//! `tower::Service` a typed [`Invocation`], and writes its [`Outputs`] back in the shape
//! the host maps onto output bindings (always JSON objects, never bare strings the host
//! would try to base64-decode).
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
//! # Failures
//!
//! Errors a function returns become a 500 problem+json reply, which the host treats as
//! a failed invocation (a Service Bus message is then redelivered); a [`Problem`] error
//! keeps its own status. A panic fails only its invocation, the same way, with an `error`
//! log line (see [`layers`]).
//!
//! # Logs and span fields
//!
//! Each invocation runs in a `tracing` span. `tracing` events emitted inside it are
//! returned to the host in `Logs` and, with [`init_tracing`], also written to stdout as
//! JSON lines. To have every line carry ids your function learns from its event, declare
//! them when the span is made, with [`Functions::span`], and fill them in with
//! [`record_field`]:
//!
//! ```
//! use azfn_runtime::{service_fn, Error, Functions, Invocation, Outputs, ServiceBusMessage};
//! use tracing::field::Empty;
//!
//! async fn process(event: Invocation<ServiceBusMessage>) -> Result<Outputs, Error> {
//!     if let Some(order) = event.trigger.body["order"].as_str() {
//!         azfn_runtime::record_field("order_id", order);
//!     }
//!     tracing::info!("processing"); // ... order_id=o-7
//!     Ok(Outputs::new())
//! }
//!
//! let functions = Functions::new()
//!     .span(|function: &str, invocation_id: &str| {
//!         tracing::info_span!("invocation", function, invocation_id, order_id = Empty, correlation_id = Empty)
//!     })
//!     .function("process", "msg", service_fn(process));
//! ```
//!
//! A Service Bus trigger fills `correlation_id` in itself when the span declares it.
//!
//! # Layers
//!
//! Functions are `tower::Service`s, so `tower` middleware applies:
//! `Functions::new().function("f", "req", ServiceBuilder::new().timeout(..).service_fn(f))`.
//! The runtime's own concerns (panic catching, the invocation span) are in [`layers`].
//!
//! # Testing
//!
//! [`testing`] builds host-shaped invocations (HTTP, Service Bus, timer) and calls your
//! [`Functions`] in process, returning outputs, the HTTP response, messages and `Logs`.

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
pub mod testing;
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
