//! The HTTP server the host talks to: `GET /` for readiness, `POST /{FunctionName}`.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use tokio::net::TcpListener;
use tower::{Layer, ServiceExt};

use crate::error::StartError;
use crate::function::{BoxedFunction, CallError, Context, Functions};
use crate::invocation::{InvocationRequest, InvocationResponse};
use crate::layers::{Trace, TraceLayer, Traced};
use crate::problem::Problem;

/// The environment variable the host sets to the port it will call.
pub const PORT_VAR: &str = "FUNCTIONS_CUSTOMHANDLER_PORT";
/// Default cap on an invocation body: 10 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest accepted invocation body, in bytes.
    pub body_limit: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

struct AppState {
    functions: Functions,
    config: ServerConfig,
    /// The invocation span, summary line and `Logs`, around every function.
    trace: TraceLayer,
}

/// Read `FUNCTIONS_CUSTOMHANDLER_PORT`.
pub fn port_from_env() -> Result<u16, StartError> {
    let raw = std::env::var(PORT_VAR).map_err(|_| StartError::PortMissing)?;
    match raw.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(StartError::PortInvalid(raw)),
    }
}

/// The router serving `functions`; useful to embed or to test without a socket.
pub fn router(functions: Functions, config: ServerConfig) -> Router {
    let trace = TraceLayer::new(functions.make_span.clone());
    let state = Arc::new(AppState {
        functions,
        config,
        trace,
    });
    Router::new()
        .route("/", get(ready).head(ready))
        .route("/{function}", any(invoke))
        .fallback(not_found)
        .with_state(state)
}

/// Serve on `listener` until `shutdown` resolves, then finish in-flight invocations.
pub async fn serve(
    listener: TcpListener,
    functions: Functions,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    axum::serve(listener, router(functions, config))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(StartError::Serve)
}

/// Bind `127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT` and serve until SIGTERM or SIGINT.
pub async fn run(functions: Functions) -> Result<(), StartError> {
    run_with(functions, ServerConfig::default()).await
}

/// [`run`] with explicit settings.
pub async fn run_with(functions: Functions, config: ServerConfig) -> Result<(), StartError> {
    let port = port_from_env()?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = TcpListener::bind(addr).await.map_err(|source| StartError::Bind {
        addr: addr.to_string(),
        source,
    })?;
    tracing::info!(%addr, functions = ?functions.names().collect::<Vec<_>>(), "custom handler listening");
    serve(listener, functions, config, shutdown_signal()).await
}

/// Resolves on SIGTERM or SIGINT, received after this call.
///
/// Called inside a Tokio runtime, it listens from the moment it is called, so a signal sent
/// before the future is first polled is not missed; outside one, it starts listening when
/// first polled. The host stops a custom handler with SIGTERM.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    let listening = tokio::runtime::Handle::try_current().is_ok().then(Signals::listen);
    async move {
        let signals = match listening {
            Some(signals) => signals,
            None => Signals::listen(),
        };
        signals.recv().await;
        tracing::info!("shutdown requested; finishing in-flight invocations");
    }
}

/// Listeners for the signals that stop the handler.
struct Signals {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    #[cfg(unix)]
    fn listen() -> Self {
        use tokio::signal::unix::{signal, SignalKind};
        Signals {
            terminate: signal(SignalKind::terminate()).ok(),
            interrupt: signal(SignalKind::interrupt()).ok(),
        }
    }

    #[cfg(not(unix))]
    fn listen() -> Self {
        Signals {}
    }

