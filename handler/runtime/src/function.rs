//! Functions as `tower::Service`s over typed invocations, and the registry that names them.

use std::collections::BTreeMap;
use std::task::{Context as TaskContext, Poll};

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::Serialize;
use serde_json::{Map, Value};
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceExt};

use crate::error::{BindingError, Error};
use crate::http::{HttpRequest, HttpResponse};
use crate::invocation::InvocationRequest;
use crate::layers::{CatchPanicLayer, MakeSpan, Panicked};
use crate::service_bus::{OutputMessage, ServiceBusMessage};
use crate::timer::TimerInfo;

/// Facts about one invocation that are not bindings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The function's name (its folder name).
    pub function_name: String,
    /// `X-Azure-Functions-InvocationId`, or a generated id when the caller sent none.
    pub invocation_id: String,
    /// `X-Azure-Functions-HostVersion`, when sent.
    pub host_version: Option<String>,
}

/// A typed invocation: the trigger's value, the raw envelope, and the context.
#[derive(Debug, Clone)]
pub struct Invocation<T> {
    /// The trigger binding's value.
    pub trigger: T,
    /// The whole envelope, for other input bindings and metadata.
    pub request: InvocationRequest,
    /// Invocation facts.
    pub context: Context,
}

/// A value that can be read from an invocation's trigger binding.
pub trait Trigger: Sized + Send + 'static {
    /// Read the value of binding `binding`.
    fn from_request(request: &InvocationRequest, binding: &str) -> Result<Self, BindingError>;
}

fn binding<'a>(request: &'a InvocationRequest, name: &str) -> Result<&'a Value, BindingError> {
    request
        .data
        .get(name)
        .ok_or_else(|| BindingError::MissingBinding(name.to_owned()))
}

impl Trigger for HttpRequest {
    fn from_request(request: &InvocationRequest, name: &str) -> Result<Self, BindingError> {
        HttpRequest::from_value(binding(request, name)?)
    }
}

/// Reading a Service Bus message records its correlation id (see
/// [`ServiceBusMessage::correlation`]) as the field `correlation_id` of the invocation's
/// span, when the span declares one.
impl Trigger for ServiceBusMessage {
    fn from_request(request: &InvocationRequest, name: &str) -> Result<Self, BindingError> {
        let message = ServiceBusMessage::from_invocation(request, name)?;
        if let Some(id) = message.correlation() {
            crate::logs::record("correlation_id", &id);
        }
        Ok(message)
    }
}

impl Trigger for TimerInfo {
    fn from_request(request: &InvocationRequest, name: &str) -> Result<Self, BindingError> {
        TimerInfo::from_value(binding(request, name)?)
    }
}

impl Trigger for Value {
    fn from_request(request: &InvocationRequest, name: &str) -> Result<Self, BindingError> {
        Ok(binding(request, name)?.clone())
    }
}

/// What a function hands back: output binding values and an optional return value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outputs {
    values: Map<String, Value>,
    return_value: Option<Value>,
}

impl Outputs {
    /// No outputs.
    pub fn new() -> Self {
        Outputs::default()
    }

    /// Set an `http` output binding.
    pub fn http(mut self, binding: &str, response: HttpResponse) -> Self {
        self.values.insert(
            binding.to_owned(),
            serde_json::to_value(response).unwrap_or(Value::Null),
        );
        self
    }

    /// Append a message to a Service Bus output binding (several become a JSON array).
    pub fn message(mut self, binding: &str, message: OutputMessage) -> Self {
        let value = message.to_value();
        match self.values.get_mut(binding) {
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                self.values.insert(binding.to_owned(), Value::Array(vec![value]));
            }
        }
        self
    }

    /// Set any output binding to a JSON object. Never pass a bare string: the host
    /// base64-decodes an output string that happens to be valid base64, so text such as
    /// `"test"` would reach the binding as other bytes.
    pub fn set(mut self, binding: &str, value: impl Serialize) -> Self {
        self.values
            .insert(binding.to_owned(), serde_json::to_value(value).unwrap_or(Value::Null));
        self
    }

    /// Set the `$return` value.
    pub fn return_value(mut self, value: impl Serialize) -> Self {
        self.return_value = serde_json::to_value(value).ok();
        self
    }

    /// The output values by binding name.
    pub fn values(&self) -> &Map<String, Value> {
        &self.values
    }

    pub(crate) fn into_parts(self) -> (Map<String, Value>, Option<Value>) {
        (self.values, self.return_value)
    }
}

/// Why an invocation did not produce outputs.
#[derive(Debug)]
pub(crate) enum CallError {
    Binding(BindingError),
    Function(Error),
    /// The function panicked; [`CatchPanic`](crate::layers::CatchPanic) logged the message.
    Panicked,
}

