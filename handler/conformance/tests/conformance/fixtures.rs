//! jitadmin's Graph fixtures (`handler/graph/testdata`, `handler/events/testdata`): Microsoft's
//! documented examples and the bodies jitadmin sends, each checked with the URL jitadmin uses.

use graph_conformance::{check, check_batch_response, check_type, Direction, Options, Report};
use serde_json::Value;

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";

fn fixture(path: &str) -> Value {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn cases() -> Vec<(&'static str, &'static str, String, Direction)> {
    let ok = Direction::Response { status: 200 };
    let created = Direction::Response { status: 201 };
    let user_select = jitadmin_graph::users::USER_SELECT;
    let device_select = jitadmin_graph::devices::DEVICE_SELECT;
    vec![
        ("graph/testdata/assignment-policy-stage-settings-expanded.json", "GET", format!("{EM}/assignmentPolicies/p?$expand=accessPackage,customExtensionStageSettings($expand=customExtension)"), ok),
        ("graph/testdata/assignment-request-waiting.json", "GET", format!("{EM}/assignmentRequests/r"), ok),
        ("graph/testdata/assignments-for-user.json", "GET", format!("{EM}/assignments?$filter=accessPackage%2Fid%20eq%20'a'%20and%20target%2FobjectId%20eq%20'u'&$expand=target"), ok),
        ("graph/testdata/configuration-policies-list.json", "GET", "/beta/deviceManagement/configurationPolicies".into(), ok),
        ("graph/testdata/configuration-policy-assignments.json", "GET", "/beta/deviceManagement/configurationPolicies/p/assignments".into(), ok),
        ("graph/testdata/configuration-policy-local-admins-settings.json", "GET", "/beta/deviceManagement/configurationPolicies/p/settings".into(), ok),
        ("graph/testdata/custom-extension-request-workflow-created.json", "POST", format!("{EM}/catalogs/c/customWorkflowExtensions"), created),
        ("graph/testdata/custom-extensions-list.json", "GET", format!("{EM}/catalogs/c/customWorkflowExtensions"), ok),
        ("graph/testdata/em-role-assignment-created.json", "POST", "/v1.0/roleManagement/entitlementManagement/roleAssignments".into(), created),
        ("graph/testdata/em-role-assignments-catalog.json", "GET", "/v1.0/roleManagement/entitlementManagement/roleAssignments?$filter=appScopeId%20eq%20'/AccessPackageCatalog/c'".into(), ok),
        ("graph/testdata/error-429-too-many-requests.json", "GET", "/v1.0/users/u".into(), Direction::Response { status: 429 }),
        ("graph/testdata/group-members.json", "GET", "/v1.0/groups/g/members?$select=id,displayName,userPrincipalName".into(), ok),
        ("graph/testdata/groups-delta-last-page.json", "GET", "/v1.0/groups/delta?$filter=id%20eq%20'g'&$select=members".into(), ok),
        ("graph/testdata/managed-devices-page-1.json", "GET", format!("/v1.0/users/u/managedDevices?$select={device_select}"), ok),
        ("graph/testdata/managed-devices-page-2.json", "GET", format!("/v1.0/users/u/managedDevices?$select={device_select}"), ok),
        ("graph/testdata/manager.json", "GET", "/v1.0/users/u/manager?$select=id,displayName,mail,userPrincipalName,department".into(), ok),
        ("graph/testdata/resume-continue.json", "POST", format!("{EM}/assignmentRequests/r/resume"), Direction::Request),
        ("graph/testdata/resume-deny.json", "POST", format!("{EM}/assignmentRequests/r/resume"), Direction::Request),
        ("graph/testdata/send-mail-request.json", "POST", "/v1.0/users/u/sendMail".into(), Direction::Request),
        ("graph/testdata/subscription-created.json", "POST", "/v1.0/subscriptions".into(), created),
        ("graph/testdata/user-selected.json", "GET", format!("/v1.0/users/u?$select={user_select}"), ok),
        ("events/testdata/resume-continue-approved.json", "POST", format!("{EM}/assignmentRequests/r/resume"), Direction::Request),
        ("events/testdata/resume-deny-created.json", "POST", format!("{EM}/assignmentRequests/r/resume"), Direction::Request),
    ]
}

/// Every finding on the fixtures, one line each, prefixed with the fixture.
fn findings() -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |name: &str, r: Report| {
        out.extend(r.findings.iter().map(|f| format!("{name}: {f}")));
    };
    for (file, method, url, direction) in cases() {
        add(file, check(method, &url, Some(&fixture(file)), direction));
    }
    let batch_request = serde_json::json!({"requests": [
        {"id": "1", "method": "POST", "url": "/deviceManagement/managedDevices/a/syncDevice"},
        {"id": "2", "method": "POST", "url": "/deviceManagement/managedDevices/b/syncDevice"},
        {"id": "3", "method": "POST", "url": "/deviceManagement/managedDevices/c/syncDevice"},
    ]});
    let batch = "graph/testdata/batch-response-mixed.json";
    add(
        batch,
        check_batch_response("v1.0", &batch_request, &fixture(batch), &Options::default()),
    );
    for file in [
        "events/testdata/notification-group-membership-change.json",
        "events/testdata/notification-group-updated-no-members.json",
        "events/testdata/notification-lifecycle-mixed-events.json",
        "events/testdata/notification-lifecycle-reauthorization-required.json",
        "events/testdata/notification-mixed-client-state.json",
    ] {
        let r = check_type(
            "changeNotificationCollection",
            &fixture(file),
            Direction::Response { status: 200 },
            &Options::default(),
        );
        add(file, r);
    }
    out
}