    #[cfg(unix)]
    async fn recv(self) {
        async fn next(signal: Option<tokio::signal::unix::Signal>) {
            match signal {
                Some(mut signal) => {
                    signal.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            _ = next(self.terminate) => {},
            _ = next(self.interrupt) => {},
        }
    }

    #[cfg(not(unix))]
    async fn recv(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn ready() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ready"}))
}

async fn not_found(request: Request) -> Problem {
    Problem::new("not-found", "No such route", 404).with_detail(format!(
        "{} {} is not served; invocations are POST /{{FunctionName}}",
        request.method(),
        request.uri().path()
    ))
}

async fn invoke(State(state): State<Arc<AppState>>, Path(name): Path<String>, request: Request) -> Response {
    let Some(function) = state.functions.map.get(&name).cloned() else {
        return Problem::new("unknown-function", "Unknown function", 404)
            .with_detail(format!("no function named '{name}' is registered"))
            .with("function", name)
            .into_response();
    };
    if request.method() != http::Method::POST {
        return Problem::new("method-not-allowed", "Method not allowed", 405)
            .with_detail(format!("invocations are POST, got {}", request.method()))
            .into_response();
    }
    let headers = request.headers().clone();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let content_type = header("content-type").unwrap_or_default();
    if !is_json(&content_type) {
        return Problem::new("unsupported-media-type", "Unsupported media type", 415)
            .with_detail(format!(
                "the invocation body must be application/json, got '{content_type}'"
            ))
            .into_response();
    }
    let context = Context {
        function_name: name.clone(),
        invocation_id: header("x-azure-functions-invocationid").unwrap_or_else(new_invocation_id),
        host_version: header("x-azure-functions-hostversion"),
    };
    let limit = state
        .functions
        .body_limit_of(&name)
        .map_or(state.config.body_limit, |own| own.min(state.config.body_limit));
    let bytes = match read_body(request.into_body(), limit).await {
        Ok(bytes) => bytes,
        Err(problem) => return problem.into_response(),
    };
    let envelope: InvocationRequest = match serde_json::from_slice(&bytes) {
        Ok(envelope) => envelope,
        Err(e) => {
            return Problem::new("invalid-json", "Invalid invocation body", 400)
                .with_detail(format!(
                    "the body is not an invocation envelope {{Data, Metadata}}: {e}"
                ))
                .into_response()
        }
    };
    call(state.trace.layer(function), envelope, context).await
}

/// Run one invocation and answer the host: the outputs, or a problem with the logs.
async fn call(function: Trace<BoxedFunction>, envelope: InvocationRequest, context: Context) -> Response {
    let invocation_id = context.invocation_id.clone();
    let traced = match function.oneshot((envelope, context)).await {
        Ok(traced) => traced,
        Err(never) => match never {},
    };
    let Traced { result, logs } = traced;
    let problem = match result {
        Ok(outputs) => {
            let (outputs, return_value) = outputs.into_parts();
            return Json(InvocationResponse {
                outputs,
                logs,
                return_value,
            })
            .into_response();
        }
        Err(CallError::Binding(e)) => Problem::new("bad-binding", "Bad binding value", 400).with_detail(e.to_string()),
        Err(CallError::Function(e)) => match e.downcast::<Problem>() {
            Ok(problem) => *problem,
            Err(e) => Problem::new("function-failed", "The function failed", 500).with_detail(error_chain(e.as_ref())),
        },
        Err(CallError::Panicked) => Problem::new("function-panicked", "The function panicked", 500)
            .with_detail("the function panicked; its message is in the invocation's logs"),
    };
    let mut problem = problem.with("invocationId", invocation_id);
    if !logs.is_empty() {
        problem = problem.with("Logs", logs);
    }
    problem.into_response()
}

async fn read_body(body: Body, limit: usize) -> Result<bytes::Bytes, Problem> {
    let too_large = || {
        Problem::new("payload-too-large", "Invocation body too large", 413)
            .with_detail(format!("the body exceeds the limit of {limit} bytes"))
    };
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(err) = source {
            if err.to_string().contains("length limit exceeded") {
                return too_large();
            }
            source = err.source();
        }
        Problem::new("bad-body", "Unreadable body", 400).with_detail(e.to_string())
    })
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn new_invocation_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("local-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Render an error with its sources: `outer: inner: root`.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let _ = std::fmt::Write::write_fmt(&mut text, format_args!(": {e}"));
        source = e.source();
    }
    text
}
