//! `authLevel` is enforced with the keys file's keys.

use crate::support;

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn missing_or_wrong_keys_are_refused_and_right_keys_pass() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    write_app(
        dir.path(),
        host_json(),
        &[("ingest", ingest_fn()), ("echo", echo_fn("admin"))],
    );
    let keys_file = dir.path().join("keys.json");
    std::fs::write(
        &keys_file,
        json!({"masterKey": MASTER, "functionKeys": {"ingest": "ingest-only"}}).to_string(),
    )
    .unwrap();
    let url = support::test_handler::serve_in_process(recorder.clone()).await;
    let host = azfn_local::LocalHost::builder()
        .app_root(dir.path())
        .handler(azfn_local::Handler::Url(url))
        .http_port(0)
        .keys_file(&keys_file)
        .start()
        .await
        .unwrap();
    let base = host.front_door_url();
    let post = |key: Option<&str>| {
        let mut request = client().post(format!("{base}/api/items/t")).json(&json!({"id": "k"}));
        if let Some(key) = key {
            request = request.header("x-functions-key", key);
        }
        request.send()
    };
    assert_eq!(post(None).await.unwrap().status(), 401);
    assert_eq!(post(Some("wrong")).await.unwrap().status(), 401);
    assert_eq!(post(Some("ingest-only")).await.unwrap().status(), 202);
    assert_eq!(post(Some(MASTER)).await.unwrap().status(), 202);
    assert_eq!(
        recorder.of("ingest").len(),
        2,
        "refused requests never reach the handler"
    );

    let echo = format!("{base}/api/echo/a/1");
    assert_eq!(
        client()
            .get(&echo)
            .header("x-functions-key", "ingest-only")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let response = client().get(format!("{echo}?code={MASTER}")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let envelope: serde_json::Value = response.json().await.unwrap();
    assert_eq!(envelope["Data"]["req"]["Identities"][0]["Claims"][0]["Value"], "Admin");

    let admin = format!("{base}/admin/azfn-local/queues");
    assert_eq!(client().get(&admin).send().await.unwrap().status(), 401);
    assert_eq!(
        client()
            .get(&admin)
            .header("x-functions-key", "ingest-only")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        client()
            .get(&admin)
            .header("x-functions-key", MASTER)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    host.shutdown().await;
}
