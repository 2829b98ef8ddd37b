//! Retries, back-off, timeouts, errors and tokens against a scripted mock of Graph.

use crate::support;

use crate::support::{fast_policy, Mock, Reply, TOKEN};
use jitadmin_graph::{GraphClient, GraphConfig, GraphError, RateLimiter, RateLimits, RetryPolicy, StaticToken};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const USER: &str = "/v1.0/users/u1";

fn ok_user() -> Reply {
    Reply::json(200, json!({"id": "u1", "displayName": "Adele"}))
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        USER,
        Reply::error(429, "TooManyRequests").header("Retry-After", "3"),
    )
    .on("GET", USER, ok_user());
    let (client, waits) = mock.client(fast_policy());
    let v: serde_json::Value = client.get_json(USER).await.expect("second attempt succeeds");
    assert_eq!(v["id"], "u1");
    assert_eq!(*waits.lock().unwrap(), vec![Duration::from_secs(3)]);
    assert_eq!(mock.calls_to("GET", USER).len(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let mock = Mock::start().await;
    let when = (chrono::Utc::now() + chrono::Duration::seconds(120))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    mock.on(
        "GET",
        USER,
        Reply::error(503, "serviceUnavailable").header("Retry-After", &when),
    )
    .on("GET", USER, ok_user());
    let (client, waits) = mock.client(fast_policy());
    client.get_json::<serde_json::Value>(USER).await.expect("ok");
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] > Duration::from_secs(115) && waits[0] <= Duration::from_secs(120),
        "{waits:?}"
    );
}

#[tokio::test]
async fn throttling_without_retry_after_backs_off_exponentially_with_jitter() {
    let mock = Mock::start().await;
    for _ in 0..3 {
        mock.on("GET", USER, Reply::error(429, "TooManyRequests"));
    }
    mock.on("GET", USER, ok_user());
    let (client, waits) = mock.client(fast_policy());
    client.get_json::<serde_json::Value>(USER).await.expect("ok");
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 3);
    for (n, w) in waits.iter().enumerate() {
        let full = Duration::from_secs(1 << n);
        assert!(*w >= full / 2 && *w <= full, "wait {n} = {w:?}");
    }
}

