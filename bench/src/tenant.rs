//! The simulated tenant the handler rows run against, and the handlers' start-up specs:
//! `jitadmin serve` with the app settings a dev deployment has (every URL pointing at
//! tenant-sim, SQLite store), and the baseline handler with none.

use std::path::Path;

use anyhow::Context;
use jitadmin::dev::{handler_settings, CALLOUT_AUDIENCE};
use tenant_sim::{Scenario, SimConfig, TenantSim};

use crate::binaries;
use crate::handler_process::HandlerSpec;

/// A running tenant-sim and what the handler rows need from it.
pub struct Tenant {
    /// The simulated tenant (OpenID metadata, JWKS, the managed-identity endpoint).
    pub sim: TenantSim,
    /// The forwarder's managed-identity bearer token for `callout`'s audience.
    pub forwarder_token: String,
}

impl Tenant {
    /// Starts the demo tenant and mints the forwarder's token.
    pub async fn start() -> anyhow::Result<Tenant> {
        Tenant::start_with(SimConfig::default()).await
    }

    /// Starts the demo tenant with `config` (a time-scaled throttle) and mints the
    /// forwarder's token.
    pub async fn start_with(config: SimConfig) -> anyhow::Result<Tenant> {
        // The bench measures jitadmin; the tests hold its Graph traffic to Graph's metadata, so
        // the tenant here spends no time checking it.
        let config = SimConfig {
            conformance: tenant_sim::ConformanceMode::Off,
            ..config
        };
        let sim = TenantSim::start_with(Scenario::demo(), config)
            .await
            .context("starting tenant-sim")?;
        let forwarder = sim
            .with_state(|s| s.managed_identities.first().map(|m| m.client_id.clone()))
            .context("the demo tenant has no managed identity to act as the forwarder")?;
        let forwarder_token = sim
            .app_token(&forwarder, CALLOUT_AUDIENCE)
            .map_err(|e| anyhow::anyhow!("minting the forwarder's token: {e}"))?;
        Ok(Tenant { sim, forwarder_token })
    }

    /// `jitadmin serve` with the dev settings; its store lives in `state_dir`.
    pub fn jitadmin_spec(&self, state_dir: &Path) -> anyhow::Result<HandlerSpec> {
        std::fs::create_dir_all(state_dir).with_context(|| format!("creating {}", state_dir.display()))?;
        Ok(HandlerSpec {
            name: "jitadmin".into(),
            program: binaries::sibling(binaries::JITADMIN)?,
            args: vec!["serve".into()],
            env: handler_settings(&self.sim, state_dir)
                .into_iter()
                .chain([(
                    "JITADMIN_CLIENT_STATE".to_string(),
                    crate::notifications::CLIENT_STATE.to_string(),
                )])
                .collect(),
            log_dir: state_dir.to_path_buf(),
        })
    }

    /// Stops the tenant.
    pub async fn shutdown(self) {
        self.sim.shutdown().await;
    }
}

/// The baseline handler (no settings).
pub fn baseline_spec(log_dir: &Path) -> anyhow::Result<HandlerSpec> {
    Ok(HandlerSpec {
        name: "baseline".into(),
        program: binaries::sibling(binaries::BASELINE)?,
        args: Vec::new(),
        env: Vec::new(),
        log_dir: log_dir.to_path_buf(),
    })
}
