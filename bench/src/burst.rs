//! Burst drain: N grant/removal events, each for a user with two Windows devices, against
//! tenant-sim's time-scaled Intune throttle (2,000 requests and 200 writes per 20 s per app).
//!
//! Client-level until issue 8 wires the device loop into `process`: the bench plays
//! `process` itself, one event per worker at a time (16 workers, as sessions run in
//! parallel), each event listing the user's devices and syncing them with jitadmin-graph's
//! `sync_devices` (`$batch` through the shared Intune limiter). The client's retry sleeps
//! are scaled by the same factor as the throttle's windows, as its `Retry-After` is in
//! simulated seconds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use jitadmin_graph::devices::SyncOutcome;
use jitadmin_graph::{GraphClient, GraphConfig, RateLimits, StaticToken};
use serde::Serialize;
use tenant_sim::{ComplianceState, ManagedDevice, Scenario, SimConfig, TenantSim, ThrottleClass, User};

use crate::stats::{ms, ratio};

/// Devices per user.
pub const DEVICES_PER_USER: usize = 2;
/// Events handled at once (parallel sessions of `process`).
pub const WORKERS: usize = 16;

/// The burst row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct BurstRow {
    /// Grant/removal events.
    pub events: usize,
    /// Devices synced (events × 2).
    pub devices: usize,
    /// Throttle time scale (0.05: a 20 s window lasts 1 s).
    pub time_scale: f64,
    /// Wall-clock drain time, ms.
    pub drain_ms: f64,
    /// The throttle's theoretical minimum for the same requests, wall-clock ms.
    pub theoretical_min_ms: f64,
    /// `drain_ms / theoretical_min_ms` (1 = as fast as the throttle allows).
    pub drain_ratio: f64,
    /// The same two figures in simulated (Intune) seconds.
    pub drain_simulated_s: f64,
    /// The theoretical minimum in simulated seconds.
    pub theoretical_min_simulated_s: f64,
    /// HTTP requests the client sent (device lists + `$batch` posts, retries included).
    pub calls: usize,
    /// HTTP requests without batching: one list and one `syncDevice` per device, per event.
    pub naive_calls: usize,
    /// `calls / naive_calls`.
    pub calls_ratio: f64,
    /// Intune operations Graph counted (lists + sync items, retries included).
    pub intune_operations: usize,
    /// 429s the sim answered (requests and batch items).
    pub throttled_429: usize,
    /// Devices whose sync was not accepted in the end.
    pub failed_syncs: usize,
    /// True until issue 8 wires the device loop into `process`.
    pub client_level: bool,
}

/// Said next to the row while it drives the client directly.
pub const CLIENT_LEVEL_NOTE: &str = "client-level until issue 8 wires process";

/// Drains `events` events at throttle time scale `scale`.
pub async fn run(events: usize, scale: f64) -> anyhow::Result<BurstRow> {
    let sim = TenantSim::start_with(Scenario::demo(), SimConfig::default().with_time_scale(scale))
        .await
        .context("starting tenant-sim for the burst")?;
    let result = drain(&sim, events, scale).await;
    sim.shutdown().await;
    result
}

async fn drain(sim: &TenantSim, events: usize, scale: f64) -> anyhow::Result<BurstRow> {
    let users = seed(sim, events)?;
    let graph = graph_client(sim, scale)?;
    sim.clear_calls();
    sim.throttle().reset();

    let users = Arc::new(users);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (graph, users, next) = (graph.clone(), users.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut failed = 0;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(user) = users.get(n) else { break };
                failed += handle_event(&graph, user).await?;
            }
            anyhow::Ok(failed)
        }));
    }
    let mut failed_syncs = 0;
    for worker in workers {
        failed_syncs += worker.await.context("a burst worker panicked")??;
    }
    let drain = started.elapsed();

    let lists = sim.calls_to("GET", "/v1.0/users/").len();
    let batches = sim.calls_to("POST", "/v1.0/$batch").len();
    let items = sim.calls_to("POST", "/v1.0/deviceManagement/").len();
    let throttled_429 = sim.calls().iter().filter(|c| c.status == Some(429)).count();
    let devices = events * DEVICES_PER_USER;
    let minimum = theoretical_minimum(&sim.throttle().classes(), events, devices);
    let calls = lists + batches;
    let naive_calls = events + devices;
    Ok(BurstRow {
        events,
        devices,
        time_scale: scale,
        drain_ms: ms(drain),
        theoretical_min_ms: ms(minimum.mul_f64(scale)),
        drain_ratio: ratio(drain.as_secs_f64(), minimum.mul_f64(scale).as_secs_f64()),
        drain_simulated_s: drain.as_secs_f64() / scale,
        theoretical_min_simulated_s: minimum.as_secs_f64(),
        calls,
        naive_calls,
        calls_ratio: ratio(calls as f64, naive_calls as f64),
        intune_operations: lists + items,
        throttled_429,
        failed_syncs,
        client_level: true,
    })
}

