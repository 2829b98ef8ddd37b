//! The shipped `rules.example.toml` is valid and decides the obvious cases as intended.

use jitadmin_decide::{check_file, Decision, Facts, Outcome, RuleSet, RuleVerdict};
use std::path::PathBuf;

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The shipped example lives at the repository root (one copy: `jitadmin dev` uses it too).
fn example_path() -> PathBuf {
    path("../../rules.example.toml")
}

fn example() -> RuleSet {
    RuleSet::from_file(example_path()).unwrap_or_else(|e| panic!("example rules invalid:\n{e}"))
}

fn decide(fixture: &str) -> Decision {
    let facts = Facts::from_json_file(path(&format!("testdata/{fixture}"))).expect("fixture");
    example().decide(&facts)
}

#[test]
fn example_rules_pass_the_checker() {
    let summary = check_file(example_path()).unwrap_or_else(|d| {
        panic!("{}", d.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
    });
    let names: Vec<&str> = summary.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "deny-guests",
            "deny-disabled-accounts",
            "deny-without-compliant-windows-device",
            "deny-over-monthly-cap",
            "approve-it-staff-with-ticket"
        ]
    );
    assert_eq!(summary.default.decision, Outcome::Route);
    assert_eq!(summary.on_error.decision, Outcome::Route);
    assert_eq!(summary.time_zone, "Europe/Paris");
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
}

#[test]
fn requestor_still_means_the_target_and_is_warned_about() {
    let text = "[default]\ndecision = \"route\"\n\n[[rule]]\nname = \"it\"\n\
                when = \"requestor.department == 'IT' && requestedBy.id == target.id\"\n\
                decision = \"approve\"\nreason = \"Hi {requestor.displayName}, the requestor is fine\"\n";
    let rules = RuleSet::from_str("old.toml", text).expect("valid");
    let warnings: Vec<String> = rules.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("old.toml:6:9: `requestor` is the older name of `target`"),
        "{warnings:?}"
    );
    assert!(warnings[1].starts_with("old.toml:8:15: "), "{warnings:?}");
    let mut facts = Facts::from_json(
        "f",
        r#"{"requestor":{"id":"u","department":"IT","displayName":"Lynne"},"request":{},"devices":[],"history":{}}"#,
    )
    .unwrap();
    assert_eq!(rules.decide(&facts).outcome, Outcome::Approve);
    facts.requested_by = Some(jitadmin_decide::Person {
        id: "megan".into(),
        ..Default::default()
    });
    assert_eq!(rules.decide(&facts).outcome, Outcome::Route, "filed by someone else");
}

#[test]
fn it_staff_with_a_ticket_for_four_hours_are_approved() {
    let d = decide("facts-it-staff-ticket.json");
    println!("{}", d.to_text());
    assert_eq!(d.outcome, Outcome::Approve);
    assert_eq!(d.rule.as_deref(), Some("approve-it-staff-with-ticket"));
    assert_eq!(
        d.short(),
        "approve by rule approve-it-staff-with-ticket: IT staff with a ticket number, for at most 8 hours."
    );
    assert_eq!(d.explanation.rules.len(), 5);
    assert!(d.explanation.rules[..4]
        .iter()
        .all(|r| r.verdict == RuleVerdict::NotMatched));
    assert_eq!(d.explanation.rules[0].detail, "false: target.userType == 'Guest'");
}

#[test]
fn guests_are_denied_with_the_reason() {
    let d = decide("facts-guest.json");
    assert_eq!(d.outcome, Outcome::Deny);
    assert_eq!(d.rule.as_deref(), Some("deny-guests"));
    assert_eq!(d.reason, "Guest accounts cannot get local administrator rights.");
}

#[test]
fn a_requestor_without_a_compliant_windows_device_is_denied() {
    let d = decide("facts-noncompliant-device.json");
    assert_eq!(d.outcome, Outcome::Deny);
    assert_eq!(d.rule.as_deref(), Some("deny-without-compliant-windows-device"));
}

#[test]
fn it_staff_asking_for_twelve_hours_are_routed_not_approved() {
    let d = decide("facts-it-staff-12-hours.json");
    assert_eq!(d.outcome, Outcome::Route);
    assert_eq!(d.rule, None);
    assert_eq!(d.route_to.as_deref(), Some("it-approvers"));
    let last = d.explanation.rules.last().expect("traces");
    assert_eq!(last.rule, "approve-it-staff-with-ticket");
    assert_eq!(last.detail, "the request is for 12h, over this rule's limit of 8h");
}

#[test]
fn over_the_monthly_cap_is_denied_with_the_hours_in_the_reason() {
    let d = decide("facts-over-monthly-cap.json");
    assert_eq!(d.outcome, Outcome::Deny);
    assert_eq!(d.rule.as_deref(), Some("deny-over-monthly-cap"));
    assert_eq!(
        d.reason,
        "You have been an administrator for 41.5 hours in the last 30 days; the limit is 40."
    );
}

