//! Command-line options and what each mode measures.

use std::time::Duration;

use clap::{Parser, ValueEnum};

/// jitadmin's benchmarks: ratios against baselines measured in the same run. Prints a
/// table, then one JSON line with every figure as the last line.
#[derive(Debug, Clone, Parser)]
#[command(name = "bench")]
pub struct Options {
    /// A short run (under a minute on two cores): fewer starts, requests and events.
    #[arg(long)]
    pub quick: bool,
    /// Only these rows (comma-separated); the others are null in the JSON.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub only: Vec<Row>,
}

/// A row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Row {
    /// Spawn to first `GET /`.
    ColdStart,
    /// `callout` acknowledgement.
    Callout,
    /// `notifications` acknowledgement (100 items).
    Notifications,
    /// Decisions per second per core.
    Decisions,
    /// Burst drain against the Intune throttle.
    Burst,
    /// Peak RSS idle and after the acknowledgement load.
    Memory,
}

impl Options {
    /// Whether `row` runs.
    pub fn runs(&self, row: Row) -> bool {
        self.only.is_empty() || self.only.contains(&row)
    }

    /// The sizes of this mode.
    pub fn plan(&self) -> Plan {
        if self.quick {
            Plan {
                mode: "quick",
                cold_starts: 20,
                concurrency: 16,
                callout_requests: 2_000,
                notification_requests: 300,
                warm_up: 100,
                decisions_time: Duration::from_secs(2),
                burst_events: 300,
                time_scale: 0.05,
            }
        } else {
            Plan {
                mode: "full",
                cold_starts: 50,
                concurrency: 16,
                callout_requests: 20_000,
                notification_requests: 2_000,
                warm_up: 500,
                decisions_time: Duration::from_secs(10),
                burst_events: 2_000,
                time_scale: 0.05,
            }
        }
    }
}

/// How much each row does.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// `quick` or `full`.
    pub mode: &'static str,
    /// Timed starts of each handler.
    pub cold_starts: usize,
    /// Concurrent callers in the acknowledgement rows.
    pub concurrency: usize,
    /// Measured `callout` invocations per handler.
    pub callout_requests: usize,
    /// Measured `notifications` invocations per handler.
    pub notification_requests: usize,
    /// Unmeasured invocations before each measured run.
    pub warm_up: usize,
    /// How long each decisions loop runs.
    pub decisions_time: Duration,
    /// Events in the burst.
    pub burst_events: usize,
    /// Throttle time scale of the burst.
    pub time_scale: f64,
}