#[tokio::test]
async fn attempts_are_bounded() {
    let mock = Mock::start().await;
    for _ in 0..10 {
        mock.on("GET", USER, Reply::error(503, "serviceUnavailable"));
    }
    let (client, waits) = mock.client(RetryPolicy {
        max_attempts: 4,
        ..fast_policy()
    });
    let err = client.get_json::<serde_json::Value>(USER).await.expect_err("gives up");
    assert_eq!(err.status(), Some(503));
    assert_eq!(mock.calls_to("GET", USER).len(), 4);
    assert_eq!(waits.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn total_delay_is_bounded() {
    let mock = Mock::start().await;
    for _ in 0..10 {
        mock.on(
            "GET",
            USER,
            Reply::error(429, "TooManyRequests").header("Retry-After", "100"),
        );
    }
    let (client, waits) = mock.client(RetryPolicy {
        max_total_delay: Duration::from_secs(250),
        ..fast_policy()
    });
    let err = client.get_json::<serde_json::Value>(USER).await.expect_err("gives up");
    assert_eq!(err.status(), Some(429));
    assert_eq!(
        *waits.lock().unwrap(),
        vec![Duration::from_secs(100), Duration::from_secs(100)]
    );
    assert_eq!(mock.calls_to("GET", USER).len(), 3);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for (status, code) in [
        (400, "BadRequest"),
        (401, "InvalidAuthenticationToken"),
        (403, "Authorization_RequestDenied"),
        (404, "Request_ResourceNotFound"),
        (409, "Conflict"),
    ] {
        let mock = Mock::start().await;
        mock.on("GET", USER, Reply::error(status, code))
            .on("GET", USER, ok_user());
        let (client, waits) = mock.client(fast_policy());
        let err = client.get_json::<serde_json::Value>(USER).await.expect_err("fails");
        assert_eq!(err.status(), Some(status));
        assert_eq!(mock.calls_to("GET", USER).len(), 1, "{status} must not be retried");
        assert!(waits.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn errors_carry_code_message_and_request_ids() {
    let mock = Mock::start().await;
    mock.on("GET", USER, Reply::error(404, "Request_ResourceNotFound"));
    let (client, _) = mock.client(fast_policy());
    let err = client.get_json::<serde_json::Value>(USER).await.expect_err("404");
    let api = err.api().expect("api error");
    assert_eq!(api.code, "Request_ResourceNotFound");
    assert_eq!(api.message, "Request_ResourceNotFound happened");
    assert_eq!(api.request_id.as_deref(), Some("rid-404"));
    assert_eq!(api.client_request_id.as_deref(), Some("crid-from-body"));
    assert_eq!((api.method.as_str(), api.path.as_str()), ("GET", USER));
    // We send a client-request-id of our own on every request.
    assert!(mock.calls()[0].headers.contains_key("client-request-id"));
}

#[tokio::test]
async fn internal_server_errors_are_retried_at_most_twice() {
    let mock = Mock::start().await;
    for _ in 0..5 {
        mock.on("GET", USER, Reply::error(500, "generalException"));
    }
    let (client, _) = mock.client(fast_policy());
    let err = client.get_json::<serde_json::Value>(USER).await.expect_err("gives up");
    assert_eq!(err.status(), Some(500));
    assert_eq!(mock.calls_to("GET", USER).len(), 3);
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let mock = Mock::start().await;
    mock.on("GET", USER, Reply::Drop).on("GET", USER, ok_user());
    let (client, waits) = mock.client(fast_policy());
    client
        .get_json::<serde_json::Value>(USER)
        .await
        .expect("retried after the drop");
    assert_eq!(mock.calls_to("GET", USER).len(), 2);
    assert_eq!(waits.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_unreachable_graph_is_retried_then_reported_as_transport() {
    // A socket bound but never listening: the port stays ours for the whole test (no other
    // process can take it) and every connection to it is refused.
    let reserved = tokio::net::TcpSocket::new_v4().expect("socket");
    reserved.bind(([127, 0, 0, 1], 0).into()).expect("bind");
    let port = reserved.local_addr().expect("addr").port();
    let (sleep, waits) = support::recording_sleep();
    let config = GraphConfig {
        base_url: format!("http://127.0.0.1:{port}"),
        retry: RetryPolicy {
            max_attempts: 3,
            ..fast_policy()
        },
        intune_limits: None,
        ..GraphConfig::default()
    };
    let client = GraphClient::builder(StaticToken::new(TOKEN))
        .config(config)
        .sleep_fn(sleep)
        .build()
        .expect("client");
    let err = client
        .get_json::<serde_json::Value>(USER)
        .await
        .expect_err("unreachable");
    assert!(matches!(err, GraphError::Transport { attempts: 3, .. }), "{err:?}");
    assert_eq!(waits.lock().unwrap().len(), 2);
    drop(reserved);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried() {
    let mock = Mock::start().await;
    mock.on("GET", USER, Reply::Delay(Duration::from_secs(3), Box::new(ok_user())))
        .on("GET", USER, ok_user());
    let config = GraphConfig {
        timeout: Duration::from_millis(200),
        ..mock.config()
    };
    let (client, _) = mock.client_with(config);
    client
        .get_json::<serde_json::Value>(USER)
        .await
        .expect("second attempt is fast");
    assert_eq!(mock.calls_to("GET", USER).len(), 2);
}

#[tokio::test]
async fn timeouts_are_bounded_and_typed() {
    let mock = Mock::start().await;
    for _ in 0..3 {
        mock.on("GET", USER, Reply::Delay(Duration::from_secs(3), Box::new(ok_user())));
    }
    let config = GraphConfig {
        timeout: Duration::from_millis(150),
        retry: RetryPolicy {
            max_attempts: 2,
            ..fast_policy()
        },
        ..mock.config()
    };
    let (client, _) = mock.client_with(config);
    let err = client.get_json::<serde_json::Value>(USER).await.expect_err("too slow");
    assert!(matches!(err, GraphError::Timeout { attempts: 2, .. }), "{err:?}");
}

#[tokio::test]
async fn tokens_are_asked_for_the_configured_scope_and_sent_as_bearer() {
    let mock = Mock::start().await;
    mock.on("GET", USER, ok_user());
    let token = StaticToken::new(TOKEN);
    let config = GraphConfig {
        scope: "https://graph.microsoft.us/.default".into(),
        ..mock.config()
    };
    let client = GraphClient::new(config, token.clone()).expect("client");
    client.get_json::<serde_json::Value>(USER).await.expect("ok");
    assert_eq!(
        token.requested_scopes(),
        vec!["https://graph.microsoft.us/.default".to_string()]
    );
    let auth = mock.calls()[0]
        .headers
        .get("authorization")
        .expect("auth")
        .to_str()
        .expect("ascii")
        .to_string();
    assert_eq!(auth, format!("Bearer {TOKEN}"));
}

#[tokio::test]
async fn the_default_scope_is_graphs() {
    let token = StaticToken::new(TOKEN);
    let mock = Mock::start().await;
    mock.on("GET", USER, ok_user());
    let client = GraphClient::new(
        GraphConfig {
            scope: GraphConfig::default().scope,
            ..mock.config()
        },
        token.clone(),
    )
    .expect("client");
    client.get_json::<serde_json::Value>(USER).await.expect("ok");
    assert_eq!(
        token.requested_scopes(),
        vec!["https://graph.microsoft.com/.default".to_string()]
    );
}

#[tokio::test]
async fn intune_calls_go_through_the_limiter_and_others_do_not() {
    let mock = Mock::start().await;
    let sync = "/v1.0/deviceManagement/managedDevices/d1/syncDevice";
    mock.on("POST", sync, Reply::empty(204))
        .on("POST", sync, Reply::empty(204))
        .on("GET", USER, ok_user());
    let limiter = Arc::new(RateLimiter::new(RateLimits {
        writes: 1,
        requests: 10,
        window: Duration::from_secs(60),
    }));
    let (sleep, _) = support::recording_sleep();
    let client = GraphClient::builder(StaticToken::new(TOKEN))
        .config(mock.config())
        .intune_limiter(limiter)
        .sleep_fn(sleep)
        .build()
        .expect("client");
    assert!(matches!(
        client.sync_device("d1").await,
        jitadmin_graph::devices::SyncOutcome::Requested
    ));
    let second = tokio::time::timeout(Duration::from_millis(300), client.sync_device("d1")).await;
    assert!(second.is_err(), "the second write must wait for the window");
    let read = tokio::time::timeout(Duration::from_millis(300), client.get_json::<serde_json::Value>(USER)).await;
    assert!(read.expect("not limited").is_ok());
    assert_eq!(mock.calls_to("POST", sync).len(), 1);
}
