//! A custom handler started the way the Functions host starts one: an executable with
//! `FUNCTIONS_CUSTOMHANDLER_PORT` and the app settings in its environment, ready when
//! `GET /` answers 200.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

/// How to start a handler.
#[derive(Debug, Clone)]
pub struct HandlerSpec {
    /// A short name for messages (`jitadmin`, `baseline`).
    pub name: String,
    /// The executable.
    pub program: PathBuf,
    /// Its arguments (`serve` for jitadmin).
    pub args: Vec<String>,
    /// App settings.
    pub env: Vec<(String, String)>,
    /// Where its stderr goes (read back when it fails to start).
    pub log_dir: PathBuf,
}

/// A running handler.
pub struct HandlerProcess {
    child: Child,
    name: String,
    port: u16,
    stderr_path: PathBuf,
}

/// How long a handler may take to answer `GET /` before the bench gives up.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

impl HandlerProcess {
    /// Starts the handler on a free port and waits until `GET /` answers 200; returns the
    /// process and the time from just before the spawn to that first 200.
    pub async fn start(spec: &HandlerSpec, probe: &reqwest::Client) -> anyhow::Result<(HandlerProcess, Duration)> {
        let port = free_port()?;
        let stderr_path = spec.log_dir.join(format!("{}-{port}.stderr", spec.name));
        let stderr =
            std::fs::File::create(&stderr_path).with_context(|| format!("creating {}", stderr_path.display()))?;
        let mut command = Command::new(&spec.program);
        command
            .args(&spec.args)
            // The deployment default (info), whatever the bench's own environment says.
            .env_remove("RUST_LOG")
            .envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(stderr))
            .kill_on_drop(true);
        let started = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", spec.program.display()))?;
        let mut process = HandlerProcess {
            child,
            name: spec.name.clone(),
            port,
            stderr_path,
        };
        process.wait_ready(probe).await?;
        let elapsed = started.elapsed();
        Ok((process, elapsed))
    }

    async fn wait_ready(&mut self, probe: &reqwest::Client) -> anyhow::Result<()> {
        let url = format!("{}/", self.base_url());
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(response) = probe.get(&url).send().await {
                if response.status().is_success() {
                    return Ok(());
                }
            }
            if let Some(status) = self.child.try_wait().context("checking the handler")? {
                bail!(
                    "{} exited with {status} before answering GET /: {}",
                    self.name,
                    tail(&self.stderr_path)
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "{} did not answer GET / within {READY_TIMEOUT:?}: {}",
                    self.name,
                    tail(&self.stderr_path)
                );
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The process id (for `/proc`).
    pub fn pid(&self) -> anyhow::Result<u32> {
        self.child
            .id()
            .with_context(|| format!("{} has already exited", self.name))
    }

    /// Kills the handler and reaps it.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// A client for readiness probes: no pooled connections (each probe is a fresh connect,
/// as the host's), a short timeout.
pub fn probe_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(2))
        .build()
        .context("building the probe client")
}

/// A port nobody listens on now (bound and released; the handler binds it next).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    Ok(listener.local_addr().context("reading the free port")?.port())
}

/// The last lines of a log file, for an error message.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(5);
    let tail = lines[start..].join(" | ");
    if tail.is_empty() {
        format!("(nothing on stderr; {})", path.display())
    } else {
        tail
    }
}
