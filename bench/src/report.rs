//! The results: a table for people, then one JSON line with every figure for machines
//! (always the last line of the output).

use std::fmt::Write as _;

use serde::Serialize;

use crate::ack::AckRow;
use crate::burst::BurstRow;
use crate::cold_start::ColdStartRow;
use crate::decisions::DecisionsRow;
use crate::memory::MemoryRow;
use crate::notifications::PLACEHOLDER_NOTE;

/// Everything one run measured; a row not run is `None` (`null` in the JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Results {
    /// `quick` or `full`.
    pub mode: String,
    /// Where it ran.
    pub machine: Machine,
    /// Cold start.
    pub cold_start: Option<ColdStartRow>,
    /// Callout acknowledgement.
    pub callout: Option<AckRow>,
    /// Notification acknowledgement (100 items).
    pub notifications: Option<AckRow>,
    /// Decisions per second per core.
    pub decisions: Option<DecisionsRow>,
    /// Burst drain.
    pub burst: Option<BurstRow>,
    /// Peak RSS.
    pub memory: Option<MemoryRow>,
}

/// The machine a run was made on.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Machine {
    /// Online CPUs.
    pub nproc: usize,
    /// CPU model (`/proc/cpuinfo`).
    pub cpu: String,
    /// Total memory, KiB (`/proc/meminfo`).
    pub mem_total_kb: u64,
    /// `rustc --version` of the toolchain on the PATH.
    pub rustc: String,
}

impl Machine {
    /// Reads this machine's description (best effort: unknown parts are empty or 0).
    pub fn detect() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default();
        let mem_total_kb = meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let rustc = std::process::Command::new("rustc")
            .arg("--version")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        Machine {
            nproc: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            cpu,
            mem_total_kb,
            rustc,
        }
    }
}

/// The JSON line (no newline inside).
pub fn json_line(results: &Results) -> anyhow::Result<String> {
    Ok(serde_json::to_string(results)?)
}

/// The table.
pub fn table(results: &Results) -> String {
    let mut rows: Vec<[String; 5]> = vec![head(["row", "jitadmin", "baseline", "ratio", "note"])];
    if let Some(c) = &results.cold_start {
        rows.push([
            format!("cold start, median of {}", c.runs),
            format!("{:.1} ms", c.jitadmin_median_ms),
            format!("{:.1} ms", c.baseline_median_ms),
            times(c.ratio),
            "spawn to first 200 on GET /".into(),
        ]);
    }
    for (name, row) in [("callout", &results.callout), ("notifications", &results.notifications)] {
        if let Some(a) = row {
            let note = if a.placeholder {
                format!("{PLACEHOLDER_NOTE} (answers {})", a.jitadmin_status)
            } else {
                format!(
                    "answers {}, queues {} per invocation, {} errors",
                    a.jitadmin_status, a.queued_per_invocation, a.jitadmin.errors
                )
            };
            let what = if a.items == 1 {
                name.to_string()
            } else {
                format!("{name} ({} items)", a.items)
            };
            rows.push([
                format!("{what} ack p50 / p99 / max"),
                format!(
                    "{:.2} / {:.2} / {:.1} ms",
                    a.jitadmin.p50_ms, a.jitadmin.p99_ms, a.jitadmin.max_ms
                ),
                format!(
                    "{:.2} / {:.2} / {:.1} ms",
                    a.baseline.p50_ms, a.baseline.p99_ms, a.baseline.max_ms
                ),
                format!("{} / {}", times(a.p50_ratio), times(a.p99_ratio)),
                note,
            ]);
            rows.push([
                format!("{what} ack throughput, {} callers", a.concurrency),
                format!("{:.0}/s", a.jitadmin.per_sec),
                format!("{:.0}/s", a.baseline.per_sec),
                times(a.per_sec_ratio),
                format!("{} invocations each", a.requests),
            ]);
        }
    }
    if let Some(d) = &results.decisions {
        rows.push([
            "decisions per second per core".into(),
            format!("{:.0}/s", d.per_sec_per_core),
            format!("{:.0}/s", d.baseline_per_sec),
            times(d.ratio),
            format!(
                "example rules, {} facts ({}/{}/{} approve/deny/route); baseline: clone + serialise facts",
                d.facts_variants, d.approved, d.denied, d.routed
            ),
        ]);
    }
    if let Some(b) = &results.burst {
        rows.push([
            format!("burst drain, {} events / {} devices", b.events, b.devices),
            format!("{:.2} s", b.drain_ms / 1000.0),
            format!("min {:.2} s", b.theoretical_min_ms / 1000.0),
            times(b.drain_ratio),
            format!(
                "callout then process, jitadmin serve; {:.0} of {:.0} simulated s; {} events undone",
                b.drain_simulated_s, b.theoretical_min_simulated_s, b.failed_events
            ),
        ]);
        rows.push([
            "burst calls".into(),
            format!("{}", b.calls),
            format!("naive {}", b.naive_calls),
            times(b.calls_ratio),
            format!(
                "{} 429s seen, {} Intune operations, {} syncs failed, {} repeated",
                b.throttled_429, b.intune_operations, b.failed_syncs, b.repeated_syncs
            ),
        ]);
        rows.push([
            "peak RSS, during the burst".into(),
            mib(b.peak_rss_kb),
            format!("before {}", mib(b.rss_before_kb)),
            times(crate::stats::ratio(b.peak_rss_kb as f64, b.rss_before_kb as f64)),
            "VmHWM at the end of the drain vs VmRSS before it".into(),
        ]);
    }
    if let Some(m) = &results.memory {
        rows.push([
            "peak RSS, idle".into(),
            mib(m.jitadmin_idle_kb),
            mib(m.baseline_idle_kb),
            times(m.idle_ratio),
            "VmHWM".into(),
        ]);
        rows.push([
            "peak RSS, after the ack load".into(),
            mib(m.jitadmin_after_load_kb),
            mib(m.baseline_after_load_kb),
            times(m.after_load_ratio),
            "VmHWM".into(),
        ]);
    }
    render(&rows)
}

fn head(cells: [&str; 5]) -> [String; 5] {
    cells.map(str::to_string)
}

fn times(r: f64) -> String {
    format!("{r:.2}x")
}

fn mib(kb: u64) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}

fn render(rows: &[[String; 5]]) -> String {
    let mut widths = [0usize; 5];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        let line: Vec<String> = row.iter().zip(widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        let _ = writeln!(out, "| {} |", line.join(" | "));
        if n == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            let _ = writeln!(out, "|-{}-|", rule.join("-|-"));
        }
    }
    out
}
