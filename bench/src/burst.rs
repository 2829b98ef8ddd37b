//! Burst drain: N removal events (an access review ending), each for a user with two Windows
//! devices, through the real pipeline against tenant-sim's time-scaled Intune throttle (2,000
//! requests and 200 writes per 20 s per app).
//!
//! `jitadmin serve` runs as the Functions host starts it. The bench plays the host: it invokes
//! `callout` with each event (EM's removed-stage body, the forwarder's token) and puts the
//! message `callout` answers with on azfn-local's queue (in memory, sessions keyed by user);
//! then, timed, 16 workers (parallel sessions, as the host's) receive, invoke `process` with
//! the host's Service Bus envelope, and complete or abandon, until the queue is empty.
//! jitadmin's Intune limiter window is scaled like the sim's; its Graph retry waits are not
//! (a 429's `Retry-After` is in simulated seconds, so any 429 costs real time: the row shows
//! how many were seen). Peak RSS is `VmHWM` at the end of the burst.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use azfn_local::answer::{parse_answer, service_bus_messages, Answer};
use azfn_local::envelope::service_bus_invocation;
use azfn_local::QueueStore;
use serde::Serialize;
use serde_json::{json, Value};
use tenant_sim::{ComplianceState, ManagedDevice, SimConfig, TenantSim, ThrottleClass, User};

use crate::envelope::{http_envelope, CALLOUT_REMOVED};
use crate::handler_process::{probe_client, HandlerProcess};
use crate::load::load_client;
use crate::memory::{self, Rss};
use crate::stats::{ms, ratio};
use crate::tenant::Tenant;

/// The queue `callout` writes and `process` reads.
const QUEUE: &str = "events";

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
    /// HTTP requests jitadmin sent to Intune (device lists + `$batch` posts, retries included).
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
    /// Devices synced more than once.
    pub repeated_syncs: usize,
    /// Events still queued or dead-lettered at the end.
    pub failed_events: usize,
    /// `jitadmin serve`'s resident set before the drain (events queued), KiB.
    pub rss_before_kb: u64,
    /// `jitadmin serve`'s peak resident set (`VmHWM`) at the end of the drain, KiB.
    pub peak_rss_kb: u64,
}

/// Drains `events` removal events through `jitadmin serve` at throttle time scale `scale`.
pub async fn run(events: usize, scale: f64, state_dir: &Path) -> anyhow::Result<BurstRow> {
    let tenant = Tenant::start_with(SimConfig::default().with_time_scale(scale)).await?;
    let result = drain(&tenant, events, scale, state_dir).await;
    tenant.shutdown().await;
    result
}

async fn drain(tenant: &Tenant, events: usize, scale: f64, state_dir: &Path) -> anyhow::Result<BurstRow> {
    let sim = &tenant.sim;
    let users = seed(sim, events)?;
    let mut spec = tenant.jitadmin_spec(state_dir)?;
    spec.env.extend([
        // Our limiter's window, scaled like the sim's.
        ("JITADMIN_INTUNE_WINDOW_SECS".to_string(), format!("{}", 20.0 * scale)),
        ("JITADMIN_GRAPH_MAX_ATTEMPTS".to_string(), "6".to_string()),
    ]);
    let probe = probe_client()?;
    let (jitadmin, _) = HandlerProcess::start(&spec, &probe).await?;
    let outcome = drain_through(tenant, &jitadmin, &users).await;
    jitadmin.stop().await;
    let (elapsed, failed_events, rss) = outcome?;

    let lists = sim.calls_to("GET", "/v1.0/users/").len();
    let batches = sim.calls_to("POST", "/v1.0/$batch").len();
    let items = sim.calls_to("POST", "/v1.0/deviceManagement/").len();
    let throttled_429 = sim.calls().iter().filter(|c| c.status == Some(429)).count();
    let syncs = sim.device_syncs();
    let synced: HashSet<&str> = syncs.iter().map(|s| s.device_id.as_str()).collect();
    let devices = events * DEVICES_PER_USER;
    let minimum = theoretical_minimum(&sim.throttle().classes(), events, devices);
    let calls = lists + batches;
    let naive_calls = events + devices;
    Ok(BurstRow {
        events,
        devices,
        time_scale: scale,
        drain_ms: ms(elapsed),
        theoretical_min_ms: ms(minimum.mul_f64(scale)),
        drain_ratio: ratio(elapsed.as_secs_f64(), minimum.mul_f64(scale).as_secs_f64()),
        drain_simulated_s: elapsed.as_secs_f64() / scale,
        theoretical_min_simulated_s: minimum.as_secs_f64(),
        calls,
        naive_calls,
        calls_ratio: ratio(calls as f64, naive_calls as f64),
        intune_operations: lists + items,
        throttled_429,
        failed_syncs: devices.saturating_sub(synced.len()),
        repeated_syncs: syncs.len() - synced.len(),
        failed_events,
        rss_before_kb: rss.0.current_kb,
        peak_rss_kb: rss.1.peak_kb,
    })
}

