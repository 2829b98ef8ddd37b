//! Starting and watching the handler process the way the Functions host does:
//! a free loopback port in `FUNCTIONS_CUSTOMHANDLER_PORT`, `GET /` every 25 ms until any
//! HTTP answer, a restart when the process exits, and giving up after 3 failures in
//! 30 minutes.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use tokio::sync::{watch, Notify};

use super::Endpoint;

/// The readiness poll interval of the host.
pub const READINESS_INTERVAL: Duration = Duration::from_millis(25);
/// Failures tolerated within [`RESTART_WINDOW`] before giving up.
pub const MAX_FAILURES: usize = 3;
/// The window failures are counted in.
pub const RESTART_WINDOW: Duration = Duration::from_secs(30 * 60);

/// What to start.
#[derive(Debug, Clone)]
pub(crate) struct SpawnPlan {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub working_dir: PathBuf,
    pub env: BTreeMap<String, String>,
    pub app_root: PathBuf,
    pub startup_timeout: Duration,
}

/// Times a handler that died at start-up because another process took its port is started
/// again on a new port before that counts as a failure.
const PORT_COLLISION_RETRIES: usize = 3;

/// A port that is free now. The handler is a separate process that binds the port itself and
/// can only be told a number (`FUNCTIONS_CUSTOMHANDLER_PORT`, as the Functions host does), so
/// the listener found here is released before the child binds the port, and another process
/// may take the port in between; [`supervise`] then starts the handler again on a new port.
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// True when something else listens on `port` now.
fn port_taken(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_err()
}

fn start(plan: &SpawnPlan, port: u16) -> std::io::Result<Child> {
    let mut command = Command::new(&plan.program);
    command
        .args(&plan.args)
        .current_dir(&plan.working_dir)
        .envs(&plan.env)
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
        .env("FUNCTIONS_HTTPWORKER_PORT", port.to_string())
        .env("FUNCTIONS_CUSTOMHANDLER_WORKER_ID", uuid::Uuid::new_v4().to_string())
        .env("FUNCTIONS_APP_ROOT_PATH", &plan.app_root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn()?;
    let pid = child.id().unwrap_or_default();
    if let Some(out) = child.stdout.take() {
        tokio::spawn(pipe_lines(out, pid, false));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(pipe_lines(err, pid, true));
    }
    Ok(child)
}

async fn pipe_lines(stream: impl AsyncRead + Unpin, pid: u32, is_stderr: bool) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if is_stderr {
            tracing::error!(target: "azfn_local::handler", handler_pid = pid, "{line}");
        } else {
            tracing::info!(target: "azfn_local::handler", handler_pid = pid, "{line}");
        }
    }
}

/// Why a started handler did not become ready.
enum NotReady {
    /// The process exited.
    Exited(String),
    /// It did not answer in time.
    Silent(String),
}

/// Poll `GET /` until any HTTP answer. Errs when the process exits or the deadline passes.
async fn wait_ready(child: &mut Child, base: &str, deadline: Duration) -> Result<(), NotReady> {
    let exited = async {
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return format!("the handler exited during start-up ({status})");
            }
            tokio::time::sleep(READINESS_INTERVAL).await;
        }
    };
    tokio::select! {
        ready = wait_answering(base, deadline) => ready.map_err(NotReady::Silent),
        reason = exited => Err(NotReady::Exited(reason)),
    }
}

/// Start the handler on a free port and wait until it answers; a handler that exits at
/// start-up while another process holds its port lost a race for the port and is started
/// again on a new one.
async fn start_ready(plan: &SpawnPlan) -> Result<(Child, String), String> {
    let mut collisions = 0;
    loop {
        let port = free_port().map_err(|e| format!("no free port: {e}"))?;
        let mut child = start(plan, port).map_err(|e| format!("cannot start {}: {e}", plan.program.display()))?;
        let base = format!("http://127.0.0.1:{port}");
        match wait_ready(&mut child, &base, plan.startup_timeout).await {
            Ok(()) => return Ok((child, base)),
            Err(NotReady::Exited(reason)) if collisions < PORT_COLLISION_RETRIES && port_taken(port) => {
                collisions += 1;
                tracing::warn!(port, %reason, "another process took the handler's port; starting it on another");
            }
            Err(NotReady::Exited(reason) | NotReady::Silent(reason)) => {
                let _ = child.start_kill();
                return Err(reason);
            }
        }
    }
}

/// Poll `GET {base}/` every 25 ms until any HTTP answer (404 included), as the host does.
pub(crate) async fn wait_answering(base: &str, deadline: Duration) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap_or_default();
    let started = Instant::now();
    loop {
        if client.get(format!("{base}/")).send().await.is_ok() {
            return Ok(());
        }
        if started.elapsed() > deadline {
            return Err(format!("no answer to GET {base}/ within {deadline:?}"));
        }
        tokio::time::sleep(READINESS_INTERVAL).await;
    }
}

/// Run the handler until `shutdown` turns true, restarting it when it dies or when
/// `restart` is notified (an invocation timed out). Only deaths count as failures.
pub(crate) async fn supervise(
    plan: SpawnPlan,
    endpoint: Arc<watch::Sender<Endpoint>>,
    restart: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut failures: VecDeque<Instant> = VecDeque::new();
    loop {
        let _ = endpoint.send(Endpoint::Starting);
        let outcome = tokio::select! {
            outcome = start_ready(&plan) => outcome,
            _ = crate::stopped(&mut shutdown) => return,
        };
        let reason = match outcome {
            Ok((mut child, base)) => {
                tracing::info!(handler = %base, pid = child.id().unwrap_or_default(), "custom handler ready");
                let _ = endpoint.send(Endpoint::Ready(base));
                tokio::select! {
                    status = child.wait() => {
                        let status = status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                        format!("the handler exited ({status})")
                    }
                    _ = restart.notified() => {
                        let _ = child.start_kill();
                        let _ = child.wait().await;
                        tracing::warn!("custom handler restarted after an invocation timed out");
                        continue;
                    }
                    _ = crate::stopped(&mut shutdown) => {
                        let _ = child.start_kill();
                        let _ = child.wait().await;
                        return;
                    }
                }
            }
            Err(reason) => reason,
        };
        let now = Instant::now();
        failures.push_back(now);
        while failures
            .front()
            .is_some_and(|t| now.duration_since(*t) > RESTART_WINDOW)
        {
            failures.pop_front();
        }
        if failures.len() >= MAX_FAILURES {
            let reason = format!("{reason}; giving up after {MAX_FAILURES} failures within {RESTART_WINDOW:?}");
            tracing::error!(%reason, "custom handler failed");
            let _ = endpoint.send(Endpoint::Failed(reason));
            return;
        }
        tracing::warn!(%reason, failures = failures.len(), "custom handler failed; restarting");
    }
}
