//! The handler's `Logs` are printed through tracing with the function and invocation id.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::support::*;
use tracing_subscriber::layer::SubscriberExt;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn handler_logs_are_printed_with_function_and_invocation_id() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::registry()
        .with(azfn_runtime::InvocationLogLayer::new())
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        );
    // Process-wide, as a host sets it up: a subscriber scoped to this thread (`set_default`)
    // misses events when other tests of this binary register the same callsites at the same
    // time. The other tests' logs land in `captured` too, and every printed `echo` line must
    // carry the function and the invocation id.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let host = standard(dir.path(), Recorder::default(), false)
        .await
        .start()
        .await
        .unwrap();
    let response = client()
        .get(format!("{}/api/echo/x/1", host.front_door_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    host.shutdown().await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("azfn_local::function") && l.contains("echo called"))
        .unwrap_or_else(|| panic!("no printed handler log line in:\n{text}"));
    assert!(line.contains("function=echo"), "{line}");
    assert!(line.contains("invocation_id="), "{line}");
}
