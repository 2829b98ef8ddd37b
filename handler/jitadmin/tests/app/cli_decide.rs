//! The built binary's `rules check` and `decide` commands, and start-up with a bad
//! `JITADMIN_RULES`: output and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_jitadmin");
/// Adele Vance in the demo tenant: IT, a compliant Windows laptop.
const IT_ADMIN: &str = "11111111-0000-4000-8000-000000000002";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example_rules() -> PathBuf {
    crate_dir().join("../../rules.example.toml")
}

fn decide_testdata(name: &str) -> PathBuf {
    crate_dir().join("../decide/testdata").join(name)
}

fn created_callout() -> PathBuf {
    crate_dir().join("../events/testdata/callout-created-pascalcase.json")
}

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("JITADMIN_RULES")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn rules_check_of_the_example_prints_a_summary_and_exits_zero() {
    let root = crate_dir().join("../..");
    let out = run(&["rules", "check", "rules.example.toml"], &root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "rules.example.toml: 5 rule(s), time zone Europe/Paris\n\
         \x20 1. deny    deny-guests\n\
         \x20 2. deny    deny-disabled-accounts\n\
         \x20 3. deny    deny-without-compliant-windows-device\n\
         \x20 4. deny    deny-over-monthly-cap\n\
         \x20 5. approve approve-it-staff-with-ticket (at most 8h)\n\
         \x20 default:  route\n\
         \x20 on_error: route\n\
         ok\n"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn rules_check_of_every_broken_file_prints_its_exact_problems_and_exits_one() {
    // The decide crate's broken files and their expected messages, paths relative to it.
    let decide = crate_dir().join("../decide");
    let mut checked = 0;
    for entry in std::fs::read_dir(decide.join("testdata/broken")).expect("broken dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let name = format!("testdata/broken/{}", path.file_name().unwrap().to_string_lossy());
        let expected = std::fs::read_to_string(path.with_extension("expected")).expect("expected file");
        let out = run(&["rules", "check", &name], &decide);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert_eq!(text(&out.stderr).trim_end(), expected.trim_end(), "{name}");
        assert!(out.stdout.is_empty(), "{name}: {}", text(&out.stdout));
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} broken files");
}

#[test]
fn rules_check_of_a_missing_file_says_so_at_one_one_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["rules", "check", "nope.toml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("nope.toml:1:1: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn decide_with_facts_prints_the_decision_and_every_rule_evaluated() {
    let out = run(
        &[
            "decide",
            "--event",
            created_callout().to_str().unwrap(),
            "--facts",
            decide_testdata("facts-guest.json").to_str().unwrap(),
            "--rules",
            example_rules().to_str().unwrap(),
        ],
        &crate_dir(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "request:  3cbea889-0b4f-4d07-9a3c-2f14dbb13565 (assignmentRequestCreated)\n\
         decision: deny\n\
         rule:     deny-guests\n\
         reason:   Guest accounts cannot get local administrator rights.\n\
         rules:\n\
         \x20 MATCH deny-guests: matched\n"
    );
}

#[test]
fn decide_json_prints_the_structured_decision() {
    let out = run(
        &[
            "decide",
            "--event",
            created_callout().to_str().unwrap(),
            "--facts",
            decide_testdata("facts-devices-unavailable.json").to_str().unwrap(),
            "--rules",
            example_rules().to_str().unwrap(),
            "--json",
        ],
        &crate_dir(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let decision: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(decision["outcome"], "route");
    assert_eq!(decision["explanation"]["fellBack"], "onError");
    assert_eq!(decision["explanation"]["unavailable"][0]["fact"], "devices");
}

#[test]
fn decide_with_a_broken_rules_file_prints_the_problems_and_exits_one() {
    let decide = crate_dir().join("../decide");
    let out = run(
        &[
            "decide",
            "--event",
            created_callout().to_str().unwrap(),
            "--facts",
            decide_testdata("facts-guest.json").to_str().unwrap(),
            "--rules",
            "testdata/broken/cel-syntax.toml",
        ],
        &decide,
    );
    assert_eq!(out.status.code(), Some(1));
    let expected = std::fs::read_to_string(decide.join("testdata/broken/cel-syntax.expected")).unwrap();
    assert_eq!(text(&out.stderr).trim_end(), expected.trim_end());
    assert!(out.stdout.is_empty());
}

#[test]
fn decide_without_rules_says_how_to_give_them() {
    let out = run(
        &["decide", "--event", created_callout().to_str().unwrap()],
        &crate_dir(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim_end(),
        "jitadmin decide: no rules: pass --rules FILE or set JITADMIN_RULES"
    );
}

#[test]
fn decide_sends_the_recipes_default_30_day_request_to_a_person() {
    let out = run(
        &[
            "decide",
            "--event",
            created_callout().to_str().unwrap(),
            "--facts",
            decide_testdata("facts-recipe-30-days.json").to_str().unwrap(),
            "--rules",
            example_rules().to_str().unwrap(),
            "--json",
        ],
        &crate_dir(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let decision: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decision["outcome"], "route", "{decision}");
}

#[test]
fn decide_refuses_a_callout_that_is_not_a_request() {
    let event = crate_dir().join("../events/testdata/callout-connection-test-pascalcase.json");
    let out = run(
        &[
            "decide",
            "--event",
            event.to_str().unwrap(),
            "--rules",
            example_rules().to_str().unwrap(),
        ],
        &crate_dir(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is not a request to decide"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn decide_refuses_a_callback_path_that_is_not_the_requests_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut body: Value = serde_json::from_str(&std::fs::read_to_string(created_callout()).unwrap()).unwrap();
    body["CallbackUriPath"] = json!(
        "/identityGovernance/entitlementManagement/assignmentRequests/3cbea889-0b4f-4d07-9a3c-2f14dbb13565/.%2e/%2e./groups/g/resume"
    );
    let event = dir.path().join("callout.json");
    std::fs::write(&event, body.to_string()).unwrap();
    let facts = decide_testdata("facts-it-staff-ticket.json");
    let out = run(
        &[
            "decide",
            "--event",
            event.to_str().unwrap(),
            "--facts",
            facts.to_str().unwrap(),
            "--rules",
            example_rules().to_str().unwrap(),
        ],
        &crate_dir(),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("callout.json: field callbackUriPath"), "{stderr}");
    assert!(stderr.contains("refuses it with 400"), "{stderr}");
}

#[tokio::test]
async fn decide_without_facts_gathers_them_from_graph_and_the_store() {
    let sim = tenant_sim::TenantSim::start(tenant_sim::Scenario::demo())
        .await
        .expect("sim");
    let dir = tempfile::tempdir().unwrap();
    // The dev settings: Graph and the credential point at the sim; JITADMIN_RULES is the example.
    let settings = jitadmin::dev::handler_settings(&sim, dir.path());
    assert!(settings.iter().any(|(k, _)| k == "JITADMIN_RULES"));
    let event = dir.path().join("callout.json");
    let body = json!({
        "Stage": "assignmentRequestCreated",
        "CustomExtensionStageInstanceId": "i-dry-run",
        "AccessPackageAssignmentRequestId": "r-dry-run",
        "RequestType": "userAdd",
        "Justification": "CHG0042424: update the BIOS tool",
        "Schedule": {"StartDateTime": "2026-11-28T08:00:00Z",
                     "Expiration": {"Type": "afterDuration", "Duration": "PT4H"}},
        "AccessPackage": {"Id": "55555555-0000-4000-8000-000000000001", "DisplayName": "Local admin (JIT)"},
        "Assignment": {"Target": {"ObjectId": IT_ADMIN}},
        "Requestor": {"ObjectId": IT_ADMIN},
    });
    std::fs::write(&event, body.to_string()).unwrap();
    let event = event.to_str().unwrap().to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(["decide", "--event", &event, "--json"])
            .envs(settings)
            .output()
            .expect("the binary runs")
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let decision: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(decision["outcome"], "approve", "{decision:#}");
    assert_eq!(decision["rule"], "approve-it-staff-with-ticket");
    assert!(
        !sim.calls_to("GET", &format!("/v1.0/users/{IT_ADMIN}/managedDevices"))
            .is_empty(),
        "devices were read from Graph"
    );
    assert!(
        sim.calls_to("POST", "/v1.0/identityGovernance/").is_empty(),
        "a dry run resumes nothing"
    );
    sim.shutdown().await;
}

#[test]
fn serve_refuses_to_start_with_a_broken_rules_file_and_names_file_line_column() {
    let decide = crate_dir().join("../decide");
    let out = Command::new(BIN)
        .arg("serve")
        .current_dir(&decide)
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", "1")
        .env("JITADMIN_TENANT_ID", "8f6a1c2e-4b3d-4e5f-9a7b-1c2d3e4f5a6b")
        .env("JITADMIN_CALLOUT_AUDIENCES", "api://jitadmin")
        .env(
            "JITADMIN_CALLOUT_ALLOWED_CALLERS",
            "77777777-0000-4000-8000-0000000000a1",
        )
        .env("JITADMIN_STORE", "sqlite::memory:")
        .env("JITADMIN_RULES", "testdata/broken/cel-syntax.toml")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let expected = std::fs::read_to_string(decide.join("testdata/broken/cel-syntax.expected")).unwrap();
    assert!(
        stderr.contains(&format!(
            "the rules file (JITADMIN_RULES) has problems:\n{}",
            expected.trim_end()
        )),
        "{stderr}"
    );
}
