//! Cross-cutting concerns of every invocation, as `tower` layers.
//!
//! The server stacks them around each function it serves, outermost first:
//!
//! 1. tracing: the invocation's span (made by [`Functions::span`](crate::Functions::span),
//!    [`default_span`] unless the application declares its own fields), the summary line
//!    `invocation finished`, and the log lines returned to the host as `Logs`;
//! 2. [`CatchPanicLayer`]: a panic becomes a 500 problem+json reply for that invocation
//!    only, with an `error` line naming the function, the invocation id and the message;
//! 3. the function: trigger decoding, then your `tower::Service`.
//!
//! Your own layers go around your service as usual, e.g. with `tower::ServiceBuilder`
//! before passing it to [`Functions::function`](crate::Functions::function); they run
//! inside the invocation's span.

mod catch_panic;
mod trace;

pub use catch_panic::{CatchPanic, CatchPanicLayer, HasContext, Panicked, MAX_PANIC_MESSAGE_CHARS};
pub use trace::default_span;
pub(crate) use trace::{MakeSpan, Trace, TraceLayer, Traced};
