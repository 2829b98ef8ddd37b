//! The built `jitadmin serve` binary, started the way the Functions host starts it:
//! from a packaged app folder, with FUNCTIONS_CUSTOMHANDLER_PORT set.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_jitadmin");

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A port nothing listens on now. The handler is a child process that binds its port itself
/// and can only be told a number (`FUNCTIONS_CUSTOMHANDLER_PORT`, as the Functions host does),
/// so the probe listener is dropped before the child binds: [`start`] retries on another port
/// if a parallel test takes this one in between. Also used for `nowhere`, a URL meant to refuse
/// connections so that remote calls fail fast, offline.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// True when something listens on `port` now.
fn port_taken(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_err()
}

struct Handler {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Handler {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Package the app into a temp dir and start its binary from there, like the host.
async fn start() -> Handler {
    let dir = tempfile::tempdir().unwrap();
    let (app_dir, _) = jitadmin::cli::package::stage(&repo_root(), Path::new(BIN), dir.path()).unwrap();
    // Nothing listens on `nowhere`: key fetches and Graph calls fail fast, offline.
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    // A child that exits at start-up while its port is taken lost the port to another
    // process: start it again on a new one.
    for _ in 0..3 {
        let port = free_port();
        let mut child = spawn(&app_dir, &nowhere, port);
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(port_taken(port), "jitadmin serve exited at start-up: {status}");
                break;
            }
            if client.get(&base).send().await.is_ok() {
                return Handler { child, base, _dir: dir };
            }
            assert!(
                Instant::now() < deadline,
                "jitadmin serve did not answer GET / within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    panic!("jitadmin serve lost its port to another process three times");
}

/// Start `jitadmin serve` from the staged app on `port`.
fn spawn(app_dir: &Path, nowhere: &str, port: u16) -> Child {
    let mut command = Command::new(app_dir.join("jitadmin"));
    command
        .arg("serve")
        .current_dir(app_dir)
        .envs(settings(nowhere))
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // The binary was just copied; a child forked meanwhile by a parallel test can still hold
    // the copy's write handle for an instant (ETXTBSY). Try again briefly.
    let mut attempts = 0;
    loop {
        match command.spawn() {
            Ok(child) => return child,
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && attempts < 100 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("starting jitadmin serve: {e}"),
        }
    }
}

/// The settings `serve` needs, with every remote pointed at `nowhere`.
fn settings(nowhere: &str) -> Vec<(&'static str, String)> {
    vec![
        ("JITADMIN_TENANT_ID", "8f6a1c2e-4b3d-4e5f-9a7b-1c2d3e4f5a6b".into()),
        ("JITADMIN_AUTHORITY_HOST", nowhere.into()),
        ("JITADMIN_GRAPH_BASE_URL", nowhere.into()),
        ("JITADMIN_CALLOUT_AUDIENCES", "api://jitadmin".into()),
        (
            "JITADMIN_CALLOUT_ALLOWED_CALLERS",
            "77777777-0000-4000-8000-0000000000a1".into(),
        ),
        ("JITADMIN_STORE", "sqlite::memory:".into()),
    ]
}

fn envelope(function: &str) -> Value {
    let sys = json!({"MethodName": function, "UtcNow": "2026-11-28T10:00:00Z", "RandGuid": "9f1e2d3c-4b5a-4697-8877-665544332211"});
    match function {
        "process" => json!({
            "Data": {"msg": "\"{\\\"azfnMessage\\\":{\\\"messageId\\\":\\\"m1\\\",\\\"body\\\":{}}}\""},
            "Metadata": {"DeliveryCount": "1", "MessageId": "\"m1\"", "SessionId": "\"u1\"", "sys": sys}
        }),
        "maintain" => json!({
            "Data": {"tick": {"Schedule": {"AdjustForDST": true}, "ScheduleStatus": null, "IsPastDue": false}},
            "Metadata": {"sys": sys}
        }),
        _ => json!({
            "Data": {"req": {"Url": format!("http://localhost/api/{function}"), "Method": "POST", "Query": {},
                     "Headers": {"Content-Type": ["application/json"]}, "Body": "{}"}},
            "Metadata": {"sys": sys}
        }),
    }
}

#[tokio::test]
async fn serve_answers_readiness_and_invokes_all_five_functions() {
    let handler = start().await;
    let client = reqwest::Client::new();
    let ready = client.get(&handler.base).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    for function in jitadmin::functions::NAMES {
        let response = client
            .post(format!("{}/{function}", handler.base))
            .header("X-Azure-Functions-InvocationId", format!("inv-{function}"))
            .json(&envelope(function))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        match function {
            "callout" => {
                assert_eq!(status, 200, "callout: the invocation itself succeeds");
                let res = &body["Outputs"]["res"];
                assert_eq!(res["statusCode"], 401, "an unauthenticated callout: {body}");
                assert_eq!(res["headers"]["Content-Type"], "application/problem+json");
                assert!(body["Outputs"].get("events").is_none(), "nothing queued: {body}");
            }
            "notifications" => {
                assert_eq!(status, 200, "notifications: the invocation itself succeeds");
                let res = &body["Outputs"]["res"];
                assert_eq!(
                    res["statusCode"], 400,
                    "`{{}}` is not a notification collection: {body}"
                );
                assert_eq!(res["headers"]["Content-Type"], "application/problem+json");
                assert!(body["Outputs"].get("events").is_none(), "nothing queued: {body}");
            }
            "teams" => {
                assert_eq!(status, 200, "{function}: the invocation itself succeeds");
                assert_eq!(content_type, "application/json");
                assert!(body["Logs"].is_array(), "{function}: {body}");
                // Without JITADMIN_BOT_APP_ID the messaging endpoint says Teams is off.
                let res = &body["Outputs"]["res"];
                assert_eq!(res["statusCode"], 503, "{function}: {body}");
                assert_eq!(res["headers"]["Content-Type"], "application/problem+json");
                let problem: Value = serde_json::from_str(res["body"].as_str().unwrap()).unwrap();
                assert_eq!(problem["type"], "urn:azfn:problem:teams-off");
            }
            "process" => {
                assert_eq!(
                    status, 500,
                    "a message that is not our event fails, to be dead-lettered"
                );
                assert_eq!(content_type, "application/problem+json");
                assert!(
                    body["detail"].as_str().unwrap().contains("not a jitadmin event"),
                    "{body}"
                );
                assert_eq!(body["invocationId"], "inv-process");
            }
            _ => {
                assert_eq!(
                    status, 200,
                    "maintain with no groups to watch has nothing to do: {body}"
                );
                assert_eq!(content_type, "application/json");
                assert!(body["Logs"].is_array(), "{body}");
            }
        }
    }
}

#[tokio::test]
async fn serve_rejects_bad_envelopes_with_problems() {
    let handler = start().await;
    let client = reqwest::Client::new();
    let unknown = client
        .post(format!("{}/nope", handler.base))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let bad = client
        .post(format!("{}/callout", handler.base))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
}

#[test]
fn serve_without_a_port_stops_with_one_line() {
    let output = Command::new(BIN)
        .arg("serve")
        .env_remove("FUNCTIONS_CUSTOMHANDLER_PORT")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("FUNCTIONS_CUSTOMHANDLER_PORT is not set"), "{stderr}");
}

#[test]
fn serve_without_configuration_names_every_missing_setting_in_one_message() {
    let output = Command::new(BIN)
        .arg("serve")
        .env_clear()
        // Any port will do: serve stops on the missing settings before it binds.
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", free_port().to_string())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3 settings need attention"), "{stderr}");
    for name in [
        "JITADMIN_TENANT_ID is not set",
        "JITADMIN_CALLOUT_AUDIENCES is not set",
        "JITADMIN_CALLOUT_ALLOWED_CALLERS is not set",
    ] {
        assert!(stderr.contains(name), "{name} in {stderr}");
    }
    assert_eq!(stderr.lines().count(), 4, "one message: {stderr}");
}

