//! What `callout` refuses before anything is queued: a callout for an access package that
//! jitadmin does not manage (403, audited, nothing queued, decided, posted or counted), and a
//! `callbackUriPath` that is not this request's documented resume path (400, audited).

use crate::callout_support::invoke::callout;
use crate::callout_support::{fixture, start};
use serde_json::Value;

/// The package of the created-stage fixtures.
const FIXTURE_PACKAGE: &str = "b1b7e2f4-5a1c-4f4e-9a43-7c0f0a6e4d21";
/// Another package, which jitadmin is told to manage.
const OURS: &str = "55555555-0000-4000-8000-000000000001";
const REQUEST: &str = "3cbea889-0b4f-4d07-9a3c-2f14dbb13565";

fn created(edit: impl FnOnce(&mut Value)) -> String {
    let mut body: Value = serde_json::from_str(&fixture("callout-created-pascalcase.json")).unwrap();
    edit(&mut body);
    body.to_string()
}

#[tokio::test]
async fn a_callout_for_an_unmanaged_package_is_refused_with_403_and_audited() {
    let t = start(&[("JITADMIN_ACCESS_PACKAGES", OURS)]).await;
    let auth = t.bearer();
    let answer = callout(&t.router, &[("Authorization", &auth)], &created(|_| {})).await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(answer.body["status"], 403);
    assert!(answer.body["type"]
        .as_str()
        .unwrap_or_default()
        .ends_with("unmanaged-access-package"));
    assert!(answer.messages.is_empty(), "nothing queued");
    let trail = t.app.store().audit_by_request(REQUEST).await.unwrap();
    let refused: Vec<_> = trail.iter().map(|r| r.event.action.as_str()).collect();
    assert_eq!(refused, ["callout.refused.unmanaged-package"]);
    assert_eq!(trail[0].event.detail["accessPackage"], FIXTURE_PACKAGE);

    // The same callout for a managed package is queued.
    let ours = created(|b| b["AccessPackage"]["Id"] = Value::from(OURS));
    let answer = callout(&t.router, &[("Authorization", &auth)], &ours).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.messages.len(), 1);
}

#[tokio::test]
async fn the_older_setting_name_still_names_the_managed_packages() {
    let t = start(&[("JITADMIN_WATCH_ACCESS_PACKAGES", OURS)]).await;
    let auth = t.bearer();
    let answer = callout(&t.router, &[("Authorization", &auth)], &created(|_| {})).await;
    assert_eq!(answer.status, 403, "{}", answer.body);
}

#[tokio::test]
async fn a_callback_path_that_is_not_this_requests_resume_is_refused_with_400() {
    let t = start(&[]).await;
    let auth = t.bearer();
    let em = "/identityGovernance/entitlementManagement/assignmentRequests";
    for path in [
        format!("{em}/{REQUEST}/.%2e/%2e./groups/g/resume"),
        format!("{em}/{REQUEST}/%2e%2e/%2e%2e/%2e%2e/groups/g/resume"),
        format!("{em}/0000aaaa-0b4f-4d07-9a3c-2f14dbb13565/resume"),
        "/groups/g/resume".to_string(),
        format!("{em}/{REQUEST}/resume?x=<script>"),
    ] {
        let body = created(|b| b["CallbackUriPath"] = Value::from(path.clone()));
        let answer = callout(&t.router, &[("Authorization", &auth)], &body).await;
        assert_eq!(answer.status, 400, "{path}: {}", answer.body);
        assert_eq!(answer.body["field"], "callbackUriPath", "{path}");
        assert!(answer.messages.is_empty(), "{path}: nothing queued");
        assert!(!answer.body.to_string().contains("<script>"), "never echoed");
    }
    let trail = t.app.store().audit_by_request(REQUEST).await.unwrap();
    assert_eq!(trail.len(), 5);
    assert!(trail.iter().all(|r| r.event.action == "callout.refused.callback-path"));

    // The documented shape, with or without a version prefix, is accepted.
    for path in [format!("{em}/{REQUEST}/resume"), format!("/beta{em}/{REQUEST}/resume")] {
        let body = created(|b| b["CallbackUriPath"] = Value::from(path.clone()));
        let answer = callout(&t.router, &[("Authorization", &auth)], &body).await;
        assert_eq!(answer.status, 202, "{path}: {}", answer.body);
    }
}
