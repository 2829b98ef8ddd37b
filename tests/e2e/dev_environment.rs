//! The dev environment end to end: the real binary under azfn-local against tenant-sim.

use std::process::Command;

use jitadmin_tests::{jitadmin_binary, TestEnv};

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
