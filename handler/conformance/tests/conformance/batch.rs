//! `$batch`: jitadmin's syncDevice batch and its answer.

use graph_conformance::{check, check_batch_response, Direction, FindingKind, Options};
use jitadmin_graph::batch::BatchRequest;
use serde_json::json;

fn sync(id: &str, n: usize) -> BatchRequest {
    BatchRequest::new(
        n.to_string(),
        "POST",
        format!("/deviceManagement/managedDevices/{id}/syncDevice"),
    )
}

#[test]
fn two_sync_device_calls_are_clean() {
    let body = json!({ "requests": [sync("d1", 1), sync("d2", 2)] });
    let r = check(
        "POST",
        "https://graph.microsoft.com/v1.0/$batch",
        Some(&body),
        Direction::Request,
    );
    assert!(r.is_clean(), "{r}");
    let answer = json!({"responses": [
        {"id": "2", "status": 204, "headers": {}},
        {"id": "1", "status": 429, "headers": {"Retry-After": "7"}, "body": {"error": {"code": "TooManyRequests", "message": "slow down"}}}
    ]});
    let r = check_batch_response("v1.0", &body, &answer, &Options::default());
    assert!(r.is_clean(), "{r}");
}

#[test]
fn a_bad_inner_url_is_reported_at_its_item() {
    let body = json!({ "requests": [sync("d1", 1), BatchRequest::new("2", "POST", "/deviceManagement/managedDevicez/d2/syncDevice")] });
    let r = check("POST", "/v1.0/$batch", Some(&body), Direction::Request);
    let f = r.of_kind(FindingKind::UnknownSegment);
    assert_eq!(f.len(), 1, "{r}");
    assert!(f[0].pointer.starts_with("/requests/1/url"), "{r}");
}

#[test]
fn the_envelope_is_checked() {
    let body = json!({ "requests": [
        {"id": "1", "method": "POST", "url": "https://graph.microsoft.com/v1.0/users/u/sendMail"},
        {"id": "1", "method": "PATCH", "url": "/users/u", "body": {"jobTitle": "x"}},
        {"id": "3", "method": "GET", "url": "/users/u", "dependsOn": ["9"]}
    ]});
    let r = check("POST", "/v1.0/$batch", Some(&body), Direction::Request);
    assert_eq!(r.of_kind(FindingKind::BadBatch).len(), 4, "{r}");
    let inner = json!({ "requests": [
        {"id": "1", "method": "PATCH", "url": "/subscriptions/s", "headers": {"Content-Type": "application/json"}, "body": {"expirationDateTim": "2025-07-20T10:00:00Z"}}
    ]});
    let r = check("POST", "/v1.0/$batch", Some(&inner), Direction::Request);
    let f = r.of_kind(FindingKind::UnknownProperty);
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0].pointer, "/requests/0/body/expirationDateTim", "{r}");
}

#[test]
fn answers_pair_with_requests_by_id() {
    let body = json!({ "requests": [sync("d1", 1)] });
    let r = check_batch_response(
        "v1.0",
        &body,
        &json!({"responses": [{"id": "7", "status": 204}]}),
        &Options::default(),
    );
    assert_eq!(r.of_kind(FindingKind::BadBatch).len(), 2, "{r}");
}