impl From<Panicked> for CallError {
    fn from(_: Panicked) -> Self {
        CallError::Panicked
    }
}

pub(crate) type BoxedFunction = BoxCloneSyncService<(InvocationRequest, Context), Outputs, CallError>;

/// Adapts a typed service to the erased `(InvocationRequest, Context)` form.
struct Typed<S, T> {
    binding: String,
    inner: S,
    _trigger: std::marker::PhantomData<fn() -> T>,
}

impl<S: Clone, T> Clone for Typed<S, T> {
    fn clone(&self) -> Self {
        Typed {
            binding: self.binding.clone(),
            inner: self.inner.clone(),
            _trigger: std::marker::PhantomData,
        }
    }
}

impl<S, T> Service<(InvocationRequest, Context)> for Typed<S, T>
where
    T: Trigger,
    S: Service<Invocation<T>, Response = Outputs> + Clone + Send + 'static,
    S::Error: Into<Error>,
    S::Future: Send + 'static,
{
    type Response = Outputs;
    type Error = CallError;
    type Future = BoxFuture<'static, Result<Outputs, CallError>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, (request, context): (InvocationRequest, Context)) -> Self::Future {
        let inner = self.inner.clone();
        let binding = self.binding.clone();
        Box::pin(async move {
            let trigger = T::from_request(&request, &binding).map_err(CallError::Binding)?;
            let invocation = Invocation {
                trigger,
                request,
                context,
            };
            inner
                .oneshot(invocation)
                .await
                .map_err(|e| CallError::Function(e.into()))
        })
    }
}

/// The functions a handler serves, by name, and how their invocations are traced.
#[derive(Clone, Default)]
pub struct Functions {
    pub(crate) map: BTreeMap<String, BoxedFunction>,
    pub(crate) make_span: Option<MakeSpan>,
    /// Per-function caps on the invocation body, below the server's.
    pub(crate) body_limits: BTreeMap<String, usize>,
}

impl std::fmt::Debug for Functions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Functions")
            .field("names", &self.map.keys().collect::<Vec<_>>())
            .field("custom_span", &self.make_span.is_some())
            .finish()
    }
}

impl Functions {
    /// An empty registry.
    pub fn new() -> Self {
        Functions::default()
    }

    /// Register `service` as function `name`, whose trigger binding is `binding`
    /// (the `name` of the trigger in its function.json). The trigger's type picks the
    /// decoding: [`HttpRequest`], [`ServiceBusMessage`], [`TimerInfo`], or raw
    /// [`serde_json::Value`].
    ///
    /// A panic in the service (or in decoding its trigger) fails only that invocation:
    /// see [`CatchPanicLayer`].
    pub fn function<T, S>(mut self, name: &str, binding: &str, service: S) -> Self
    where
        T: Trigger,
        S: Service<Invocation<T>, Response = Outputs> + Clone + Send + Sync + 'static,
        S::Error: Into<Error>,
        S::Future: Send + 'static,
    {
        let typed = Typed {
            binding: binding.to_owned(),
            inner: service,
            _trigger: std::marker::PhantomData,
        };
        let caught = CatchPanicLayer::new().layer(typed);
        self.map.insert(name.to_owned(), BoxCloneSyncService::new(caught));
        self
    }

    /// Make each invocation's span with `make_span(function, invocation_id)`, to declare the
    /// fields the application fills in with [`record_field`](crate::record_field).
    ///
    /// `tracing` needs a span's field names when the span is made, so declare them here,
    /// empty (`tracing::field::Empty`), and record them once the event is read. The span must
    /// have an `invocation_id` field: the log layer finds the invocation's `Logs` by it.
    /// Without this call the span is [`default_span`](crate::layers::default_span).
    ///
    /// ```
    /// use azfn_runtime::Functions;
    /// use tracing::field::Empty;
    ///
    /// let functions = Functions::new().span(|function: &str, invocation_id: &str| {
    ///     tracing::info_span!("invocation", function, invocation_id, order_id = Empty)
    /// });
    /// ```
    pub fn span<F>(mut self, make_span: F) -> Self
    where
        F: Fn(&str, &str) -> tracing::Span + Send + Sync + 'static,
    {
        self.make_span = Some(Arc::new(make_span));
        self
    }

    /// Cap function `name`'s invocation body (the whole envelope, in bytes) below the
    /// server's limit: a larger one is refused with 413 before anything of it is parsed, so an
    /// anonymous endpoint cannot make the instance hold megabytes of someone else's JSON.
    pub fn body_limit(mut self, name: &str, bytes: usize) -> Self {
        self.body_limits.insert(name.to_owned(), bytes);
        self
    }

    /// The body cap of function `name`, when it has its own.
    pub fn body_limit_of(&self, name: &str) -> Option<usize> {
        self.body_limits.get(name).copied()
    }

    /// The registered names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}
