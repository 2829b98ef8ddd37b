//! What several end-to-end tests do: run the `jitadmin` binary, wait for a condition, find
//! the approval card posted for a request.

use std::process::{Output, Stdio};
use std::time::Duration;

use jitadmin::dev::DevEnvironment;
use jitadmin_tests::jitadmin_binary;
use serde_json::Value;
use tenant_sim::bot::BotActivity;

/// Run `jitadmin args` with `RUST_LOG=rust_log`, no input.
pub async fn jitadmin(args: &[&str], rust_log: &str) -> Output {
    tokio::process::Command::new(jitadmin_binary())
        .args(args)
        .stdin(Stdio::null())
        .env("RUST_LOG", rust_log)
        .output()
        .await
        .expect("jitadmin runs")
}

/// Wait (up to a minute, looking every 100 ms) until `done` holds; fail naming `what`.
pub async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How long an environment may take to settle.
pub const SETTLE: Duration = Duration::from_secs(60);

/// Wait until the environment has settled ([`DevEnvironment::settled`]): after it, an
/// assertion that something did not happen (a second card, another resume) means it.
pub async fn settled(env: &DevEnvironment) {
    env.settled(SETTLE).await.expect("the environment settles");
}

/// The card's JSON text in a posted activity.
pub fn card_text(a: &BotActivity) -> String {
    a.card().map(Value::to_string).unwrap_or_default()
}

/// The card posted for `request_id` (waits up to 30 s): (conversation id, activity id).
pub async fn card_of(env: &DevEnvironment, request_id: &str) -> (String, String) {
    let activities = env
        .sim
        .bot()
        .wait_for_activities(Duration::from_secs(30), |all| {
            all.iter().any(|a| card_text(a).contains(request_id))
        })
        .await
        .expect("a card is posted for the request");
    let card = activities
        .iter()
        .find(|a| card_text(a).contains(request_id))
        .expect("the card");
    (card.conversation_id.clone(), card.id.clone())
}

/// Answers `?validationToken=` with the token, anything else with 202.
pub async fn handshake_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let token = url::Url::parse(&format!("http://x{target}")).ok().and_then(|u| {
                    u.query_pairs()
                        .find(|(k, _)| k == "validationToken")
                        .map(|(_, v)| v.into_owned())
                });
                let reply = match token {
                    Some(t) => format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{t}",
                        t.len()
                    ),
                    None => "HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string(),
                };
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/api/notifications?code=test-key")
}
