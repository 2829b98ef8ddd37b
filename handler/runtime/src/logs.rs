//! Invocation logs: `tracing` events inside an invocation come back in `Logs`.
//!
//! The server opens a span named `invocation` around each call ([`invocation_span`]) with
//! the function name and invocation id, and declares empty the fields an application records
//! once it has read its event ([`CORRELATION_FIELDS`], with [`record`]), so every line of an
//! invocation carries them; it ends with one summary line (`invocation finished`, `outcome`,
//! `duration_ms`). [`InvocationLogLayer`] tags that span and appends every event in its scope,
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

/// Fields of the invocation span an application fills in with [`record`] once it parsed its
/// event: what kind of event, the business id it concerns, the user it concerns, and the
/// correlation id carried across queue hops (a Service Bus trigger records the message's own).
pub const CORRELATION_FIELDS: [&str; 4] = ["event_kind", "request_id", "user", "correlation_id"];

/// The span of one invocation: `function`, `invocation_id`, and [`CORRELATION_FIELDS`] empty.
pub fn invocation_span(function: &str, invocation_id: &str) -> tracing::Span {
    tracing::info_span!(
        "invocation",
        function = %function,
        invocation_id = %invocation_id,
        event_kind = tracing::field::Empty,
        request_id = tracing::field::Empty,
        user = tracing::field::Empty,
        correlation_id = tracing::field::Empty,
    )
}

/// Record a correlation field (one of [`CORRELATION_FIELDS`]) on the current invocation's span.
/// Outside an invocation, or for another field name, nothing happens.
pub fn record(field: &str, value: &str) {
    tracing::Span::current().record(field, value);
}

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

struct InvocationTag {
    id: String,
    /// ` event_kind=.. request_id=..`: the correlation fields recorded so far.
    fields: String,
}

struct CorrelationVisitor<'a>(&'a mut String);
impl Visit for CorrelationVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if CORRELATION_FIELDS.contains(&field.name()) {
            let _ = write!(self.0, " {}={}", field.name(), value);
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if CORRELATION_FIELDS.contains(&field.name()) {
            let _ = write!(self.0, " {}={:?}", field.name(), value);
        }
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
        if attrs.metadata().name() != "invocation" {
            return;
        }
        let mut visitor = IdVisitor(None);
        attrs.record(&mut visitor);
        if let (Some(invocation_id), Some(span)) = (visitor.0, ctx.span(id)) {
            span.extensions_mut().insert(InvocationTag {
                id: invocation_id,
                fields: String::new(),
            });
        }
    }

    fn on_record(&self, id: &Id, values: &tracing::span::Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(tag) = extensions.get_mut::<InvocationTag>() {
            values.record(&mut CorrelationVisitor(&mut tag.fields));
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
                    &tag.id,
                    format!(
                        "{} {}: {}{}{}",
                        meta.level(),
                        meta.target(),
                        visitor.message,
                        visitor.fields,
                        tag.fields
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
        // Every enclosing span, so a line inside an inner span still carries the invocation's fields.
        .with_span_list(true)
        .with_writer(std::io::stdout);
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stdout)
        .with(InvocationLogLayer::new())
        .try_init();
}
