//! Decisions end to end: created requests decided by the example rules (`rules.example.toml`,
//! which `jitadmin dev` configures as `JITADMIN_RULES`) through the real binary under
//! azfn-local against tenant-sim: approved (resumed), denied (resumed with `state: denied`
//! and the reason), routed (waiting with an open approval), and a Graph fault while
//! gathering facts ends in `on_error` (route), never in an approval.

use std::time::Duration;

use jitadmin::decide::{Decision, Fallback, Outcome};
use jitadmin::store::{ApprovalStatus, AuditRecord, Store};
use jitadmin_tests::TestEnv;
use tenant_sim::{FaultKind, FaultRule, NewRequest, RequestView, RoutePattern, Stage};

/// Adele Vance: IT, a compliant Windows laptop.
const IT_ADMIN: &str = "11111111-0000-4000-8000-000000000002";
/// Pat Kim: a guest from Fabrikam.
const GUEST: &str = "11111111-0000-4000-8000-000000000008";
/// Alex Wilber: Finance, a compliant Windows laptop.
const FINANCE: &str = "11111111-0000-4000-8000-000000000005";
const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";

async fn store(test: &TestEnv) -> Store {
    let setting = format!("sqlite:{}", test.env.state_dir.join("jitadmin.db").display());
    Store::open_setting(&setting, None)
        .await
        .expect("the handler's store opens")
}

