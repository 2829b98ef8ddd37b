//! The acknowledgement rows: one function invoked through a handler's own port at a fixed
//! concurrency, jitadmin against the baseline's echo of the same envelope.

use bytes::Bytes;
use serde::Serialize;

use crate::load::{Expect, Load, LoadFigures};
use crate::stats::ratio;

/// One acknowledgement row.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AckRow {
    /// Concurrent callers.
    pub concurrency: usize,
    /// Measured invocations of each handler (after a warm-up).
    pub requests: usize,
    /// Items per invocation (1 callout; 100 notifications).
    pub items: usize,
    /// Envelope size, bytes.
    pub envelope_bytes: usize,
    /// `jitadmin serve`.
    pub jitadmin: LoadFigures,
    /// The baseline handler.
    pub baseline: LoadFigures,
    /// `jitadmin.p50_ms / baseline.p50_ms`.
    pub p50_ratio: f64,
    /// `jitadmin.p99_ms / baseline.p99_ms`.
    pub p99_ratio: f64,
    /// `jitadmin.per_sec / baseline.per_sec` (below 1: jitadmin does fewer per second).
    pub per_sec_ratio: f64,
    /// The HTTP status jitadmin's function answered.
    pub jitadmin_status: u16,
    /// Messages jitadmin put on the `events` output per invocation (probe invocation).
    pub queued_per_invocation: usize,
    /// True while the function is a 501 placeholder: the figures measure the placeholder.
    pub placeholder: bool,
}

/// Where and what to invoke.
#[derive(Debug, Clone)]
pub struct AckTarget {
    /// The function name (`callout`).
    pub function: &'static str,
    /// The envelope.
    pub envelope: Bytes,
    /// Items per invocation.
    pub items: usize,
    /// The HTTP status jitadmin's function answers when all is well.
    pub jitadmin_status: u16,
    /// Whether that status is the 501 placeholder's.
    pub placeholder: bool,
    /// Messages queued per invocation, as the probe saw.
    pub queued: usize,
}

/// How much load.
#[derive(Debug, Clone, Copy)]
pub struct AckLoad {
    /// Concurrent callers.
    pub concurrency: usize,
    /// Measured invocations per handler.
    pub requests: usize,
    /// Unmeasured invocations first (connections, caches).
    pub warm_up: usize,
}

/// Runs `target` against jitadmin (at `jitadmin_url`) then the baseline (at `baseline_url`).
pub async fn run(
    target: &AckTarget,
    load: AckLoad,
    jitadmin_url: &str,
    baseline_url: &str,
    client: &reqwest::Client,
) -> anyhow::Result<AckRow> {
    let side = |base: &str, expect: Option<u16>, requests: usize| Load {
        url: format!("{base}/{}", target.function),
        body: target.envelope.clone(),
        concurrency: load.concurrency,
        requests,
        expect: Expect(expect),
    };
    let ours = Some(target.jitadmin_status);
    side(jitadmin_url, ours, load.warm_up).run(client).await?;
    let jitadmin = side(jitadmin_url, ours, load.requests).run(client).await?.figures();
    side(baseline_url, None, load.warm_up).run(client).await?;
    let baseline = side(baseline_url, None, load.requests).run(client).await?.figures();
    Ok(AckRow {
        concurrency: load.concurrency,
        requests: load.requests,
        items: target.items,
        envelope_bytes: target.envelope.len(),
        p50_ratio: ratio(jitadmin.p50_ms, baseline.p50_ms),
        p99_ratio: ratio(jitadmin.p99_ms, baseline.p99_ms),
        per_sec_ratio: ratio(jitadmin.per_sec, baseline.per_sec),
        jitadmin,
        baseline,
        jitadmin_status: target.jitadmin_status,
        queued_per_invocation: target.queued,
        placeholder: target.placeholder,
    })
}

/// The HTTP status jitadmin's `function` answers `envelope` and the messages it queues
/// (one probe invocation), so a row can tell a placeholder (501) from the real function.
pub async fn probe(
    client: &reqwest::Client,
    base_url: &str,
    function: &str,
    envelope: Bytes,
) -> anyhow::Result<(u16, usize)> {
    let reply = client
        .post(format!("{base_url}/{function}"))
        .header("content-type", "application/json")
        .body(envelope)
        .send()
        .await?;
    let invocation = reply.status();
    let bytes = reply.bytes().await?;
    let status = crate::envelope::reply_status(&bytes).ok_or_else(|| {
        anyhow::anyhow!(
            "{function} answered {invocation} without an HTTP output: {}",
            String::from_utf8_lossy(&bytes)
        )
    })?;
    Ok((status, crate::envelope::reply_messages(&bytes)))
}
