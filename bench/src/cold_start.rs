//! Cold start: spawn to the first successful `GET /`, for `jitadmin serve` (with the
//! settings a deployment has, pointing at tenant-sim, and its SQLite store) and for the
//! baseline handler. Starts alternate between the two so drift on a shared machine hits
//! both; one untimed start of each first warms the page cache.

use std::time::Duration;

use serde::Serialize;

use crate::handler_process::{probe_client, HandlerProcess, HandlerSpec};
use crate::stats::{median, ms, ratio};

/// The cold-start row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ColdStartRow {
    /// Timed starts of each handler.
    pub runs: usize,
    /// `jitadmin serve`, median spawn-to-ready, ms.
    pub jitadmin_median_ms: f64,
    /// The baseline handler, median spawn-to-ready, ms.
    pub baseline_median_ms: f64,
    /// `jitadmin_median_ms / baseline_median_ms`.
    pub ratio: f64,
}

/// Starts each handler `runs` times (after one warm-up start each).
pub async fn run(jitadmin: &HandlerSpec, baseline: &HandlerSpec, runs: usize) -> anyhow::Result<ColdStartRow> {
    let probe = probe_client()?;
    once(jitadmin, &probe).await?;
    once(baseline, &probe).await?;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(once(jitadmin, &probe).await?);
        theirs.push(once(baseline, &probe).await?);
    }
    let (a, b) = (ms(median(&ours)), ms(median(&theirs)));
    Ok(ColdStartRow {
        runs,
        jitadmin_median_ms: a,
        baseline_median_ms: b,
        ratio: ratio(a, b),
    })
}

async fn once(spec: &HandlerSpec, probe: &reqwest::Client) -> anyhow::Result<Duration> {
    let (process, elapsed) = HandlerProcess::start(spec, probe).await?;
    process.stop().await;
    Ok(elapsed)
}
