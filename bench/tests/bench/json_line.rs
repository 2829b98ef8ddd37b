//! The JSON line's shape: it parses and carries every figure (never their values: the
//! bench does not judge speed).

use bench::ack::AckRow;
use bench::burst::BurstRow;
use bench::cold_start::ColdStartRow;
use bench::decisions::DecisionsRow;
use bench::memory::MemoryRow;
use bench::report::{json_line, table, Machine, Results};
use serde_json::Value;

/// Every figure, as a path into the JSON line.
const FIGURES: &[&str] = &[
    "mode",
    "machine.nproc",
    "machine.cpu",
    "machine.mem_total_kb",
    "machine.rustc",
    "cold_start.runs",
    "cold_start.jitadmin_median_ms",
    "cold_start.baseline_median_ms",
    "cold_start.ratio",
    "decisions.facts_variants",
    "decisions.per_sec_per_core",
    "decisions.baseline_per_sec",
    "decisions.ratio",
    "burst.events",
    "burst.devices",
    "burst.time_scale",
    "burst.drain_ms",
    "burst.theoretical_min_ms",
    "burst.drain_ratio",
    "burst.calls",
    "burst.naive_calls",
    "burst.calls_ratio",
    "burst.intune_operations",
    "burst.throttled_429",
    "burst.failed_syncs",
    "burst.repeated_syncs",
    "burst.failed_events",
    "burst.rss_before_kb",
    "burst.peak_rss_kb",
    "memory.jitadmin_idle_kb",
    "memory.jitadmin_after_load_kb",
    "memory.baseline_idle_kb",
    "memory.baseline_after_load_kb",
    "memory.idle_ratio",
    "memory.after_load_ratio",
];

/// The figures of each acknowledgement row (`callout`, `notifications`).
const ACK_FIGURES: &[&str] = &[
    "concurrency",
    "requests",
    "items",
    "jitadmin.p50_ms",
    "jitadmin.p99_ms",
    "jitadmin.max_ms",
    "jitadmin.per_sec",
    "jitadmin.errors",
    "baseline.p50_ms",
    "baseline.p99_ms",
    "baseline.max_ms",
    "baseline.per_sec",
    "baseline.errors",
    "p50_ratio",
    "p99_ratio",
    "per_sec_ratio",
    "jitadmin_status",
    "queued_per_invocation",
    "placeholder",
];

fn synthetic() -> Results {
    Results {
        mode: "quick".into(),
        machine: Machine {
            nproc: 2,
            cpu: "Test CPU".into(),
            mem_total_kb: 1024,
            rustc: "rustc 1.86.0".into(),
        },
        cold_start: Some(ColdStartRow {
            runs: 3,
            jitadmin_median_ms: 2.0,
            baseline_median_ms: 1.0,
            ratio: 2.0,
        }),
        callout: Some(AckRow {
            items: 1,
            ..AckRow::default()
        }),
        notifications: Some(AckRow {
            items: 100,
            placeholder: true,
            ..AckRow::default()
        }),
        decisions: Some(DecisionsRow::default()),
        burst: Some(BurstRow::default()),
        memory: Some(MemoryRow::default()),
    }
}

fn lookup<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(json, |v, key| v.get(key))
}

#[test]
fn the_json_line_is_one_line_with_every_figure() {
    let line = json_line(&synthetic()).expect("json");
    assert!(!line.contains('\n'), "one line");
    let json: Value = serde_json::from_str(&line).expect("the line parses");
    let mut missing: Vec<String> = FIGURES
        .iter()
        .filter(|p| lookup(&json, p).is_none_or(Value::is_null))
        .map(|p| p.to_string())
        .collect();
    for row in ["callout", "notifications"] {
        for figure in ACK_FIGURES {
            let path = format!("{row}.{figure}");
            if lookup(&json, &path).is_none_or(Value::is_null) {
                missing.push(path);
            }
        }
    }
    assert!(missing.is_empty(), "missing figures: {missing:?}\n{line}");
}

#[test]
fn a_placeholder_row_says_so_in_the_json_and_the_table() {
    let results = synthetic();
    let json: Value = serde_json::from_str(&json_line(&results).expect("json")).expect("parses");
    assert_eq!(json["notifications"]["placeholder"], true);
    assert_eq!(json["callout"]["placeholder"], false);
    let table = table(&results);
    assert!(table.contains("placeholder: notifications not implemented"), "{table}");
    assert!(table.contains("peak RSS, during the burst"), "{table}");
}

#[test]
fn rows_not_run_are_null() {
    let results = Results {
        decisions: None,
        ..synthetic()
    };
    let json: Value = serde_json::from_str(&json_line(&results).expect("json")).expect("parses");
    assert!(json["decisions"].is_null());
}
