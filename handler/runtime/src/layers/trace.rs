//! The span around each invocation, its summary line, and its `Logs`.
//!
//! `tracing` fixes a span's field names when the span is made, so the application, which
//! knows which fields it will fill in ([`record_field`](crate::record_field)), makes the
//! span: [`Functions::span`](crate::Functions::span) takes a function of the function name and
//! the invocation id. Without one, [`default_span`] is used.
//!
//! [`Trace`] opens the invocation's log buffer, makes the span, runs the function inside
//! it, writes the summary line (`invocation finished`, `outcome`, `duration_ms`) and takes
//! the buffer, which the server returns to the host as `Logs`.

use std::convert::Infallible;
use std::sync::{Arc, Once};
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use futures::future::BoxFuture;
use tower::{Layer, Service};
use tracing::{Instrument, Span};

use crate::function::{CallError, Context, Outputs};
use crate::invocation::InvocationRequest;
use crate::logs;
use crate::server::error_chain;

/// How the server makes an invocation's span from the function name and the invocation id.
pub(crate) type MakeSpan = Arc<dyn Fn(&str, &str) -> Span + Send + Sync>;

/// The span used when the application declares none: `invocation` with the fields
/// `function` and `invocation_id`.
pub fn default_span(function: &str, invocation_id: &str) -> Span {
    tracing::info_span!("invocation", function, invocation_id)
}

/// Applies [`Trace`].
#[derive(Clone)]
pub(crate) struct TraceLayer {
    make_span: MakeSpan,
}

impl TraceLayer {
    pub(crate) fn new(make_span: Option<MakeSpan>) -> Self {
        TraceLayer {
            make_span: make_span.unwrap_or_else(|| Arc::new(default_span)),
        }
    }
}

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;

    fn layer(&self, inner: S) -> Trace<S> {
        Trace {
            inner,
            make_span: self.make_span.clone(),
        }
    }
}

/// Runs an erased function in its invocation's span and collects its log lines.
#[derive(Clone)]
pub(crate) struct Trace<S> {
    inner: S,
    make_span: MakeSpan,
}

/// What a traced invocation produced: the function's result and the invocation's log lines.
pub(crate) struct Traced {
    pub(crate) result: Result<Outputs, CallError>,
    pub(crate) logs: Vec<String>,
}

impl<S> Service<(InvocationRequest, Context)> for Trace<S>
where
    S: Service<(InvocationRequest, Context), Response = Outputs, Error = CallError>,
    S::Future: Send + 'static,
{
    type Response = Traced;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Traced, Infallible>>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        match self.inner.poll_ready(cx) {
            Poll::Ready(_) => Poll::Ready(Ok(())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn call(&mut self, (request, context): (InvocationRequest, Context)) -> Self::Future {
        // The buffer exists before the span, so the log layer can claim it for the span.
        let collector = logs::Collector::begin(&context.invocation_id);
        let span = (self.make_span)(&context.function_name, &context.invocation_id);
        check_span(&span);
        let started = Instant::now();
        let future = span.in_scope(|| self.inner.call((request, context)));
        Box::pin(async move {
            let result = logs::in_invocation(span.clone(), future.instrument(span.clone())).await;
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.in_scope(|| summary(&result, duration_ms));
            Ok(Traced {
                result,
                logs: collector.finish(),
            })
        })
    }
}

/// The invocation's last line.
fn summary(result: &Result<Outputs, CallError>, duration_ms: u64) {
    match result {
        Ok(_) => tracing::info!(outcome = "succeeded", duration_ms, "invocation finished"),
        Err(CallError::Binding(e)) => {
            tracing::warn!(outcome = "rejected", duration_ms, error = %e, "invocation finished: bad binding")
        }
        Err(CallError::Function(e)) => {
            tracing::error!(outcome = "failed", duration_ms, error = %error_chain(e.as_ref()), "invocation finished: failed")
        }
        Err(CallError::Panicked) => {
            tracing::error!(outcome = "panicked", duration_ms, "invocation finished: panicked")
        }
    }
}

/// The log layer recognises the invocation's span by its `invocation_id` field; say so once
/// when an application's span lacks it, since its `Logs` would come back empty.
fn check_span(span: &Span) {
    static WARNED: Once = Once::new();
    if let Some(metadata) = span.metadata() {
        if metadata.fields().field("invocation_id").is_none() {
            WARNED.call_once(|| {
                tracing::warn!(
                    span = metadata.name(),
                    "the invocation span has no `invocation_id` field, so invocations return no Logs; declare it in Functions::span"
                )
            });
        }
    }
}
