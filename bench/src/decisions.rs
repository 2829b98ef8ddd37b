//! Decisions per second per core: the example `rules.toml` over varied facts, on one
//! thread. The baseline is the same loop doing only the work around a decision that is
//! not the rules: clone the facts and serialise them to JSON (into a reused buffer).

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Duration as Span;
use jitadmin_decide::{Facts, RuleSet};
use serde::Serialize;

use crate::stats::ratio;

/// The example rules (`rules.example.toml` at the repository root).
const RULES: &str = include_str!("../../rules.example.toml");

/// The facts fixtures of the decide crate, by name.
const FIXTURES: [(&str, &str); 7] = [
    (
        "facts-devices-unavailable.json",
        include_str!("../../handler/decide/testdata/facts-devices-unavailable.json"),
    ),
    (
        "facts-guest.json",
        include_str!("../../handler/decide/testdata/facts-guest.json"),
    ),
    (
        "facts-it-staff-12-hours.json",
        include_str!("../../handler/decide/testdata/facts-it-staff-12-hours.json"),
    ),
    (
        "facts-it-staff-ticket.json",
        include_str!("../../handler/decide/testdata/facts-it-staff-ticket.json"),
    ),
    (
        "facts-noncompliant-device.json",
        include_str!("../../handler/decide/testdata/facts-noncompliant-device.json"),
    ),
    (
        "facts-over-monthly-cap.json",
        include_str!("../../handler/decide/testdata/facts-over-monthly-cap.json"),
    ),
    (
        "facts-sales-no-ticket.json",
        include_str!("../../handler/decide/testdata/facts-sales-no-ticket.json"),
    ),
];

/// Variants of each fixture.
const VARIANTS: usize = 24;

/// The decisions row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct DecisionsRow {
    /// Distinct facts decided (fixtures × variants).
    pub facts_variants: usize,
    /// Decisions per second on one core (facts cloned, then decided).
    pub per_sec_per_core: f64,
    /// Baseline: facts cloned and serialised to JSON, per second on one core.
    pub baseline_per_sec: f64,
    /// `per_sec_per_core / baseline_per_sec` (below 1: a decision costs more than the baseline).
    pub ratio: f64,
    /// How the facts came out: approvals, denials, routes.
    pub approved: usize,
    /// Denials among the facts.
    pub denied: usize,
    /// Routes among the facts.
    pub routed: usize,
}

/// Runs each loop for `duration` on the calling thread.
pub fn run(duration: Duration) -> anyhow::Result<DecisionsRow> {
    let rules = RuleSet::from_str("rules.example.toml", RULES)
        .map_err(|d| anyhow::anyhow!("the example rules do not compile: {d}"))?;
    let facts = varied_facts()?;
    let (mut approved, mut denied, mut routed) = (0, 0, 0);
    for f in &facts {
        match rules.decide(f).outcome.as_str() {
            "approve" => approved += 1,
            "deny" => denied += 1,
            _ => routed += 1,
        }
    }
    // Warm both loops briefly, then measure.
    let warm = duration / 10;
    let mut buffer = Vec::with_capacity(4096);
    timed(warm, &facts, |f| decide(&rules, f));
    timed(warm, &facts, |f| serialise(&mut buffer, f));
    let per_sec_per_core = timed(duration, &facts, |f| decide(&rules, f));
    let baseline_per_sec = timed(duration, &facts, |f| serialise(&mut buffer, f));
    Ok(DecisionsRow {
        facts_variants: facts.len(),
        per_sec_per_core,
        baseline_per_sec,
        ratio: ratio(per_sec_per_core, baseline_per_sec),
        approved,
        denied,
        routed,
    })
}

fn decide(rules: &RuleSet, facts: &Facts) {
    let facts = black_box(facts.clone());
    black_box(rules.decide(&facts));
}

fn serialise(buffer: &mut Vec<u8>, facts: &Facts) {
    let facts = black_box(facts.clone());
    buffer.clear();
    // Serialising plain structs into a Vec cannot fail; a failure would only shorten the loop's work.
    let _ = serde_json::to_writer(&mut *buffer, &facts);
    black_box(buffer.len());
}

/// Operations per second of `op` over `facts`, round-robin, for `duration`.
fn timed(duration: Duration, facts: &[Facts], mut op: impl FnMut(&Facts)) -> f64 {
    let started = Instant::now();
    let mut done: u64 = 0;
    while started.elapsed() < duration {
        for f in facts {
            op(f);
        }
        done += facts.len() as u64;
    }
    done as f64 / started.elapsed().as_secs_f64()
}

/// Each fixture in [`VARIANTS`] versions: the request's hour and length, the elevation
/// history, the ticket in the justification and the device's compliance vary, so the rules
/// take different paths (approve, deny at different rules, route).
pub fn varied_facts() -> anyhow::Result<Vec<Facts>> {
    let mut all = Vec::new();
    for (name, text) in FIXTURES {
        let facts = Facts::from_json(name, text).with_context(|| format!("reading {name}"))?;
        for n in 0..VARIANTS {
            all.push(vary(&facts, n));
        }
    }
    Ok(all)
}

fn vary(facts: &Facts, n: usize) -> Facts {
    let mut f = facts.clone();
    let hours = Span::hours(n as i64 * 5);
    f.now += hours;
    f.request.start += hours;
    if f.request.end.is_some() {
        f.request.end = Some(f.request.start + Span::hours(1 + (n % 12) as i64));
        f.request.duration_hours = None;
    }
    f.history.grants_last30_days = (n % 6) as i64;
    f.history.elevated_hours_last30_days = (n * 3 % 45) as f64;
    if n % 4 == 1 {
        f.request.justification = format!("Printer driver, INC00{:05}", 12_000 + n);
    } else if n % 4 == 3 {
        f.request.justification = "Need admin to install software".into();
    }
    if n % 5 == 4 {
        for d in &mut f.devices {
            d.compliance_state = "noncompliant".into();
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_varied_facts_reach_every_outcome() {
        let row = run(Duration::from_millis(20)).expect("decisions");
        assert_eq!(row.facts_variants, FIXTURES.len() * VARIANTS);
        assert!(row.approved > 0 && row.denied > 0 && row.routed > 0, "{row:?}");
    }
}
