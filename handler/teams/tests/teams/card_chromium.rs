//! Every fixture rendered by the official Adaptive Cards renderer in headless Chromium:
//! a PNG of each card is saved under `<target>/card-screenshots/`; on the pending card a
//! real mouse click on Approve, on Deny without a reason (blocked by the required input)
//! and on Deny with a typed reason produce the data Teams would send, which our own
//! `ActionData` parsing and MAC check accept.
//!
//! `tests/browser/drive-chromium.js` drives Chromium over `--remote-debugging-pipe` and
//! reports what happened; this file asserts on the report. Node, the `adaptivecards` package
//! and Chromium are found or installed by `support::tools`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::tools::{adaptivecards_dist, chromium, node, target_dir, text};
use crate::support::{fixture, fixture_names, fixture_path, sample_card, signer};
use chrono::Duration;
use jitadmin_teams::card::{ActionData, Verb};
use serde_json::Value;

fn screenshot_dir() -> PathBuf {
    target_dir().join("card-screenshots")
}

/// The report of one run over all fixtures, shared by the tests of this binary.
fn report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join("browser")
            .join("drive-chromium.js");
        let out = Command::new(node())
            .arg(script)
            .arg(chromium())
            .arg(adaptivecards_dist())
            .arg(screenshot_dir())
            .args(fixture_names().into_iter().map(fixture_path))
            .output()
            .expect("running node");
        assert!(out.status.success(), "drive-chromium.js failed: {}", text(&out));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("report: {e}: {}", text(&out)))
    })
}

fn card_report(name: &str) -> &'static Value {
    report()["cards"]
        .as_array()
        .and_then(|cards| cards.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no report for {name}: {}", report()))
}

/// Width and height of a PNG, checking its signature.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    assert!(bytes.len() > 33, "{} is too short for a PNG", path.display());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    let be = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (be(16), be(20))
}

fn check_rendered_and_saved(name: &str) {
    let r = card_report(name);
    assert_eq!(r["rendered"], true, "{name}: {r}");
    assert_eq!(r["events"], Value::Array(vec![]), "{name}: parse events in the browser");
    let shot = PathBuf::from(r["screenshot"]["file"].as_str().unwrap_or_default());
    assert_eq!(shot, screenshot_dir().join(format!("{name}.png")));
    let (w, h) = png_size(&shot);
    assert!(w >= 400 && h >= 60, "{name}: screenshot {w}x{h}");
    let buttons = r["buttons"].as_array().cloned().unwrap_or_default();
    if name == "pending" {
        assert_eq!(buttons, ["Approve", "Deny…"], "{name}");
    } else {
        assert!(buttons.is_empty(), "{name} shows buttons {buttons:?}");
    }
}

macro_rules! screenshot_tests {
    ($($name:ident => $state:literal),* $(,)?) => {
        mod renders_in_chromium_and_is_saved_as_png {
            $(#[test] fn $name() { super::check_rendered_and_saved($state); })*
        }
    };
}

screenshot_tests! {
    pending => "pending",
    applying => "applying",
    approved => "approved",
    denied => "denied",
    expired => "expired",
    error => "error",
    already_decided => "already-decided",
}

/// The one `Action.Execute` a click produced, checked as the `teams` function would.
fn accepted(executed: &Value, verb: Verb) -> ActionData {
    let executed = executed.as_array().cloned().unwrap_or_default();
    assert_eq!(executed.len(), 1, "one action executed: {executed:?}");
    let action = &executed[0];
    assert_eq!(action["type"], "Action.Execute");
    assert_eq!(action["verb"], verb.as_str());
    let data = ActionData::from_invoke(action["verb"].as_str(), &action["data"])
        .unwrap_or_else(|e| panic!("the click's data is refused: {e}: {action}"));
    let now = sample_card().expires_at - Duration::minutes(1);
    signer()
        .verify(&data, now)
        .unwrap_or_else(|e| panic!("the click's MAC is refused: {e}"));
    assert_eq!(data.verb, verb);
    data
}

fn signed_fields(data: &Value) -> Value {
    let mut d = data.clone();
    if let Some(m) = d.as_object_mut() {
        m.remove("reason");
        m.remove("verb");
    }
    d
}

#[test]
fn clicking_approve_sends_the_signed_data_and_no_reason() {
    let r = card_report("pending");
    let data = accepted(&r["approve"], Verb::Approve);
    assert_eq!(data.reason, None);
    assert_eq!(r["approve"][0]["data"], fixture("pending")["actions"][0]["data"]);
}

#[test]
fn deny_opens_the_reason_without_sending_anything() {
    let r = card_report("pending");
    assert_eq!(r["denyOpened"]["executed"], Value::Array(vec![]));
    assert_eq!(r["denyOpened"]["buttons"].as_array().map(Vec::len), Some(3), "{r}");
    let (w, h) = png_size(Path::new(r["screenshotDenyOpen"]["file"].as_str().unwrap_or_default()));
    assert!(w >= 400 && h >= 300);
}

#[test]
fn deny_without_a_reason_is_blocked_by_the_required_input() {
    let r = &card_report("pending")["denyWithoutReason"];
    assert_eq!(
        r["executed"],
        Value::Array(vec![]),
        "nothing may be sent without a reason"
    );
    assert_eq!(r["validation"]["failedInputs"], 1, "{r}");
    assert_eq!(
        r["validation"]["focused"], "TEXTAREA",
        "the renderer focuses the missing input"
    );
    let shown = r["validation"]["text"].as_str().unwrap_or_default();
    assert!(shown.contains("Give a reason to deny the request."), "{shown}");
}

#[test]
fn deny_with_a_reason_sends_the_signed_data_and_the_reason() {
    let r = &card_report("pending")["denyWithReason"];
    let data = accepted(&r["executed"], Verb::Deny);
    assert_eq!(data.reason.as_deref(), r["typed"].as_str());
    let sent = &r["executed"][0]["data"];
    let on_card = &fixture("pending")["actions"][1]["card"]["actions"][0]["data"];
    assert_eq!(signed_fields(sent), signed_fields(on_card));
}

#[test]
fn the_browser_is_debian_chromium() {
    let product = report()["chromium"].as_str().unwrap_or_default();
    assert!(
        product.starts_with("Chrome/") || product.starts_with("HeadlessChrome/"),
        "{product}"
    );
}
