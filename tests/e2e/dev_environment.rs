//! The dev environment end to end: the real binary under azfn-local against tenant-sim.

use std::process::Command;
use std::time::{Duration, Instant};

use jitadmin_tests::{jitadmin_binary, TestEnv};
use tenant_sim::{FaultKind, FaultRule, NewRequest, RoutePattern, Stage};

#[tokio::test]
async fn front_door_reaches_the_handler_the_host_started() {
    let test = TestEnv::start().await;
    let env = &test.env;
    let client = reqwest::Client::new();
    // Without the function key, the host refuses before the handler sees anything.
    let refused = client
        .post(format!("{}/callout", env.api_url()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let mut invocations = env.host.invocations();
    // With the key but without the forwarder's bearer token, jitadmin itself refuses.
    let answered = client
        .post(format!("{}/callout", env.api_url()))
        .header("x-functions-key", &env.function_key)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 401);
    assert_eq!(answered.headers()["content-type"], "application/problem+json");
    let record = tokio::time::timeout(std::time::Duration::from_secs(10), invocations.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.function, "callout");
    assert!(
        record.succeeded(),
        "a refused callout is still a handled invocation: {record:?}"
    );
    assert!(record.messages_sent.is_empty(), "nothing queued for a refused callout");
    test.shutdown().await;
}

const ALEX: &str = "11111111-0000-4000-8000-000000000005";
const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const RESUME: &str = "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/*";

#[tokio::test]
async fn settled_waits_for_work_on_either_side_and_returns_promptly_once_it_is_over() {
    let test = TestEnv::start_with(|options| {
        // Requests continue without the rules: the created callout's event resumes at once.
        options.extra_settings.push(("JITADMIN_RULES".into(), String::new()));
        options
            .extra_settings
            .push(("JITADMIN_CREATED_STAGE".into(), "continue".into()));
    })
    .await;
    let env = &test.env;
    env.settled(Duration::from_secs(60))
        .await
        .expect("a fresh environment settles");
    let idle = Instant::now();
    env.settled(Duration::from_secs(60)).await.unwrap();
    assert!(
        idle.elapsed() < Duration::from_secs(2),
        "prompt when there is nothing to wait for"
    );

    // The resume hangs in the tenant for a while: the event's invocation waits on it.
    env.sim.faults().inject(FaultRule::new(
        RoutePattern::new("POST", RESUME),
        FaultKind::Latency(Duration::from_secs(3)),
    ));
    let request = env
        .sim
        .create_assignment_request(NewRequest::new(ALEX, PACKAGE))
        .unwrap();
    let resume_in_flight = || {
        env.sim
            .calls_to(
                "POST",
                "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/",
            )
            .iter()
            .any(|c| c.path.ends_with("/resume") && c.status.is_none())
    };
    crate::helpers::wait_until("the resume is in flight", resume_in_flight).await;
    let busy = env.settled(Duration::from_millis(300)).await;
    assert!(busy.is_err(), "not settled while the resume is in flight");
    assert!(!env.host.is_idle(), "the event's invocation runs");

    // Settled: the resume went through, and everything it set off (the grant, the granted
    // stage's callout and its event, the device sync) is over.
    env.settled(Duration::from_secs(60))
        .await
        .expect("settles once the resume is through");
    let view = env.sim.assignment_request(&request).expect("the request");
    assert_eq!(view.resumes.len(), 1, "{:?}", view.resumes);
    assert_eq!(view.resumes[0].status, 204);
    let granted = view
        .callout(Stage::AssignmentRequestGranted)
        .expect("the granted stage's callout");
    assert!(!granted.attempts.is_empty(), "the granted callout was sent");
    assert_eq!(env.sim.device_syncs().len(), 1, "the user's Windows device was synced");
    assert!(env.host.is_idle() && env.sim.is_idle());
    let queues = env.host.queues().queues().unwrap();
    assert!(queues.iter().all(|q| q.active == 0 && q.locked == 0), "{queues:?}");
    test.shutdown().await;
}

#[test]
fn dev_demo_exits_zero_and_tells_the_story() {
    // As the README runs it: from a checkout, with the default (relative) state directory.
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(jitadmin_binary())
        .args(["dev", "--demo"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(dir.path().join(".jitadmin/dev/rules.example.toml").exists());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    assert!(stdout.contains("tenant-sim"), "{stdout}");
    for function in ["callout", "notifications", "teams", "process", "maintain"] {
        assert!(
            stdout.contains(&format!("function {function}")),
            "{function} missing:\n{stdout}"
        );
    }
    assert!(stdout.contains("started `jitadmin serve`"), "{stdout}");
    assert!(stdout.contains("POST /api/callout"), "{stdout}");
    assert!(stdout.contains("invoked callout"), "{stdout}");
    assert!(
        stdout.contains("syncDevice requested for"),
        "a grant reaches the devices:\n{stdout}"
    );
    assert!(
        stdout.contains("adds the jitadmin app in Teams") && stdout.contains("writes in the user's 1:1 chat"),
        "the user is told in Teams:\n{stdout}"
    );
    assert!(stdout.contains("drift caught"), "drift is caught:\n{stdout}");
    assert!(stdout.contains("demo finished"), "{stdout}");
}
