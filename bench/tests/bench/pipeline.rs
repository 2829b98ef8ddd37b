//! The real pipeline on a small subset: `bench --quick --only decisions` runs, prints the
//! table, and ends with the JSON line (its shape only; no figure is judged).

use std::process::Command;

use serde_json::Value;

#[test]
fn bench_quick_decisions_ends_with_the_json_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["--quick", "--only", "decisions"])
        .output()
        .expect("bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "bench failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("decisions per second per core"), "{stdout}");
    let last = stdout.lines().last().expect("some output");
    let json: Value = serde_json::from_str(last).expect("the last line is JSON");
    assert_eq!(json["mode"], "quick");
    assert!(json["decisions"]["per_sec_per_core"].is_number(), "{last}");
    assert!(json["decisions"]["baseline_per_sec"].is_number(), "{last}");
    assert!(json["cold_start"].is_null() && json["burst"].is_null(), "{last}");
}

#[test]
fn an_unknown_row_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["--quick", "--only", "warp-speed"])
        .output()
        .expect("bench runs");
    assert!(!output.status.success());
}
