//! `enableForwardingHttpRequest`: HTTP-only functions get the original request.

use crate::support::*;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use azfn_local::{Handler, LocalHost};
use serde_json::{json, Value};

async fn raw_handler(request: Request) -> impl IntoResponse {
    let invocation = request.headers().get("x-azure-functions-invocationid").is_some();
    let auth = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let path = request.uri().to_string();
    let method = request.method().to_string();
    let body = axum::body::to_bytes(request.into_body(), 1024)
        .await
        .unwrap_or_default();
    let answer = json!({"path": path, "method": method, "auth": auth, "invocationHeader": invocation,
        "body": String::from_utf8_lossy(&body)});
    (StatusCode::IM_A_TEAPOT, axum::Json(answer))
}

#[tokio::test]
async fn http_only_functions_receive_the_original_request_and_answer_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let mut host = host_json();
    host["customHandler"] =
        json!({"description": {"defaultExecutablePath": "unused"}, "enableForwardingHttpRequest": true});
    write_app(
        dir.path(),
        host,
        &[(
            "messages",
            json!({"bindings": [
                {"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous", "methods": ["post"], "route": "teams/messages"},
                {"type": "http", "direction": "out", "name": "res"}
            ]}),
        )],
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, axum::Router::new().fallback(raw_handler)).await });
    let local = LocalHost::builder()
        .app_root(dir.path())
        .handler(Handler::Url(url))
        .http_port(0)
        .start()
        .await
        .unwrap();
    let response = client()
        .post(format!("{}/api/teams/messages?x=1", local.front_door_url()))
        .header("authorization", "Bearer abc")
        .body("{\"type\":\"invoke\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 418, "a non-2xx answer is passed through");
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["path"], "/api/teams/messages?x=1");
    assert_eq!(answer["method"], "POST");
    assert_eq!(answer["auth"], "Bearer abc");
    assert_eq!(answer["invocationHeader"], true);
    assert_eq!(answer["body"], "{\"type\":\"invoke\"}");
    local.shutdown().await;
}
