//! No token, secret or client state in the logs: an end-to-end run (a callout with a bearer
//! token, a Graph outage that dead-letters it, a replay, the grant with its device sync and
//! group-change notifications, a replay against Service Bus with a connection string) with
//! every log line of the handler (stdout and stderr, through azfn-local) and of azfn-local at
//! debug level captured and scanned, along with the CLI's output.

use std::io::Write;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jitadmin_tests::TestEnv;
use tenant_sim::service_bus::{QueueSettings, SbMessage};
use tenant_sim::{FaultKind, FaultRule, NewRequest, RoutePattern, Stage};

const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const USER: &str = "11111111-0000-4000-8000-000000000005";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

/// JWT-shaped strings: `eyJ` + base64url, a dot, more base64url.
fn tokens_in(text: &str) -> Vec<String> {
    let b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("eyJ") {
        let candidate: String = rest[i..].chars().take_while(|c| b64(*c) || *c == '.').collect();
        if candidate.len() > 20 && candidate.contains('.') {
            found.push(candidate.chars().take(40).collect());
        }
        rest = &rest[i + 3..];
    }
    found
}

async fn jitadmin(args: &[&str]) -> Output {
    crate::helpers::jitadmin(args, "debug").await
}

#[test]
fn the_scanner_finds_a_planted_token() {
    let line = r#"{"msg":"Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln"}"#;
    assert_eq!(tokens_in(line).len(), 1);
    assert!(tokens_in("eyJ alone, and eyJhbGc without a dot").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_secret_or_client_state_reaches_the_logs() {
    // The handler logs at debug (JSON lines on stdout), piped into azfn-local's logs.
    std::env::set_var("RUST_LOG", "debug");
    let captured = Captured::default();
    let writer = captured.clone();
    let filter = tracing_subscriber::EnvFilter::new(
        "debug,tenant_sim=off,hyper=off,hyper_util=off,reqwest=off,rustls=off,h2=off",
    );
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let client_state = format!("scan-{}", uuid_like());
    let card_key = format!("scan-card-key-{}-{}", uuid_like(), uuid_like());
    let test = TestEnv::start_with(|options| {
        for (k, v) in [
            ("JITADMIN_CARD_KEY", card_key.clone()),
            ("JITADMIN_GRAPH_MAX_ATTEMPTS", "1".to_string()),
            ("JITADMIN_RULES", String::new()),
            ("JITADMIN_CREATED_STAGE", "continue".to_string()),
            ("JITADMIN_CLIENT_STATE", client_state.clone()),
        ] {
            options.extra_settings.push((k.into(), v));
        }
    })
    .await;
    let env = &test.env;
    let state = env.state_dir.display().to_string();
    env.sim.faults().inject(
        FaultRule::new(
            RoutePattern::new(
                "POST",
                "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/*",
            ),
            FaultKind::ServiceUnavailable { retry_after: None },
        )
        .times(3),
    );
    let request = env
        .sim
        .create_assignment_request(NewRequest::new(USER, PACKAGE))
        .unwrap();
    let queues = env.host.queues();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while queues.dead_letters("events").unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "never dead-lettered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut cli = Vec::new();
    cli.push(jitadmin(&["replay", "--local", &state, "--yes"]).await);
    env.sim
        .wait_for_request(&request, Duration::from_secs(60), |r| {
            r.callout(Stage::AssignmentRequestGranted).is_some()
        })
        .await
        .expect("granted after the replay");
    // The grant adds the user to the watched group: a change notification with the client state.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while env.sim.device_syncs().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no device sync");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Everything the grant set off (notifications, notices, callouts) is over and logged.
    env.settled(crate::helpers::SETTLE)
        .await
        .expect("the environment settles");
    cli.push(jitadmin(&["audit", &request, "--local", &state]).await);

    // Service Bus with a connection string (SAS).
    env.sim.create_queue(QueueSettings::new("events").sessions());
    env.sim
        .dead_letter(
            "events",
            SbMessage::json(&serde_json::json!({"hello": 1})).session_id("s"),
            10,
            "MaxDeliveryCountExceeded",
            "x",
        )
        .unwrap();
    let cs = env.sim.service_bus_connection_string();
    cli.push(jitadmin(&["replay", "list", "--connection-string", &cs]).await);
    cli.push(jitadmin(&["replay", "--connection-string", &cs, "--yes", "--duplicate-window", "0"]).await);
    assert!(cli[3].status.success(), "{}", String::from_utf8_lossy(&cli[3].stderr));
    // A bad connection string is refused without echoing the key.
    let bad = cs.replace("SharedAccessKeyName=", "Nope=");
    cli.push(jitadmin(&["replay", "list", "--connection-string", &bad]).await);
    assert!(!cli[4].status.success());

    let secrets = [
        ("function key", test.env.function_key.clone()),
        ("managed identity header", test.env.sim.identity_header().to_string()),
        ("client state", client_state),
        ("card key", card_key),
        ("Service Bus key", test.env.sim.service_bus_key()),
    ];
    test.shutdown().await;
    let mut logs = captured.text();
    for o in &cli {
        logs.push_str(&String::from_utf8_lossy(&o.stdout));
        logs.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    // The capture is real: the handler's invocation lines are there, correlated.
    assert!(
        logs.contains("invocation finished"),
        "no invocation summary lines captured"
    );
    assert!(
        logs.lines()
            .any(|l| l.contains("invocation finished") && l.contains(&request) && l.contains(USER)),
        "summary lines carry the request and the user"
    );

    let mut problems = Vec::new();
    for (what, secret) in &secrets {
        assert!(secret.len() >= 8, "{what} is too short to scan for");
        for line in logs.lines().filter(|l| l.contains(secret.as_str())) {
            problems.push(format!("{what} in: {}", line.chars().take(300).collect::<String>()));
        }
    }
    for token in tokens_in(&logs) {
        problems.push(format!("token-shaped string: {token}..."));
    }
    assert!(problems.is_empty(), "secrets in the logs:\n{}", problems.join("\n"));
}

fn uuid_like() -> String {
    format!(
        "{:x}{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    )
}
