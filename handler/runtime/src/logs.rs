//! Invocation logs: `tracing` events inside an invocation come back in `Logs`.
//!
//! The server opens a span named `invocation` with an `invocation_id` field around each
//! call. [`InvocationLogLayer`] tags that span and appends every event in its scope,
//! formatted as one line, to the invocation's buffer; the server takes the buffer when
//! the call ends. Install the layer with [`init_tracing`] (stdout JSON lines plus the
//! layer) or add [`InvocationLogLayer::new`] to your own subscriber.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Lines kept per invocation; more are counted and summarised in one last line.
pub const MAX_LINES: usize = 1000;

#[derive(Default)]
struct Buffer {
    lines: Vec<String>,
    dropped: usize,
}

fn buffers() -> &'static Mutex<HashMap<String, Buffer>> {
    static BUFFERS: OnceLock<Mutex<HashMap<String, Buffer>>> = OnceLock::new();
    BUFFERS.get_or_init(Default::default)
}

pub(crate) fn begin(invocation_id: &str) {
    if let Ok(mut map) = buffers().lock() {
        map.insert(invocation_id.to_owned(), Buffer::default());
    }
}

pub(crate) fn finish(invocation_id: &str) -> Vec<String> {
    let buffer = buffers()
        .lock()
        .ok()
        .and_then(|mut map| map.remove(invocation_id))
        .unwrap_or_default();
    let mut lines = buffer.lines;
    if buffer.dropped > 0 {
        lines.push(format!("({} more log lines dropped)", buffer.dropped));
    }
    lines
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

struct InvocationTag(String);

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
        if attrs.metadata().name() != "invocation" {
            return;
        }
        let mut visitor = IdVisitor(None);
        attrs.record(&mut visitor);
        if let (Some(invocation_id), Some(span)) = (visitor.0, ctx.span(id)) {
            span.extensions_mut().insert(InvocationTag(invocation_id));
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
                push(
                    &tag.0,
                    format!(
                        "{} {}: {}{}",
                        meta.level(),
                        meta.target(),
                        visitor.message,
                        visitor.fields
                    ),
                );
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
        .with_span_list(false)
        .with_writer(std::io::stdout);
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stdout)
        .with(InvocationLogLayer::new())
        .try_init();
}
