//! Helpers shared by the tests.

use std::net::SocketAddr;
use std::sync::Once;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Install, once for the whole binary, a global subscriber with `InvocationLogLayer`, so
/// every invocation returns its `Logs` whichever thread runs it. Call it first in each test
/// that invokes a function: a callsite first hit before any subscriber exists stays
/// disabled until interest is rebuilt, and one global subscriber installed before any test
/// emits avoids that race.
pub fn init_logs() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let subscriber = tracing_subscriber::layer::SubscriberExt::with(
            tracing_subscriber::registry(),
            azfn_runtime::InvocationLogLayer::new(),
        );
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber in this binary");
    });
}

/// POST `body` to `http://{addr}{path}` over a fresh HTTP/1.1 connection, as the host
/// does, and read the whole reply: its status and its body as JSON (`Null` if not JSON).
pub async fn post_over_socket(
    addr: SocketAddr,
    path: &str,
    invocation_id: &str,
    body: &str,
) -> std::io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect(addr).await?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Azure-Functions-InvocationId: {invocation_id}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await?;
    let text = String::from_utf8_lossy(&reply);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no complete reply: {text:?}")))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line: {head:?}")))?;
    Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

/// A timer envelope as the host sends it.
pub const TIMER_ENVELOPE: &str = include_str!("../../testdata/timer.json");
/// An HTTP envelope as the host sends it.
pub const HTTP_ENVELOPE: &str = include_str!("../../testdata/http-post-json-body.json");
