//! What the client logs: structured fields, never the token.

use crate::support::{fast_policy, Mock, Reply, TOKEN};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn requests_are_logged_with_fields_and_never_with_the_token() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = Mock::start().await;
    let path = "/v1.0/users/u1";
    mock.on(
        "GET",
        path,
        Reply::error(429, "TooManyRequests").header("Retry-After", "1"),
    )
    .on("GET", path, Reply::json(200, serde_json::json!({"id": "u1"})));
    mock.on(
        "GET",
        "/v1.0/users/u2",
        Reply::error(403, "Authorization_RequestDenied"),
    );
    let (client, _) = mock.client(fast_policy());
    client
        .get_json::<serde_json::Value>(&format!("{path}?$select=id"))
        .await
        .expect("ok");
    client
        .get_json::<serde_json::Value>("/v1.0/users/u2")
        .await
        .expect_err("403");

    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).expect("utf8");
    assert!(
        !text.contains(TOKEN) && !text.contains("secret-test-token"),
        "token leaked into logs:\n{text}"
    );
    assert!(
        text.contains("graph request retrying") && text.contains("graph request failed"),
        "{text}"
    );
    for field in [
        "method=GET",
        "path=/v1.0/users/u1",
        "status=429",
        "request_id=\"rid-429\"",
        "attempt=1",
        "elapsed_ms=",
    ] {
        assert!(text.contains(field), "missing {field} in:\n{text}");
    }
    assert!(!text.contains("$select"), "queries are not logged:\n{text}");
}
