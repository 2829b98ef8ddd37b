//! The whole job on one machine: tenant-sim (a simulated tenant), azfn-local (a local
//! Functions host) and the real `jitadmin serve` handler it starts, wired together.
//! `jitadmin dev` runs it; the end-to-end tests start one per test.

mod app_files;
mod settings;
pub mod story;
mod story_devices;
mod story_teams;
pub mod timeline;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use azfn_local::{Handler, Keys, LocalHost, State};
use tenant_sim::{Scenario, Stage, StageSetting, TenantSim};

pub use settings::{handler_settings, teams_settings, CALLOUT_AUDIENCE};

/// How to start a dev environment.
#[derive(Debug, Clone)]
pub struct DevOptions {
    /// The `jitadmin` executable the local host starts as the handler.
    pub binary: PathBuf,
    /// Where the queues, the store and the app files live.
    pub state_dir: PathBuf,
    /// The front door's port (0 = any free port).
    pub http_port: u16,
    /// The simulated tenant.
    pub scenario: Scenario,
    /// Deliveries before a message is dead-lettered.
    pub max_delivery_count: u32,
    /// Peek-lock duration of queue messages.
    pub lock_duration: Duration,
    /// Extra settings for the handler (override the defaults).
    pub extra_settings: Vec<(String, String)>,
    /// How strictly the tenant holds Graph traffic to Graph's published metadata: strict in
    /// tests (a call that does not conform fails the test), recorded and logged for `jitadmin dev`.
    pub conformance: tenant_sim::ConformanceMode,
    /// The Graph calls the handler may make (the table of `docs/graph.md`), when checked.
    pub graph_calls: Option<tenant_sim::GraphCallTable>,
}

impl DevOptions {
    /// Defaults: the demo tenant, port 7071, the running executable as the handler.
    pub fn new(binary: PathBuf, state_dir: PathBuf) -> Self {
        DevOptions {
            binary,
            state_dir,
            http_port: 7071,
            scenario: Scenario::demo(),
            max_delivery_count: 10,
            lock_duration: Duration::from_secs(60),
            extra_settings: Vec::new(),
            conformance: tenant_sim::ConformanceMode::Strict,
            graph_calls: None,
        }
    }
}

/// A running dev environment.
pub struct DevEnvironment {
    /// The simulated tenant.
    pub sim: TenantSim,
    /// The local Functions host running `jitadmin serve`.
    pub host: LocalHost,
    /// The function key for `authLevel: function` routes.
    pub function_key: String,
    /// Where state lives.
    pub state_dir: PathBuf,
    /// The handler's `JITADMIN_STORE`, for reading its audit trail.
    pub store_setting: String,
}