#[test]
fn the_recipes_default_30_day_request_goes_to_a_person_not_a_denial() {
    let d = decide("facts-recipe-30-days.json");
    assert_eq!(d.outcome, Outcome::Route, "{}", d.to_text());
    assert!(d.explanation.rules.iter().all(|r| r.verdict == RuleVerdict::NotMatched));
}

#[test]
fn ticketed_it_staff_who_would_pass_the_cap_go_to_a_person() {
    let mut facts = Facts::from_json_file(path("testdata/facts-it-staff-ticket.json")).unwrap();
    facts.history.elevated_hours_last30_days = 38.0;
    let d = example().decide(&facts);
    assert_eq!(d.outcome, Outcome::Route, "{}", d.to_text());
}

#[test]
fn everyone_else_is_routed_by_default() {
    let d = decide("facts-sales-no-ticket.json");
    assert_eq!(d.outcome, Outcome::Route);
    assert_eq!(d.rule, None);
    let last = d.explanation.rules.last().expect("traces");
    assert_eq!(last.detail, "false: target.department == 'IT'");
}

#[test]
fn devices_that_could_not_be_fetched_route_on_error_and_never_approve() {
    let d = decide("facts-devices-unavailable.json");
    println!("{}", d.to_text());
    assert_eq!(d.outcome, Outcome::Route);
    assert_eq!(d.explanation.fell_back, Some(jitadmin_decide::Fallback::OnError));
    let last = d.explanation.rules.last().expect("traces");
    assert_eq!(last.rule, "deny-without-compliant-windows-device");
    assert_eq!(last.verdict, RuleVerdict::Error);
    assert!(
        last.detail
            .contains("reads `devices`, which could not be fetched: Graph returned 503"),
        "{}",
        last.detail
    );
    assert_eq!(d.reason, "Some facts could not be checked, so an approver will decide.");
}

/// The structured form (audit trail, Teams card) of a routed decision, as a fixture.
#[test]
fn the_structured_form_is_stable() {
    for (facts, expected) in [
        ("facts-it-staff-12-hours.json", "decision-it-staff-12-hours.json"),
        ("facts-devices-unavailable.json", "decision-devices-unavailable.json"),
    ] {
        let got = decide(facts).to_json() + "\n";
        let expected_path = path(&format!("testdata/{expected}"));
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&expected_path, &got).expect("write");
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
        assert_eq!(got, want, "{expected}");
        let back: Decision = serde_json::from_str(&got).expect("round-trips");
        assert_eq!(back.to_json() + "\n", got);
    }
}

#[test]
fn a_missing_rules_file_is_one_diagnostic() {
    let diags = check_file("testdata/no-such-rules.toml").expect_err("missing file");
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0].to_string().starts_with("testdata/no-such-rules.toml:1:1: "),
        "{}",
        diags[0]
    );
}

#[test]
fn the_summary_reads_like_the_file() {
    let summary = check_file(example_path()).expect("valid");
    let text = summary.to_string();
    assert!(text.contains("5 rule(s), time zone Europe/Paris"), "{text}");
    assert!(
        text.contains("  5. approve approve-it-staff-with-ticket (at most 8h)"),
        "{text}"
    );
    assert!(text.ends_with("  on_error: route"), "{text}");
}

#[test]
fn facts_round_trip_through_json() {
    let facts = Facts::from_json_file(path("testdata/facts-devices-unavailable.json")).expect("facts");
    let json = serde_json::to_string(&facts).expect("serialise");
    assert_eq!(Facts::from_json("again", &json).expect("parse"), facts);
}

#[test]
fn a_facts_file_without_now_is_decided_at_the_current_time() {
    let text = r#"{"requestor":{"userType":"Guest"},"request":{},"devices":[],"history":{}}"#;
    let facts = Facts::from_json("f.json", text).expect("facts");
    assert!((chrono::Utc::now() - facts.now).num_seconds().abs() < 60);
    assert_eq!(example().decide(&facts).outcome, Outcome::Deny);
}

#[test]
fn the_text_form_shows_the_outcome_and_every_rule() {
    let text = decide("facts-noncompliant-device.json").to_text();
    let want = "decision: deny\n\
                rule:     deny-without-compliant-windows-device\n\
                reason:   You need a compliant Windows device managed by Intune. Open Company Portal, fix what it \
                reports, sync, and ask again.\n\
                rules:\n  \
                no    deny-guests: false: target.userType == 'Guest'\n  \
                no    deny-disabled-accounts: false: !target.accountEnabled\n  \
                MATCH deny-without-compliant-windows-device: matched\n";
    assert_eq!(text, want);
}
