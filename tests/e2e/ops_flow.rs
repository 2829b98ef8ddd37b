//! Operations end to end, through the real binary under azfn-local against tenant-sim:
//! events that fail on a Graph outage dead-letter; after the outage `jitadmin replay --local`
//! puts them back and each request is resumed exactly once, also when a replay is cut short
//! (and when a replay died between sending a copy and deleting the dead letter) and run again;
//! `jitadmin audit` shows a request's and a user's whole trail in order.

use std::process::Output;
use std::time::Duration;

use jitadmin_tests::TestEnv;
use serde_json::Value;
use tenant_sim::{FaultKind, FaultRule, NewRequest, RoutePattern, Stage};

const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
/// Adele Vance (IT, compliant Windows laptop), Alex Wilber (Finance), and an Engineering user.
const USERS: [&str; 3] = [
    "11111111-0000-4000-8000-000000000002",
    "11111111-0000-4000-8000-000000000005",
    "11111111-0000-4000-8000-000000000006",
];

async fn jitadmin(args: &[&str]) -> Output {
    crate::helpers::jitadmin(args, "warn").await
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn json_lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

use crate::helpers::wait_until;

fn resumed_204(env: &jitadmin::dev::DevEnvironment, request: &str) -> usize {
    env.sim
        .assignment_request(request)
        .map(|r| r.resumes.iter().filter(|x| x.status == 204).count())
        .unwrap_or_default()
}

#[tokio::test]
async fn dead_lettered_events_go_back_to_work_once_even_when_a_replay_is_cut_short_and_run_again() {
    let test = TestEnv::start_with(|options| {
        for (k, v) in [
            ("JITADMIN_GRAPH_MAX_ATTEMPTS", "1"),
            ("JITADMIN_RULES", ""),
            ("JITADMIN_CREATED_STAGE", "continue"),
        ] {
            options.extra_settings.push((k.into(), v.into()));
        }
    })
    .await;
    let env = &test.env;
    let state = env.state_dir.display().to_string();
    // Graph is down for resumes: every delivery fails until the events dead-letter.
    env.sim.faults().inject(
        FaultRule::new(
            RoutePattern::new(
                "POST",
                "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/*",
            ),
            FaultKind::ServiceUnavailable { retry_after: None },
        )
        .always(),
    );
    let requests: Vec<String> = USERS
        .iter()
        .map(|u| env.sim.create_assignment_request(NewRequest::new(*u, PACKAGE)).unwrap())
        .collect();
    let queues = env.host.queues();
    wait_until("the three events are dead-lettered", || {
        queues.dead_letters("events").map(|d| d.len()).unwrap_or_default() == 3
    })
    .await;
    assert!(requests.iter().all(|r| resumed_204(env, r) == 0));
    env.sim.faults().clear();

    // The operator looks first: every event decoded.
    let listed = jitadmin(&["replay", "list", "--local", &state, "--json"]).await;
    assert!(listed.status.success(), "{}", text(&listed));
    let listed = json_lines(&listed);
    assert_eq!(listed.len(), 3);
    for d in &listed {
        assert_eq!(d["event"]["kind"], "callout");
        assert_eq!(d["event"]["stage"], "assignmentRequestCreated");
        assert_eq!(d["reason"], "MaxDeliveryCountExceeded");
        assert_eq!(d["deliveryCount"], 3);
        assert!(requests.contains(&d["event"]["requestId"].as_str().unwrap().to_string()));
        assert!(USERS.contains(&d["event"]["user"].as_str().unwrap()));
    }
    let table = jitadmin(&["replay", "list", "--local", &state, "--user", USERS[1]]).await;
    assert!(
        String::from_utf8_lossy(&table.stdout).contains("3 dead-lettered, 1 selected"),
        "{}",
        text(&table)
    );

    // Without --yes and without a terminal to ask on, nothing happens.
    let refused = jitadmin(&["replay", "--local", &state]).await;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("stdin is not a terminal"),
        "{}",
        text(&refused)
    );
    let dry = jitadmin(&["replay", "--local", &state, "--dry-run"]).await;
    assert!(dry.status.success(), "{}", text(&dry));
    assert_eq!(
        queues.dead_letters("events").unwrap().len(),
        3,
        "refused and dry runs change nothing"
    );

    // An earlier replay died after sending its copy of the first dead letter, before deleting it.
    let first = queues.dead_letters("events").unwrap().remove(0);
    let mut copy = azfn_local::NewMessage::bytes(first.body.clone());
    copy.message_id = Some(first.message_id.clone());
    copy.session_id = first.session_id.clone();
    copy.application_properties = first.application_properties.clone();
    queues.send("events", copy).unwrap();

    // A replay cut short after one message...
    let one = jitadmin(&["replay", "--local", &state, "--yes", "--limit", "1"]).await;
    assert!(one.status.success(), "{}", text(&one));
    assert!(
        String::from_utf8_lossy(&one.stdout).contains("replayed 1 of 1"),
        "{}",
        text(&one)
    );
    assert_eq!(queues.dead_letters("events").unwrap().len(), 2);
    // ... and run again for the rest.
    let rest = jitadmin(&["replay", "--local", &state, "--yes"]).await;
    assert!(rest.status.success(), "{}", text(&rest));
    assert!(
        String::from_utf8_lossy(&rest.stdout).contains("replayed 2 of 2"),
        "{}",
        text(&rest)
    );

    wait_until("every request is resumed", || {
        requests.iter().all(|r| resumed_204(env, r) >= 1)
    })
    .await;
    wait_until("the queue is drained", || {
        queues
            .queues()
            .unwrap()
            .iter()
            .all(|q| q.active == 0 && q.locked == 0 && q.dead_lettered == 0)
    })
    .await;
    for r in &requests {
        assert_eq!(resumed_204(env, r), 1, "request {r} resumed exactly once");
        let attempts_after_outage = env
            .sim
            .assignment_request(r)
            .map(|v| v.resumes.iter().filter(|x| x.status != 503).count())
            .unwrap_or_default();
        assert_eq!(attempts_after_outage, 1, "request {r}: no second resume was even tried");
    }

    // The trail says the first event came twice (once as a replay) and changed nothing the second time.
    let twice = first.body_json().unwrap()["azfnMessage"]["body"]["requestId"]
        .as_str()
        .unwrap()
        .to_string();
    let audit = jitadmin(&["audit", &twice, "--local", &state, "--json"]).await;
    assert!(audit.status.success(), "{}", text(&audit));
    let steps = json_lines(&audit);
    let actions: Vec<&str> = steps.iter().map(|s| s["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"callout.duplicate"), "{actions:?}");
    assert!(
        steps
            .iter()
            .any(|s| s["detail"]["replay"].as_str().is_some_and(|r| r.starts_with("1@"))),
        "a replayed delivery is marked in the trail: {steps:#?}"
    );
    test.shutdown().await;
}

/// `expected` appears in `actions` in this order (other steps may come between).
/// `jitadmin audit --user USER --json` until its steps hold `expected` in order (60 s at most).
async fn audit_until(user: &str, state: &str, expected: &[&str]) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let out = jitadmin(&["audit", "--user", user, "--local", state, "--json"]).await;
        assert!(out.status.success(), "{}", text(&out));
        let steps = json_lines(&out);
        let actions: Vec<String> = steps
            .iter()
            .map(|s| s["action"].as_str().unwrap_or_default().to_string())
            .collect();
        match in_order(&actions, expected) {
            Ok(()) => return steps,
            Err(e) if tokio::time::Instant::now() > deadline => panic!("{e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
}

fn in_order(actions: &[String], expected: &[&str]) -> Result<(), String> {
    let mut at = 0;
    for want in expected {
        match actions[at..].iter().position(|a| a.starts_with(want)) {
            Some(i) => at += i + 1,
            None => return Err(format!("{want} missing after step {at} in {actions:#?}")),
        }
    }
    Ok(())
}

#[tokio::test]
async fn the_audit_trail_shows_the_decision_the_grant_the_devices_and_the_removal_in_order() {
    let test = TestEnv::start().await;
    let env = &test.env;
    let state = env.state_dir.display().to_string();
    let user = USERS[0];
    let request = env
        .sim
        .create_assignment_request(NewRequest::new(user, PACKAGE).justification("INC0012345: printer driver"))
        .unwrap();
    let granted = env
        .sim
        .wait_for_request(&request, Duration::from_secs(30), |r| {
            r.callout(Stage::AssignmentRequestGranted).is_some()
        })
        .await
        .expect("approved by the rule and granted");
    // Remove only once the grant is handled: removed at once, EM's two callouts race to the
    // endpoint and the removal may be queued first (the trail would be right, the order not).
    let granted_steps = [
        "callout.received",
        "callout.created.approved",
        "callout.received",
        "callout.granted",
    ];
    audit_until(user, &state, &granted_steps).await;
    let assignment = granted.assignment_id.expect("an assignment");
    env.sim.remove_assignment(&assignment).unwrap();

    // The whole trail of the user: the request, then the removal (its own request in Entra).
    // A routed request's Teams steps: the next test.
    let expected = [
        "callout.received",
        "callout.created.approved",
        "callout.received",
        "callout.granted",
        "device.sync-requested",
        "callout.removed",
        "device.sync-requested",
    ];
    let steps = audit_until(user, &state, &expected).await;
    let arrivals = steps.iter().filter(|s| s["action"] == "callout.received").count();
    assert_eq!(arrivals, 3, "created, granted and removed each arrived once");
    let times: Vec<&str> = steps.iter().map(|s| s["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "in time order");
    let decision = steps
        .iter()
        .find(|s| s["action"].as_str().unwrap().starts_with("callout.created"))
        .unwrap();
    assert!(
        decision["summary"]
            .as_str()
            .unwrap()
            .contains("approve-it-staff-with-ticket"),
        "{decision}"
    );

    // For people: one line per step, the request's own steps only.
    let human = jitadmin(&["audit", &request, "--local", &state]).await;
    assert!(human.status.success(), "{}", text(&human));
    let lines: Vec<String> = String::from_utf8_lossy(&human.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert!(lines
        .iter()
        .any(|l| l.contains("callout.received") && l.contains("assignmentRequestCreated")));
    assert!(lines
        .iter()
        .any(|l| l.contains("decided approve by rule approve-it-staff-with-ticket")));
    assert!(lines.iter().any(|l| l.contains("access granted")));
    assert!(
        !lines.iter().any(|l| l.contains("callout.removed")),
        "the removal is its own request"
    );
    test.shutdown().await;
}

/// The card posted for `request_id` (waits up to 30 s): (conversation id, activity id).
use crate::helpers::card_of;

#[tokio::test]
async fn the_audit_trail_of_a_teams_approval_shows_routing_the_card_the_click_the_grant_and_the_removal() {
    const ALEX: &str = "11111111-0000-4000-8000-000000000005";
    const MEGAN: &str = "11111111-0000-4000-8000-000000000001";
    let test = TestEnv::start().await;
    let env = &test.env;
    let state = env.state_dir.display().to_string();
    // No ticket: the example rules route Alex's request to the approvers.
    let request = env
        .sim
        .create_assignment_request(NewRequest::new(ALEX, PACKAGE).justification("Install the Power BI Desktop update"))
        .unwrap();
    let card = card_of(env, &request).await;
    // The card is in the channel a moment before jitadmin records posting it; an approver reads
    // it first, so the test clicks once the trail has it.
    audit_until(ALEX, &state, &["callout.received", "teams.card.posted"]).await;
    let clicked = env
        .sim
        .teams_client()
        .click(MEGAN, &card.0, &card.1, "approve")
        .send()
        .await
        .expect("the click is delivered");
    assert_eq!(clicked.status, Some(200), "{:?}", clicked.body);
    let granted = env
        .sim
        .wait_for_request(&request, Duration::from_secs(30), |r| {
            r.callout(Stage::AssignmentRequestGranted).is_some()
        })
        .await
        .expect("approved in Teams and granted");
    // Remove only once the grant is handled (see the previous test).
    audit_until(ALEX, &state, &["teams.approved", "callout.granted"]).await;
    env.sim
        .remove_assignment(&granted.assignment_id.expect("an assignment"))
        .unwrap();

    let expected = [
        "callout.received",
        "teams.card.posted",
        "teams.clicked",
        "teams.approved",
        "callout.granted",
        "device.sync-requested",
        "callout.removed",
        "device.sync-requested",
    ];
    let steps = audit_until(ALEX, &state, &expected).await;
    // The decision's record is written once its work is done, after the card is posted; an
    // approver quick enough can click before it is written, so only "after the card" holds.
    let actions: Vec<String> = steps
        .iter()
        .map(|s| s["action"].as_str().unwrap_or_default().to_string())
        .collect();
    in_order(&actions, &["teams.card.posted", "callout.created.routed"]).unwrap();
    // Who clicked what is in the step, for people as for machines.
    let click = steps
        .iter()
        .find(|s| s["action"] == "teams.approved")
        .expect("the approval step");
    assert!(click.to_string().contains("Megan Bowen"), "{click}");
    let human = jitadmin(&["audit", &request, "--local", &state]).await;
    assert!(human.status.success(), "{}", text(&human));
    let human = String::from_utf8_lossy(&human.stdout).to_string();
    assert!(
        human.contains("teams.approved") && human.contains("Megan Bowen"),
        "{human}"
    );
    test.shutdown().await;
}