impl DevEnvironment {
    /// Start the tenant, then the host with the handler.
    pub async fn start(options: DevOptions) -> anyhow::Result<Self> {
        // Absolute: the handler runs in the app directory, and every path it is given (rules,
        // store, queues) must still point here.
        let state_dir = std::path::absolute(&options.state_dir)
            .with_context(|| format!("resolving {}", options.state_dir.display()))?;
        std::fs::create_dir_all(&state_dir).with_context(|| format!("creating {}", state_dir.display()))?;
        let config = tenant_sim::SimConfig {
            conformance: options.conformance,
            ..tenant_sim::SimConfig::default()
        };
        let sim = TenantSim::start_with(options.scenario.clone(), config)
            .await
            .context("starting tenant-sim")?;
        if let Some(table) = &options.graph_calls {
            // The handler calls Graph as the tenant's managed identity (`handler_settings`).
            let handler = sim.with_state(|s| s.managed_identities.first().map(|m| m.client_id.clone()));
            sim.expect_graph_calls(table.clone(), &[handler.as_deref().unwrap_or_default()]);
        }
        let app_root = app_files::write(&state_dir.join("app")).context("writing the app files")?;
        let function_key = app_files::function_key(&state_dir)?;
        // The front door's port must be known before the handler starts: the group watch
        // registers `{front door}/api/notifications` with Graph. The listener is bound here
        // and handed to the host, so no other process can take the port in between.
        let front_door = std::net::TcpListener::bind(("127.0.0.1", options.http_port))
            .with_context(|| format!("listening on 127.0.0.1:{} for the front door", options.http_port))?;
        let http_port = front_door
            .local_addr()
            .context("reading the front door's address")?
            .port();
        let api_url = format!("http://127.0.0.1:{http_port}/api");
        let mut named: Vec<(String, String)> = handler_settings(&sim, &state_dir);
        named.extend(settings::watch_settings(&sim, &api_url));
        let teams = settings::teams_settings(&sim);
        if let Some((_, bot)) = teams.iter().find(|(k, _)| k == "JITADMIN_BOT_APP_ID") {
            // The sim's Bot Connector accepts the bot's token, and its Teams client delivers
            // clicks to our messaging endpoint.
            sim.bot().set_app_id(bot);
            sim.bot().set_messaging_endpoint(format!("{api_url}/teams/messages"));
        }
        named.extend(settings::notify_settings(&sim, !teams.is_empty()));
        named.extend(teams);
        named.extend(options.extra_settings.iter().cloned());
        let store_setting = named
            .iter()
            .rev()
            .find(|(k, _)| k == "JITADMIN_STORE")
            .map(|(_, v)| v.clone());
        let mut settings = azfn_local::Settings::new();
        for (name, value) in named {
            settings = settings.set(name, value);
        }
        // The handler logs to stdout/stderr of its own; keep it quieter than the host.
        settings = settings.set("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()));
        let host = LocalHost::builder()
            .app_root(&app_root)
            .handler(Handler::Spawn {
                program: options.binary.clone(),
                args: vec!["serve".into()],
                working_dir: None,
            })
            .http_listener(front_door)
            .state(State::Dir(state_dir.join("queues")))
            .keys(
                Keys::default()
                    .with_function_key("default", function_key.clone())
                    .with_master(function_key.clone()),
            )
            .settings(settings)
            .max_delivery_count(options.max_delivery_count)
            .lock_duration(options.lock_duration)
            .start()
            .await
            .context("starting the local Functions host")?;
        let env = DevEnvironment {
            sim,
            host,
            function_key,
            state_dir,
            store_setting: store_setting.unwrap_or_default(),
        };
        env.connect_entitlement_management()?;
        Ok(env)
    }

    /// Point every access package policy's custom extension at `/api/callout`, the way
    /// `jitadmin provision` does in a real tenant: created is launch-and-wait, granted and
    /// removed are launch-and-continue. The simulated EM calls with the forwarder's
    /// managed-identity bearer token and the function key in the URL.
    fn connect_entitlement_management(&self) -> anyhow::Result<()> {
        let endpoint = format!("{}/callout?code={}", self.api_url(), self.function_key);
        let forwarder = self
            .sim
            .with_state(|s| s.managed_identities.first().map(|m| m.client_id.clone()));
        let forwarder = forwarder.context("the scenario has no managed identity to act as the forwarder")?;
        let policies: Vec<String> = self.sim.with_state(|s| {
            s.access_packages
                .iter()
                .flat_map(|p| p.policies.iter().map(|p| p.id.clone()))
                .collect()
        });
        for policy in policies {
            let settings = [
                StageSetting::wait(Stage::AssignmentRequestCreated, &endpoint, Duration::from_secs(3600)),
                StageSetting::continue_at(Stage::AssignmentRequestGranted, &endpoint),
                StageSetting::continue_at(Stage::AssignmentRequestRemoved, &endpoint),
            ];
            for setting in settings {
                let setting = setting.with_bearer(&forwarder, settings::CALLOUT_AUDIENCE);
                self.sim
                    .set_stage_setting(&policy, setting)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        Ok(())
    }

    /// Wait until the environment has settled: the tenant has no work of its own pending
    /// (callouts, change notifications) and the host none either (invocations, timer runs,
    /// queued or locked messages), both at once. One can wake the other (a callout becomes
    /// an invocation, an invocation's Graph call becomes a notification), so a pass counts
    /// only when the host stayed idle from before the tenant was found idle until after.
    /// Then an assertion that something did *not* happen means it.
    pub async fn settled(&self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        let left = || deadline.saturating_duration_since(tokio::time::Instant::now());
        loop {
            self.host
                .wait_idle(left())
                .await
                .context("waiting for the local host to settle")?;
            if let Some(mark) = self.host.idle_mark() {
                self.sim
                    .wait_idle(left())
                    .await
                    .context("waiting for tenant-sim to settle")?;
                if self.host.idle_since(mark) {
                    return Ok(());
                }
            }
            if left().is_zero() {
                anyhow::bail!("the dev environment did not settle within {timeout:?}: the host and the tenant kept waking each other");
            }
        }
    }

    /// `http://127.0.0.1:PORT/api`.
    pub fn api_url(&self) -> String {
        format!("{}/api", self.host.front_door_url())
    }

    /// Stop the host (and its handler), then the tenant.
    pub async fn shutdown(self) {
        self.host.shutdown().await;
        self.sim.shutdown().await;
    }
}

/// The default state directory of `jitadmin dev`.
pub fn default_state_dir() -> PathBuf {
    Path::new(".jitadmin").join("dev")
}
