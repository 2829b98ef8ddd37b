//! Rough timing, for a human to read (`cargo test --test timing -- --ignored --nocapture`).
//! Tests never assert on wall-clock speed; the benchmark is a separate command.

use jitadmin_decide::{Facts, RuleSet};
use std::path::Path;
use std::time::Instant;

#[test]
#[ignore]
fn print_decisions_per_second() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = RuleSet::from_file(dir.join("rules.example.toml")).expect("rules");
    for fixture in [
        "facts-guest.json",
        "facts-it-staff-ticket.json",
        "facts-sales-no-ticket.json",
    ] {
        let facts = Facts::from_json_file(dir.join("testdata").join(fixture)).expect("facts");
        let n = 2000;
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(rules.decide(std::hint::black_box(&facts)));
        }
        let per = start.elapsed() / n;
        println!("{fixture:32} {per:?} per decision, {:.0}/s", 1.0 / per.as_secs_f64());
    }
}
