//! One run: the selected rows in an order that keeps them from disturbing each other
//! (decisions alone first; the handler rows against one tenant-sim; the burst on its own
//! sim last). Progress goes to stderr; the results come back for the report.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::ack::{self, AckLoad};
use crate::handler_process::{probe_client, HandlerProcess};
use crate::load::load_client;
use crate::memory::{self, MemoryRow};
use crate::options::{Options, Plan, Row};
use crate::report::{Machine, Results};
use crate::tenant::{baseline_spec, Tenant};
use crate::{burst, callout, cold_start, decisions, notifications};

/// Runs the rows `options` selects.
pub async fn run(options: &Options) -> anyhow::Result<Results> {
    let plan = options.plan();
    let mut results = Results {
        mode: plan.mode.to_string(),
        machine: Machine::detect(),
        ..Results::default()
    };
    if options.runs(Row::Decisions) {
        progress("decisions");
        let time = plan.decisions_time;
        results.decisions = Some(
            tokio::task::spawn_blocking(move || decisions::run(time))
                .await
                .context("the decisions loop panicked")??,
        );
    }
    let handler_rows = [Row::ColdStart, Row::Callout, Row::Notifications, Row::Memory];
    if handler_rows.iter().any(|r| options.runs(*r)) {
        let dir = tempfile::tempdir().context("creating a temp directory")?;
        let tenant = Tenant::start().await?;
        let outcome = handler_rows_run(options, &plan, &tenant, dir.path(), &mut results).await;
        tenant.shutdown().await;
        outcome?;
    }
    if options.runs(Row::Burst) {
        progress("burst drain");
        let dir = tempfile::tempdir().context("creating a temp directory")?;
        results.burst = Some(burst::run(plan.burst_events, plan.time_scale, dir.path()).await?);
    }
    Ok(results)
}

async fn handler_rows_run(
    options: &Options,
    plan: &Plan,
    tenant: &Tenant,
    dir: &Path,
    results: &mut Results,
) -> anyhow::Result<()> {
    let ours = tenant.jitadmin_spec(&dir.join("jitadmin"))?;
    let theirs = baseline_spec(dir)?;
    if options.runs(Row::ColdStart) {
        progress("cold start");
        results.cold_start = Some(cold_start::run(&ours, &theirs, plan.cold_starts).await?);
    }
    if [Row::Callout, Row::Notifications, Row::Memory]
        .iter()
        .any(|r| options.runs(*r))
    {
        let probe = probe_client()?;
        let (jitadmin, _) = HandlerProcess::start(&ours, &probe).await?;
        let (baseline, _) = HandlerProcess::start(&theirs, &probe).await?;
        let outcome = acknowledgements(options, plan, tenant, &jitadmin, &baseline, results).await;
        jitadmin.stop().await;
        baseline.stop().await;
        outcome?;
    }
    Ok(())
}

/// The callout and notification rows against one running instance of each handler, with
/// their peak RSS before and after (the memory row).
async fn acknowledgements(
    options: &Options,
    plan: &Plan,
    tenant: &Tenant,
    jitadmin: &HandlerProcess,
    baseline: &HandlerProcess,
    results: &mut Results,
) -> anyhow::Result<()> {
    let client = load_client(plan.concurrency)?;
    let (ours, theirs) = (jitadmin.base_url(), baseline.base_url());
    // Let the background signing-key fetch finish: the idle figure includes the JWKS cache.
    let mut callout_target = callout::target(&tenant.forwarder_token);
    let (status, queued) = ack::probe(&client, &ours, "callout", callout_target.envelope.clone()).await?;
    callout_target.queued = queued;
    anyhow::ensure!(
        status == callout::ACCEPTED,
        "callout answered {status} to the bench's callout, not {}: check the handler's settings",
        callout::ACCEPTED
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle = (memory::read(jitadmin.pid()?)?, memory::read(baseline.pid()?)?);

    let load = |requests| AckLoad {
        concurrency: plan.concurrency,
        requests,
        warm_up: plan.warm_up,
    };
    if options.runs(Row::Callout) || options.runs(Row::Memory) {
        progress("callout acknowledgement");
        let row = ack::run(&callout_target, load(plan.callout_requests), &ours, &theirs, &client).await?;
        results.callout = options.runs(Row::Callout).then_some(row);
    }
    if options.runs(Row::Notifications) {
        progress("notification acknowledgement");
        let tenant_id = tenant.sim.tenant_id();
        let envelope = notifications::target(501, tenant_id)?.envelope;
        let (status, queued) = ack::probe(&client, &ours, "notifications", envelope).await?;
        let mut target = notifications::target(status, tenant_id)?;
        target.queued = queued;
        let row = ack::run(&target, load(plan.notification_requests), &ours, &theirs, &client).await?;
        results.notifications = Some(row);
    }
    if options.runs(Row::Memory) {
        let after = (memory::read(jitadmin.pid()?)?, memory::read(baseline.pid()?)?);
        results.memory = Some(MemoryRow::new(idle.0, after.0, idle.1, after.1));
    }
    Ok(())
}

/// Tells the person waiting what runs now.
fn progress(row: &str) {
    eprintln!("bench: {row}...");
}