/// One event, as `process` will handle it: the user's Windows devices, then one sync each.
/// Returns the devices whose sync was not accepted.
async fn handle_event(graph: &GraphClient, user: &str) -> anyhow::Result<usize> {
    let devices = graph
        .list_user_windows_devices(user)
        .await
        .with_context(|| format!("listing {user}'s devices"))?;
    let ids: Vec<String> = devices.into_iter().map(|d| d.id).collect();
    let outcomes = graph
        .sync_devices(&ids)
        .await
        .with_context(|| format!("syncing {user}'s devices"))?;
    Ok(outcomes
        .iter()
        .filter(|(_, o)| !matches!(o, SyncOutcome::Requested))
        .count())
}

/// The earliest the last request can be admitted: in each class, `limit` requests per
/// window go at once, so `k` requests need `floor((k - 1) / limit)` further windows.
/// Simulated time.
pub fn theoretical_minimum(classes: &[ThrottleClass], events: usize, devices: usize) -> Duration {
    classes
        .iter()
        .map(|c| {
            let k = if c.writes_only { devices } else { events + devices };
            let windows = k.saturating_sub(1) / (c.limit.max(1) as usize);
            c.window * windows as u32
        })
        .max()
        .unwrap_or_default()
}

/// `events` users with two compliant Windows MDM devices each; returns their ids.
fn seed(sim: &TenantSim, events: usize) -> anyhow::Result<Vec<String>> {
    let mut users = Vec::with_capacity(events);
    for n in 0..events {
        let id = format!("b0000000-0000-4000-8000-{n:012}");
        sim.add_user(User {
            id: id.clone(),
            user_principal_name: format!("burst{n}@contoso.example"),
            display_name: format!("Burst User {n}"),
            account_enabled: true,
            ..User::default()
        })
        .map_err(|e| anyhow::anyhow!("seeding user {n}: {e}"))?;
        for d in 0..DEVICES_PER_USER {
            sim.upsert_device(ManagedDevice {
                id: format!("d0000000-0000-4000-8000-{:012}", n * DEVICES_PER_USER + d),
                device_name: format!("BURST-{n}-{d}"),
                user_id: Some(id.clone()),
                operating_system: "Windows".into(),
                compliance_state: ComplianceState::Compliant,
                management_agent: "mdm".into(),
                ..ManagedDevice::default()
            });
        }
        users.push(id);
    }
    Ok(users)
}

/// jitadmin-graph's client on the sim with the Function App identity's Graph token, its
/// default (recommended, 75 %) Intune limits over a window scaled like the sim's, and
/// retry waits scaled the same way.
fn graph_client(sim: &TenantSim, scale: f64) -> anyhow::Result<GraphClient> {
    let identity = sim
        .with_state(|s| s.managed_identities.first().map(|m| m.client_id.clone()))
        .context("the demo tenant has no managed identity")?;
    let token = sim
        .app_token(&identity, "https://graph.microsoft.com")
        .map_err(|e| anyhow::anyhow!("minting a Graph token: {e}"))?;
    let limits = RateLimits {
        window: RateLimits::INTUNE_RECOMMENDED.window.mul_f64(scale),
        ..RateLimits::INTUNE_RECOMMENDED
    };
    let config = GraphConfig {
        base_url: sim.graph_url().to_string(),
        intune_limits: Some(limits),
        ..GraphConfig::default()
    };
    GraphClient::builder(StaticToken::new(token))
        .config(config)
        .sleep_fn(Arc::new(move |d: Duration| {
            Box::pin(tokio::time::sleep(d.mul_f64(scale)))
        }))
        .build()
        .context("building the Graph client")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimum_is_set_by_the_write_limit_for_syncs() {
        let classes = [ThrottleClass::intune(), ThrottleClass::intune_writes()];
        // 1,000 writes at 200 per 20 s: 200 at once, the last 200 after 4 more windows.
        assert_eq!(theoretical_minimum(&classes, 500, 1000), Duration::from_secs(80));
        assert_eq!(theoretical_minimum(&classes, 50, 100), Duration::ZERO);
    }
}