#[test]
fn serve_with_a_bad_port_stops_with_one_line() {
    let output = Command::new(BIN)
        .arg("serve")
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", "70000")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("must be a port number"), "{stderr}");
}

#[test]
fn package_assembles_the_app_and_a_zip_with_an_executable_binary() {
    let dir = tempfile::tempdir().unwrap();
    // A stand-in binary keeps the test fast; `serve_*` tests run the real one from a staged app.
    let binary = dir.path().join("jitadmin-build");
    std::fs::write(&binary, b"#!/bin/sh\necho jitadmin\n").unwrap();
    let packaged = jitadmin::cli::package::assemble(&repo_root(), &binary, &dir.path().join("dist")).unwrap();
    assert_eq!(
        packaged.functions,
        ["callout", "maintain", "notifications", "process", "teams"]
    );
    assert!(packaged.app_dir.join("host.json").is_file());
    for f in &packaged.functions {
        assert!(packaged.app_dir.join(f).join("function.json").is_file(), "{f}");
    }
    let archive = zip::ZipArchive::new(std::fs::File::open(&packaged.zip).unwrap()).unwrap();
    let mut names: Vec<_> = archive.file_names().map(str::to_owned).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "callout/function.json",
            "host.json",
            "jitadmin",
            "maintain/function.json",
            "notifications/function.json",
            "process/function.json",
            "teams/function.json"
        ]
    );
    let mut archive = archive;
    let binary = archive.by_name("jitadmin").unwrap();
    assert_eq!(
        binary.unix_mode().map(|m| m & 0o111),
        Some(0o111),
        "the binary stays executable"
    );
}

#[test]
fn package_without_host_json_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = jitadmin::cli::package::assemble(dir.path(), Path::new(BIN), &dir.path().join("out")).unwrap_err();
    assert!(err.to_string().contains("host.json not found"), "{err}");
}
