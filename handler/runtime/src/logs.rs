//! Invocation logs: `tracing` events inside an invocation come back in `Logs`.
//!
//! The server makes a span around each call (see [`crate::layers`]) holding the function
//! name, the invocation id and whatever fields the application declared for
//! [`record`] to fill in once it has read its event; every line of the invocation then
//! carries them, up to the summary line (`invocation finished`, `outcome`, `duration_ms`).
//! [`InvocationLogLayer`] recognises that span by its `invocation_id`, and appends every
//! event in its scope, formatted as one line, to the invocation's buffer; the server takes
//! the buffer when the call ends and returns it to the host, which writes it to the
//! invocation's log
//! (<https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers>).
//! Install the layer with [`init_tracing`] (stdout JSON lines plus the layer) or add
//! [`InvocationLogLayer::new`] to your own subscriber.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::{Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

tokio::task_local! {
    /// The span of the invocation the current task runs.
    static INVOCATION_SPAN: tracing::Span;
}

/// Run `future` as the invocation whose span is `span`, for [`record`].
pub(crate) async fn in_invocation<F: Future>(span: tracing::Span, future: F) -> F::Output {
    INVOCATION_SPAN.scope(span, future).await
}

/// Record `value` for the field `name` of the current invocation's span, so that every
/// later line of the invocation carries it.
///
/// The field must be one the span declared (see
/// [`Functions::span`](crate::Functions::span)); `tracing` ignores others. Inside an
/// invocation this records on the invocation's span even when a nested span is current; in a
/// task the function spawned, it records on the current span.
pub fn record(name: &str, value: &str) {
    let recorded = INVOCATION_SPAN.try_with(|span| {
        span.record(name, value);
    });
    if recorded.is_err() {
        tracing::Span::current().record(name, value);
    }
}

/// Lines kept per invocation; more are counted and summarised in one last line.
pub const MAX_LINES: usize = 1000;

#[derive(Default)]
struct Buffer {
    lines: Vec<String>,
    dropped: usize,
    /// True once a span was recognised as this invocation's.
    claimed: bool,
}

fn buffers() -> &'static Mutex<HashMap<String, Buffer>> {
    static BUFFERS: OnceLock<Mutex<HashMap<String, Buffer>>> = OnceLock::new();
    BUFFERS.get_or_init(Default::default)
}

/// The log buffer of one invocation, open from [`Collector::begin`] until
/// [`Collector::finish`], or until dropped (an abandoned call leaves nothing behind).
pub(crate) struct Collector {
    invocation_id: String,
    finished: bool,
}

impl Collector {
    pub(crate) fn begin(invocation_id: &str) -> Self {
        if let Ok(mut map) = buffers().lock() {
            map.insert(invocation_id.to_owned(), Buffer::default());
        }
        Collector {
            invocation_id: invocation_id.to_owned(),
            finished: false,
        }
    }

    /// The lines collected, and a last line counting those over [`MAX_LINES`].
    pub(crate) fn finish(mut self) -> Vec<String> {
        self.finished = true;
        let buffer = take(&self.invocation_id).unwrap_or_default();
        let mut lines = buffer.lines;
        if buffer.dropped > 0 {
            lines.push(format!("({} more log lines dropped)", buffer.dropped));
        }
        lines
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        if !self.finished {
            take(&self.invocation_id);
        }
    }
}

fn take(invocation_id: &str) -> Option<Buffer> {
    buffers().lock().ok().and_then(|mut map| map.remove(invocation_id))
}

/// Mark the open buffer of `invocation_id` as claimed by a span; false when there is no
/// open buffer or a span already claimed it.
fn claim(invocation_id: &str) -> bool {
    let Ok(mut map) = buffers().lock() else { return false };
    match map.get_mut(invocation_id) {
        Some(buffer) if !buffer.claimed => {
            buffer.claimed = true;
            true
        }
        _ => false,
    }
}

fn push(invocation_id: &str, line: String) {
    if let Ok(mut map) = buffers().lock() {
        if let Some(buffer) = map.get_mut(invocation_id) {
            if buffer.lines.len() < MAX_LINES {
                buffer.lines.push(line);
            } else {
                buffer.dropped += 1;
            }
        }
    }
}

struct InvocationTag {
    id: String,
    /// The span's own fields with a value, in declaration order, except `function` and
    /// `invocation_id` (the host knows those): they end every line of the invocation.
    fields: Vec<(&'static str, String)>,
}

impl InvocationTag {
    fn set(&mut self, name: &'static str, value: String) {
        if name == "function" || name == "invocation_id" {
            return;
        }
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => *existing = value,
            None => self.fields.push((name, value)),
        }
    }
}

struct SpanFieldVisitor<'a>(&'a mut InvocationTag);
impl Visit for SpanFieldVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.set(field.name(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.set(field.name(), format!("{value:?}"));
    }
}

/// The layer that copies events into their invocation's `Logs`.
#[derive(Debug, Default, Clone, Copy)]
pub struct InvocationLogLayer;

impl InvocationLogLayer {
    /// A new layer.
    pub fn new() -> Self {
        InvocationLogLayer
    }
}

struct IdVisitor(Option<String>);
impl Visit for IdVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "invocation_id" {
            self.0 = Some(value.to_owned());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "invocation_id" {
            self.0 = Some(format!("{value:?}").trim_matches('"').to_owned());
        }
    }
}

struct LineVisitor {
    message: String,
    fields: String,
}
impl Visit for LineVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={}", field.name(), value);
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={:?}", field.name(), value);
        }
    }
}

impl<S> Layer<S> for InvocationLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().fields().field("invocation_id").is_none() {
            return;
        }
        let mut visitor = IdVisitor(None);
        attrs.record(&mut visitor);
        let Some(invocation_id) = visitor.0 else { return };
        // Only the span made for an open invocation, and only the first one: a nested span
        // that repeats the id is not a second invocation.
        if !claim(&invocation_id) {
            return;
        }
        if let Some(span) = ctx.span(id) {
            let mut tag = InvocationTag {
                id: invocation_id,
                fields: Vec::new(),
            };
            attrs.record(&mut SpanFieldVisitor(&mut tag));
            span.extensions_mut().insert(tag);
        }
    }

    fn on_record(&self, id: &Id, values: &tracing::span::Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(tag) = extensions.get_mut::<InvocationTag>() {
            values.record(&mut SpanFieldVisitor(tag));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(scope) = ctx.event_scope(event) else { return };
        for span in scope.from_root() {
            let extensions = span.extensions();
            if let Some(tag) = extensions.get::<InvocationTag>() {
                let mut visitor = LineVisitor {
                    message: String::new(),
                    fields: String::new(),
                };
                event.record(&mut visitor);
                let meta = event.metadata();
                let mut line = format!(
                    "{} {}: {}{}",
                    meta.level(),
                    meta.target(),
                    visitor.message,
                    visitor.fields
                );
                for (name, value) in &tag.fields {
                    let _ = write!(line, " {name}={value}");
                }
                push(&tag.id, line);
                return;
            }
        }
    }
}

/// Install the default subscriber: JSON lines on stdout filtered by `RUST_LOG`
/// (default `info`), plus [`InvocationLogLayer`]. Safe to call twice; the second
/// call does nothing.
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let stdout = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        // Every enclosing span, so a line inside an inner span still carries the invocation's fields.
        .with_span_list(true)
        .with_writer(std::io::stdout);
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stdout)
        .with(InvocationLogLayer::new())
        .try_init();
}
