//! Invoking functions through the router as the Functions host does, with
//! `azfn_runtime::testing`'s host-shaped invocations.

use azfn_runtime::testing::{HttpInvocation, ServiceBusInvocation, TestHost};
use azfn_runtime::OutputMessage;
use serde_json::Value;

/// What `callout` answered.
#[derive(Debug)]
pub struct CalloutAnswer {
    /// The HTTP output's status (what EM sees).
    pub status: u16,
    /// Its headers.
    pub headers: Value,
    /// Its body, parsed.
    pub body: Value,
    /// Messages written to the `events` output binding.
    pub messages: Vec<Value>,
}

/// What `process` answered.
#[derive(Debug)]
pub struct ProcessAnswer {
    /// The invocation's status: 200 = completed, else failed (retried by the host).
    pub status: u16,
    /// The problem of a failed invocation, else the outputs.
    pub body: Value,
}

/// POST a callout with these headers and body to `url`.
pub async fn callout_at(router: &axum::Router, url: &str, headers: &[(&str, &str)], body: &str) -> CalloutAnswer {
    let mut request = HttpInvocation::post(url).header("Content-Type", "application/json");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let reply = TestHost::from_router(router.clone())
        .invoke_with_id("callout", "inv-callout-1", request.text(body))
        .await;
    assert!(
        reply.succeeded(),
        "the callout invocation itself succeeds: {:?}",
        reply.problem
    );
    let res = reply.http("res").expect("an HTTP answer");
    CalloutAnswer {
        status: res.status_code,
        headers: serde_json::to_value(&res.headers).unwrap_or(Value::Null),
        body: serde_json::from_str(&res.body).unwrap_or(Value::String(res.body.clone())),
        messages: reply.messages("events").iter().map(OutputMessage::to_value).collect(),
    }
}

/// POST a callout to the default URL.
pub async fn callout(router: &axum::Router, headers: &[(&str, &str)], body: &str) -> CalloutAnswer {
    callout_at(router, super::CALLOUT_URL, headers, body).await
}

/// Deliver `message` (the value written to the output binding, `{"azfnMessage": ...}`) to
/// `process`, as the host does: the body, with the broker's properties beside it.
pub async fn process(router: &axum::Router, message: &Value, delivery_count: u32) -> ProcessAnswer {
    let delivery =
        ServiceBusInvocation::from_output(&OutputMessage::from_value(message)).delivery_count(delivery_count);
    let reply = TestHost::from_router(router.clone())
        .invoke_with_id("process", "inv-process-1", delivery)
        .await;
    let body = match &reply.problem {
        Some(problem) => serde_json::to_value(problem).unwrap_or(Value::Null),
        None => Value::Object(reply.outputs.clone()),
    };
    ProcessAnswer {
        status: reply.status,
        body,
    }
}