/// Queues one removal per user through `callout`, then drains the queue through `process`
/// with [`WORKERS`] workers. Returns the drain time, the events left undone, and the
/// handler's resident set before and after the drain.
async fn drain_through(
    tenant: &Tenant,
    jitadmin: &HandlerProcess,
    users: &[String],
) -> anyhow::Result<(Duration, usize, (Rss, Rss))> {
    let client = load_client(WORKERS)?;
    let base = jitadmin.base_url();
    let queue = QueueStore::in_memory().context("opening an in-memory queue")?;
    queue.declare_queue(QUEUE).context("declaring the events queue")?;
    for (n, user) in users.iter().enumerate() {
        let body = removal(n, user)?;
        let envelope = http_envelope(
            "callout",
            "/api/callout",
            &[("Authorization", &format!("Bearer {}", tenant.forwarder_token))],
            &body,
        );
        let answer = invoke(&client, &base, "callout", envelope.to_string().into_bytes()).await?;
        let messages = answer
            .output("events")
            .map(|v| service_bus_messages(v, false))
            .unwrap_or_default();
        anyhow::ensure!(
            messages.len() == 1,
            "callout queued {} messages for removal {n}, not 1: check the handler's settings",
            messages.len()
        );
        for message in messages {
            queue.send(QUEUE, message).context("queueing a removal")?;
        }
    }
    tenant.sim.clear_calls();
    tenant.sim.throttle().reset();
    let before = memory::read(jitadmin.pid()?)?;

    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (client, base, queue) = (client.clone(), base.clone(), queue.clone());
        workers.push(tokio::spawn(async move { work(&client, &base, &queue).await }));
    }
    for worker in workers {
        worker.await.context("a burst worker panicked")??;
    }
    let elapsed = started.elapsed();
    let after = memory::read(jitadmin.pid()?)?;
    let left = queue
        .queues()
        .context("counting the queue")?
        .iter()
        .map(|q| q.active + q.dead_lettered)
        .sum::<u64>() as usize;
    Ok((elapsed, left, (before, after)))
}

/// One worker: receive, invoke `process`, complete (or abandon, as the host does when the
/// invocation fails), until nothing is left.
async fn work(client: &reqwest::Client, base: &str, queue: &QueueStore) -> anyhow::Result<()> {
    loop {
        let Some(locked) = queue.receive(QUEUE, true).context("receiving")? else {
            if queue
                .queues()
                .context("counting the queue")?
                .iter()
                .all(|q| q.locked == 0)
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let envelope = service_bus_invocation("process", "msg", false, &locked, chrono::Utc::now());
        let (number, token) = (locked.message.sequence_number, locked.lock_token.as_str());
        match invoke(client, base, "process", envelope.to_string().into_bytes()).await {
            Ok(_) => {
                queue.complete(number, token).context("completing")?;
            }
            Err(error) => {
                queue
                    .abandon(number, token, &format!("{error:#}"))
                    .context("abandoning")?;
            }
        }
    }
}

/// POSTs an invocation and parses the answer; a non-2xx answer (a failed invocation) is an error.
async fn invoke(client: &reqwest::Client, base: &str, function: &str, envelope: Vec<u8>) -> anyhow::Result<Answer> {
    let reply = client
        .post(format!("{base}/{function}"))
        .header("content-type", "application/json")
        .body(envelope)
        .send()
        .await
        .with_context(|| format!("invoking {function}"))?;
    let status = reply.status();
    let content_type = reply
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = reply
        .bytes()
        .await
        .with_context(|| format!("reading {function}'s answer"))?;
    anyhow::ensure!(
        status.is_success(),
        "{function} failed with {status}: {}",
        String::from_utf8_lossy(&body)
    );
    parse_answer(content_type.as_deref(), &body).map_err(|e| anyhow::anyhow!("{function}'s answer: {e}"))
}

/// EM's removed-stage callout for `user`, with ids of its own.
fn removal(n: usize, user: &str) -> anyhow::Result<String> {
    let mut body: Value = serde_json::from_str(CALLOUT_REMOVED).context("the removed-stage fixture")?;
    body["AccessPackageAssignmentRequestId"] = json!(format!("e0000000-0000-4000-8000-{n:012}"));
    body["CustomExtensionStageInstanceId"] = json!(format!("f0000000-0000-4000-8000-{n:012}"));
    body["Assignment"]["Target"]["ObjectId"] = json!(user);
    body["Requestor"]["ObjectId"] = json!(user);
    Ok(body.to_string())
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
