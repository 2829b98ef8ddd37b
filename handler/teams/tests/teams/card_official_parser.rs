//! Every fixture parses with the official `adaptivecards` npm package in plain Node with no
//! parse events (targeting version 1.5) and no `validateProperties()` events, and the
//! package reads the actions as we mean them. The package is installed into the target
//! directory on first use (`support::tools`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::tools::{adaptivecards_dist, node, text};
use crate::support::{fixture, fixture_names, fixture_path};
use serde_json::{json, Value};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("browser")
        .join("parse-cards.js")
}

/// Runs `parse-cards.js` over `files`; the report, one entry per file.
fn parse(files: &[PathBuf]) -> Vec<Value> {
    let out = Command::new(node())
        .arg(script())
        .arg(adaptivecards_dist())
        .args(files)
        .output()
        .expect("running node");
    assert!(out.status.success(), "parse-cards.js failed: {}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("report: {e}: {}", text(&out)));
    report.as_array().cloned().unwrap_or_default()
}

/// The report over all fixtures, made once for all tests of this binary.
fn report(name: &str) -> Value {
    static REPORT: OnceLock<Vec<Value>> = OnceLock::new();
    let all = REPORT.get_or_init(|| parse(&fixture_names().into_iter().map(fixture_path).collect::<Vec<_>>()));
    all.iter()
        .find(|r| r["file"] == format!("{name}.json"))
        .cloned()
        .unwrap_or_else(|| panic!("no report for {name}: {all:?}"))
}

fn check(name: &str) {
    let r = report(name);
    assert_eq!(r["parseEvents"], json!([]), "{name}: parse events");
    assert_eq!(r["validationEvents"], json!([]), "{name}: validation events");
    assert_eq!(r["card"]["version"], "1.5", "{name}");
    let actions = r["card"]["actions"].as_array().cloned().unwrap_or_default();
    if name != "pending" {
        assert_eq!(actions, Vec::<Value>::new(), "{name}: no actions once decided");
        return;
    }
    let card = fixture(name);
    let approve = &actions[0];
    assert_eq!(approve["type"], "Action.Execute");
    assert_eq!(approve["verb"], "approve");
    assert_eq!(approve["associatedInputs"], "none");
    assert_eq!(approve["data"], card["actions"][0]["data"]);
    let show = &actions[1];
    assert_eq!(show["type"], "Action.ShowCard");
    let reason = &show["card"]["inputs"][0];
    assert_eq!(reason["id"], "reason");
    assert_eq!(reason["isRequired"], true);
    assert!(reason["label"].as_str().is_some_and(|l| !l.is_empty()));
    assert!(reason["errorMessage"].as_str().is_some_and(|l| !l.is_empty()));
    let deny = &show["card"]["actions"][0];
    assert_eq!(deny["type"], "Action.Execute");
    assert_eq!(deny["verb"], "deny");
    assert_eq!(deny["associatedInputs"], "auto");
    assert_eq!(deny["data"], card["actions"][1]["card"]["actions"][0]["data"]);
}

macro_rules! parser_tests {
    ($($name:ident => $state:literal),* $(,)?) => {
        mod parses_cleanly {
            $(#[test] fn $name() { super::check($state); })*
        }
    };
}

parser_tests! {
    pending => "pending",
    applying => "applying",
    approved => "approved",
    denied => "denied",
    expired => "expired",
    error => "error",
    already_decided => "already-decided",
}

#[test]
fn the_official_parser_reports_what_is_wrong_with_a_bad_card() {
    // The check above is only worth something if the parser does complain.
    let dir = std::env::temp_dir().join(format!("jitadmin-cards-parse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    let card = json!({
        "type": "AdaptiveCard", "version": "1.5",
        "body": [
            {"type": "Blink", "text": "unknown element"},
            {"type": "Input.Text", "id": "reason", "isRequired": true}
        ],
        "actions": [{"type": "Action.Execute", "verb": "approve", "disabledUnlessAssociatedInputsChange": true}]
    });
    std::fs::write(&bad, card.to_string()).unwrap();
    let r = parse(std::slice::from_ref(&bad)).remove(0);
    let _ = std::fs::remove_dir_all(&dir);
    let events = format!("{} {}", r["parseEvents"], r["validationEvents"]);
    assert!(events.contains("Blink"), "{events}");
    assert!(events.contains("1.6"), "{events}");
    assert!(
        r["validationEvents"].as_array().is_some_and(|v| !v.is_empty()),
        "{events}"
    );
}
