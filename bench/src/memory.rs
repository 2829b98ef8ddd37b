//! Resident memory of a process, from `/proc/<pid>/status` (Linux): `VmHWM` is the peak
//! resident set since the process started, `VmRSS` the current one.

use anyhow::{bail, Context};
use serde::Serialize;

/// One reading, in kibibytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Rss {
    /// Peak resident set (`VmHWM`).
    pub peak_kb: u64,
    /// Current resident set (`VmRSS`).
    pub current_kb: u64,
}

/// Reads `pid`'s resident set.
pub fn read(pid: u32) -> anyhow::Result<Rss> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse(&status).with_context(|| format!("{path} has no VmHWM/VmRSS lines"))
}

/// `VmHWM` and `VmRSS` of a `/proc/<pid>/status` text.
pub fn parse(status: &str) -> anyhow::Result<Rss> {
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].trim().trim_end_matches("kB").trim().parse().ok()
    };
    match (field("VmHWM:"), field("VmRSS:")) {
        (Some(peak_kb), Some(current_kb)) => Ok(Rss { peak_kb, current_kb }),
        _ => bail!("missing VmHWM or VmRSS"),
    }
}

/// The memory row: both handlers, idle (ready, keys fetched) and after the acknowledgement load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MemoryRow {
    /// `jitadmin serve`, peak RSS when idle.
    pub jitadmin_idle_kb: u64,
    /// `jitadmin serve`, peak RSS after the load.
    pub jitadmin_after_load_kb: u64,
    /// Baseline handler, peak RSS when idle.
    pub baseline_idle_kb: u64,
    /// Baseline handler, peak RSS after the load.
    pub baseline_after_load_kb: u64,
    /// `jitadmin_idle_kb / baseline_idle_kb`.
    pub idle_ratio: f64,
    /// `jitadmin_after_load_kb / baseline_after_load_kb`.
    pub after_load_ratio: f64,
}

impl MemoryRow {
    /// The row from four readings.
    pub fn new(jitadmin_idle: Rss, jitadmin_after: Rss, baseline_idle: Rss, baseline_after: Rss) -> MemoryRow {
        let r = |a: u64, b: u64| crate::stats::ratio(a as f64, b as f64);
        MemoryRow {
            jitadmin_idle_kb: jitadmin_idle.peak_kb,
            jitadmin_after_load_kb: jitadmin_after.peak_kb,
            baseline_idle_kb: baseline_idle.peak_kb,
            baseline_after_load_kb: baseline_after.peak_kb,
            idle_ratio: r(jitadmin_idle.peak_kb, baseline_idle.peak_kb),
            after_load_ratio: r(jitadmin_after.peak_kb, baseline_after.peak_kb),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_and_current_are_read_from_proc_status() {
        let status = "Name:\tjitadmin\nVmPeak:\t  900000 kB\nVmHWM:\t   12345 kB\nVmRSS:\t   11111 kB\n";
        assert_eq!(
            parse(status).ok(),
            Some(Rss {
                peak_kb: 12345,
                current_kb: 11111
            })
        );
        assert!(parse("Name:\tx\n").is_err());
    }

    #[test]
    fn this_process_has_a_resident_set() {
        let rss = read(std::process::id()).expect("own /proc status");
        assert!(rss.peak_kb >= rss.current_kb && rss.current_kb > 0);
    }
}