/// The audit event carrying the decision on `request_id`, waiting up to 30 s for it.
async fn decision_of(store: &Store, request_id: &str) -> (AuditRecord, Decision) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let records = store.audit_by_request(request_id).await.expect("audit");
        let found = records.into_iter().find_map(|r| {
            let decision = serde_json::from_value(r.event.detail.get("decision")?.clone()).ok()?;
            Some((r, decision))
        });
        if let Some(found) = found {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no decision audited for {request_id}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn request(test: &TestEnv, user: &str, justification: &str) -> String {
    test.env
        .sim
        .create_assignment_request(NewRequest::new(user, PACKAGE).justification(justification))
        .expect("the sim accepts the request")
}

async fn resumed(test: &TestEnv, request_id: &str) -> RequestView {
    test.env
        .sim
        .wait_for_request(request_id, Duration::from_secs(30), |r| !r.resumes.is_empty())
        .await
        .expect("jitadmin resumes the request")
}

fn detail(request: &RequestView) -> &str {
    request.resumes[0].body["data"]["customExtensionStageInstanceDetail"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn it_staff_with_a_ticket_are_approved_by_the_rule_and_the_request_continues() {
    let test = TestEnv::start().await;
    let request_id = request(&test, IT_ADMIN, "INC0012345: install the printer driver").await;
    let request = resumed(&test, &request_id).await;
    assert_eq!(request.resumes.len(), 1);
    let body = &request.resumes[0].body;
    assert_eq!(request.resumes[0].status, 204);
    assert!(body["data"].get("state").is_none(), "continue, not deny: {body}");
    assert_eq!(
        detail(&request),
        "approve by rule approve-it-staff-with-ticket: IT staff with a ticket number, for at most 8 hours."
    );
    let granted = test
        .env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| {
            r.callout(Stage::AssignmentRequestGranted).is_some()
        })
        .await
        .expect("the request is granted");
    assert_eq!(granted.state, "delivered");

    let (record, decision) = decision_of(&store(&test).await, &request_id).await;
    assert_eq!(record.event.action, "callout.created.approved.resumed");
    assert_eq!(decision.outcome, Outcome::Approve);
    assert_eq!(decision.rule.as_deref(), Some("approve-it-staff-with-ticket"));
    assert_eq!(
        decision.explanation.rules.len(),
        5,
        "every rule up to the match is explained"
    );
    let facts = &record.event.detail["facts"];
    assert_eq!(facts["target"]["department"], "IT");
    assert_eq!(facts["target"]["manager"]["displayName"], "Megan Bowen");
    assert_eq!(
        facts["request"]["justification"],
        "INC0012345: install the printer driver"
    );
    assert_eq!(facts["request"]["durationHours"], 8.0);
    assert_eq!(facts["devices"][0]["deviceName"], "IT-LT-001");
    assert!(facts.get("unavailable").is_none(), "{facts}");
    test.shutdown().await;
}

#[tokio::test]
async fn a_guest_is_denied_with_the_rules_reason_in_the_resume() {
    let test = TestEnv::start().await;
    let request_id = request(&test, GUEST, "INC0099999: VPN client").await;
    let request = resumed(&test, &request_id).await;
    assert_eq!(request.resumes.len(), 1);
    assert_eq!(request.resumes[0].status, 204);
    assert_eq!(request.resumes[0].body["data"]["state"], "denied");
    assert_eq!(
        detail(&request),
        "deny by rule deny-guests: Guest accounts cannot get local administrator rights."
    );
    let denied = test
        .env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| r.state == "denied")
        .await
        .expect("the request ends denied");
    assert!(denied.callout(Stage::AssignmentRequestGranted).is_none());

    let (record, decision) = decision_of(&store(&test).await, &request_id).await;
    assert_eq!(record.event.action, "callout.created.denied.resumed");
    assert_eq!(decision.outcome, Outcome::Deny);
    // What history.lastDenial reads on the user's next request.
    assert_eq!(
        record.event.detail["denial"]["reason"],
        "Guest accounts cannot get local administrator rights."
    );
    assert_eq!(record.event.detail["denial"]["rule"], "deny-guests");
    assert_eq!(record.event.user, GUEST);
    test.shutdown().await;
}

#[tokio::test]
async fn a_request_no_rule_decides_waits_with_an_open_approval() {
    let test = TestEnv::start().await;
    let request_id = request(&test, FINANCE, "Install the Power BI Desktop update").await;
    let store = store(&test).await;
    let (record, decision) = decision_of(&store, &request_id).await;
    assert_eq!(record.event.action, "callout.created.routed");
    assert_eq!(decision.outcome, Outcome::Route);
    assert_eq!(decision.explanation.fell_back, Some(Fallback::Default));
    assert_eq!(decision.route_to.as_deref(), Some("it-approvers"));

    let request = test.env.sim.assignment_request(&request_id).expect("request");
    let created = request
        .callout(Stage::AssignmentRequestCreated)
        .expect("created callout");
    let approval = store
        .approval_get(&created.stage_instance_id)
        .await
        .expect("store")
        .expect("an approval is recorded for the stage instance");
    assert_eq!(approval.value.status, ApprovalStatus::Open);
    assert_eq!(approval.value.request_id, request_id);
    assert_eq!(approval.value.user, FINANCE);
    assert!(approval.value.expires_at > record.event.at);
    assert!(request.resumes.is_empty(), "left waiting: {:?}", request.resumes);
    assert_ne!(request.state, "denied");
    assert_ne!(request.state, "delivered");
    test.shutdown().await;
}

#[tokio::test]
async fn a_graph_fault_while_gathering_facts_routes_on_error_and_never_approves() {
    let test = TestEnv::start_with(|options| {
        // One attempt per Graph call, so the fault is not retried away.
        options
            .extra_settings
            .push(("JITADMIN_GRAPH_MAX_ATTEMPTS".into(), "1".into()));
    })
    .await;
    test.env.sim.faults().inject(
        FaultRule::new(
            RoutePattern::new("GET", "/v1.0/users/*"),
            FaultKind::InternalServerError,
        )
        .always(),
    );
    // Adele would be approved with these facts.
    let request_id = request(&test, IT_ADMIN, "INC0012345: install the printer driver").await;
    let store = store(&test).await;
    let (record, decision) = decision_of(&store, &request_id).await;
    assert_eq!(record.event.action, "callout.created.routed");
    assert_eq!(decision.outcome, Outcome::Route);
    assert_eq!(decision.explanation.fell_back, Some(Fallback::OnError));
    assert_eq!(
        decision.reason,
        "Some facts could not be checked, so an approver will decide."
    );
    let unavailable: Vec<&str> = decision
        .explanation
        .unavailable
        .iter()
        .map(|u| u.fact.as_str())
        .collect();
    assert!(unavailable.contains(&"target"), "{unavailable:?}");
    assert!(unavailable.contains(&"devices"), "{unavailable:?}");

    let request = test.env.sim.assignment_request(&request_id).expect("request");
    assert!(request.resumes.is_empty(), "never approved: {:?}", request.resumes);
    let created = request
        .callout(Stage::AssignmentRequestCreated)
        .expect("created callout");
    let approval = store.approval_get(&created.stage_instance_id).await.expect("store");
    assert_eq!(approval.map(|a| a.value.status), Some(ApprovalStatus::Open));
    test.shutdown().await;
}

#[tokio::test]
async fn a_denial_is_in_the_history_of_the_requestors_next_request() {
    let test = TestEnv::start().await;
    let first = request(&test, GUEST, "first try").await;
    test.env
        .sim
        .wait_for_request(&first, Duration::from_secs(30), |r| r.state == "denied")
        .await
        .expect("the first request ends denied");
    let second = request(&test, GUEST, "second try").await;
    let (record, decision) = decision_of(&store(&test).await, &second).await;
    assert_eq!(decision.outcome, Outcome::Deny);
    let last = &record.event.detail["facts"]["history"]["lastDenial"];
    assert_eq!(last["rule"], "deny-guests", "{last}");
    assert_eq!(last["reason"], "Guest accounts cannot get local administrator rights.");
    test.shutdown().await;
}

#[tokio::test]
async fn a_duplicate_of_a_decided_callout_changes_nothing() {
    let test = TestEnv::start().await;
    let env = &test.env;
    let request_id = request(&test, FINANCE, "Install the Power BI Desktop update").await;
    let store = store(&test).await;
    let (first, _) = decision_of(&store, &request_id).await;
    let request = env.sim.assignment_request(&request_id).expect("request");
    let created = request
        .callout(Stage::AssignmentRequestCreated)
        .expect("created callout");

    // The same callout again (EM's retry, or a replay), through the front door.
    let forwarder = env.sim.with_state(|s| s.managed_identities[0].client_id.clone());
    let token = env.sim.app_token(&forwarder, jitadmin::dev::CALLOUT_AUDIENCE).unwrap();
    let mut invocations = env.host.invocations();
    let again = reqwest::Client::new()
        .post(format!("{}/callout", env.api_url()))
        .header("x-functions-key", &env.function_key)
        .bearer_auth(token)
        .json(&created.body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 202);
    // Wait for the duplicate's own `process` (an earlier invocation may still report first).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let trail = loop {
        let record = tokio::time::timeout_at(deadline, invocations.recv())
            .await
            .expect("process runs")
            .unwrap();
        if record.function == "process" {
            assert!(record.succeeded(), "{record:?}");
            let trail = store.audit_by_request(&request_id).await.unwrap();
            if trail.iter().any(|r| r.event.action == "callout.duplicate") {
                break trail;
            }
        }
    };
    let decisions = trail
        .iter()
        .filter(|r| r.event.detail.get("decision").is_some())
        .count();
    assert_eq!(decisions, 1, "decided once: {trail:?}");
    assert!(trail.iter().any(|r| r.event.action == "callout.duplicate"));
    assert_eq!(first.event.action, "callout.created.routed");
    let open = store.approvals_open().await.unwrap();
    assert_eq!(open.iter().filter(|a| a.value.request_id == request_id).count(), 1);
    assert!(env.sim.assignment_request(&request_id).unwrap().resumes.is_empty());
    test.shutdown().await;
}

#[test]
fn the_demo_shows_one_request_of_each_outcome_with_its_explanation() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(jitadmin_tests::jitadmin_binary())
        .args(["dev", "--demo", "--state"])
        .arg(dir.path().join("state"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "decided (callout.created.approved.resumed): approve by rule approve-it-staff-with-ticket",
        "decided (callout.created.denied.resumed): deny by rule deny-guests: Guest accounts cannot get local administrator rights.",
        "resume received with state denied -> 204",
        "decided (callout.created.routed): route by default",
        "MATCH approve-it-staff-with-ticket: matched",
        "no    approve-it-staff-with-ticket: false: target.department == 'IT'",
        "approval recorded as open; the request waits for an approver in Teams",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
}