/// What the checker reports on the fixtures (fixture, pointer, kind); each is listed in the
/// crate README with the reason. A new finding, or one that went away, fails the test.
const KNOWN: &[(&str, &str, &str)] = &[
    ("configuration-policy-local-admins-settings.json", "/value/0/settingInstance/auditRuleInformation", "UnknownProperty"),
    ("configuration-policy-local-admins-settings.json", "/value/0/settingInstance/groupSettingCollectionValue/0/children/0/auditRuleInformation", "UnknownProperty"),
    ("configuration-policy-local-admins-settings.json", "/value/0/settingInstance/groupSettingCollectionValue/0/children/0/groupSettingCollectionValue/0/children/0/auditRuleInformation", "UnknownProperty"),
    ("configuration-policy-local-admins-settings.json", "/value/0/settingInstance/groupSettingCollectionValue/0/children/0/groupSettingCollectionValue/0/children/1/auditRuleInformation", "UnknownProperty"),
    ("configuration-policy-local-admins-settings.json", "/value/0/settingInstance/groupSettingCollectionValue/0/children/0/groupSettingCollectionValue/0/children/2/auditRuleInformation", "UnknownProperty"),
    ("configuration-policy-local-admins-settings.json", "/value/0/settingInstance/groupSettingCollectionValue/0/children/0/groupSettingCollectionValue/0/children/2/choiceSettingValue/children/0/auditRuleInformation", "UnknownProperty"),
    ("groups-delta-last-page.json", "/value/0/displayName", "NotSelected"),
    ("managed-devices-page-1.json", "/value/0/isEncrypted", "NotSelected"),
    // A deliberately unknown lifecycle event, to test that jitadmin ignores it.
    ("notification-lifecycle-mixed-events.json", "/value/3/lifecycleEvent", "NotAnEnumMember"),
];

#[test]
fn fixtures_conform_except_for_the_known_findings() {
    let found = findings();
    let key = |(file, pointer, kind): &(&str, &str, &str)| format!("{file}: body {pointer}: {kind}:");
    let unexpected: Vec<&String> = found
        .iter()
        .filter(|f| !KNOWN.iter().any(|k| f.contains(&key(k))))
        .collect();
    let gone: Vec<String> = KNOWN
        .iter()
        .map(key)
        .filter(|k| !found.iter().any(|f| f.contains(k)))
        .collect();
    assert!(unexpected.is_empty(), "new findings:\n{unexpected:#?}");
    assert!(
        gone.is_empty(),
        "findings that went away (drop them from KNOWN):\n{gone:#?}"
    );
}
