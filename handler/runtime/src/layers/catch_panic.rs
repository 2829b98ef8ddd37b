//! Turn a panicking function into one failed invocation.
//!
//! Without this layer a panic unwinds through the connection's task: the host sees its
//! connection dropped, gets no answer and no log line. [`CatchPanic`] catches the panic
//! (in `call` and while the future runs), writes one `error` line naming the function,
//! the invocation id and the panic message, and answers with a [`Panicked`] error, which
//! the server turns into a 500 problem+json reply. The host treats that as a failed
//! invocation, like any other error:
//! <https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers>.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::task::{Context as TaskContext, Poll};

use futures::future::{BoxFuture, FutureExt};
use tower::{Layer, Service};

use crate::function::{Context, Invocation};
use crate::invocation::InvocationRequest;

/// The longest panic message written to the log, in characters; the rest is cut.
pub const MAX_PANIC_MESSAGE_CHARS: usize = 300;

/// A request that knows which invocation it belongs to, so a caught panic can name it.
pub trait HasContext {
    /// The invocation's context.
    fn context(&self) -> &Context;
}

impl<T> HasContext for Invocation<T> {
    fn context(&self) -> &Context {
        &self.context
    }
}

impl HasContext for (InvocationRequest, Context) {
    fn context(&self) -> &Context {
        &self.1
    }
}

/// The error a caught panic becomes.
///
/// Its `Display` says only that the function panicked: the panic message may quote data the
/// function was handling, so it goes to the log (escaped and cut to
/// [`MAX_PANIC_MESSAGE_CHARS`]) and is available from [`Panicked::message`], but it is not
/// part of the reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the function panicked")]
pub struct Panicked {
    message: String,
}

impl Panicked {
    /// The panic message, escaped and cut to [`MAX_PANIC_MESSAGE_CHARS`].
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Log the panic of `context`'s invocation and make the error.
    fn caught(context: &(String, String), payload: &(dyn Any + Send)) -> Self {
        let message = panic_message(payload);
        let (function, invocation_id) = context;
        tracing::error!(
            function = %function,
            invocation_id = %invocation_id,
            panic = %message,
            "function panicked"
        );
        Panicked { message }
    }
}

/// The text of a panic payload (`panic!` makes a `&str` or a `String`), with control
/// characters and quotes escaped and at most [`MAX_PANIC_MESSAGE_CHARS`] characters kept.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    let raw = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(the panic payload is not a string)");
    let mut message = String::with_capacity(raw.len().min(MAX_PANIC_MESSAGE_CHARS));
    for (n, c) in raw.chars().enumerate() {
        if n == MAX_PANIC_MESSAGE_CHARS {
            message.push('…');
            break;
        }
        message.extend(c.escape_debug());
    }
    message
}

/// Applies [`CatchPanic`]. The server applies it to every function it serves; apply it
/// yourself to catch panics further in, for example inside a layer that retries.
#[derive(Debug, Clone, Copy, Default)]
pub struct CatchPanicLayer;

impl CatchPanicLayer {
    /// A new layer.
    pub fn new() -> Self {
        CatchPanicLayer
    }
}

impl<S> Layer<S> for CatchPanicLayer {
    type Service = CatchPanic<S>;

    fn layer(&self, inner: S) -> CatchPanic<S> {
        CatchPanic { inner }
    }
}

/// A service whose panics become [`Panicked`] errors. See [`CatchPanicLayer`].
#[derive(Debug, Clone)]
pub struct CatchPanic<S> {
    inner: S,
}

impl<S, R> Service<R> for CatchPanic<S>
where
    R: HasContext,
    S: Service<R>,
    S::Error: From<Panicked> + Send + 'static,
    S::Response: Send + 'static,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let context = request.context();
        let names = (context.function_name.clone(), context.invocation_id.clone());
        // `call` runs the function's synchronous part (a closure given to `service_fn`, say).
        let future = match std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(future) => future,
            Err(payload) => {
                let error = Panicked::caught(&names, &*payload);
                return Box::pin(std::future::ready(Err(error.into())));
            }
        };
        Box::pin(async move {
            match AssertUnwindSafe(future).catch_unwind().await {
                Ok(result) => result,
                Err(payload) => Err(Panicked::caught(&names, &*payload).into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_escaped_and_cut() {
        let payload: Box<dyn Any + Send> = Box::new(String::from("line\n\"quoted\""));
        assert_eq!(panic_message(&*payload), "line\\n\\\"quoted\\\"");
        let payload: Box<dyn Any + Send> = Box::new("x".repeat(MAX_PANIC_MESSAGE_CHARS + 5));
        let message = panic_message(&*payload);
        assert_eq!(message.chars().count(), MAX_PANIC_MESSAGE_CHARS + 1);
        assert!(message.ends_with('…'));
        let payload: Box<dyn Any + Send> = Box::new(7_u32);
        assert_eq!(panic_message(&*payload), "(the panic payload is not a string)");
    }
}
