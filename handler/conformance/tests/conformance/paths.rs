//! Paths and query options: jitadmin's real ones resolve; unknown names are reported.

use graph_conformance::{check, Direction, FindingKind};
use serde_json::json;

fn get(url: &str) -> graph_conformance::Report {
    check("GET", url, None, Direction::Request)
}

#[test]
fn jitadmin_paths_and_queries_resolve() {
    let em = "/v1.0/identityGovernance/entitlementManagement";
    for url in [
        format!("/v1.0/users/adele%40contoso.com?$select={}", jitadmin_graph::users::USER_SELECT),
        "/v1.0/users/u/manager?$select=id,displayName,mail,userPrincipalName,department".into(),
        format!("/v1.0/users/u/managedDevices?$select={}", jitadmin_graph::devices::DEVICE_SELECT),
        "/v1.0/groups/g/members?$select=id,displayName,userPrincipalName".into(),
        "/v1.0/groups/delta?$filter=id%20eq%20'g'&$select=members".into(),
        "/v1.0/groups/g?$select=id,securityIdentifier".into(),
        format!("{em}/assignments?$filter=accessPackage%2Fid%20eq%20'a'%20and%20target%2FobjectId%20eq%20'u'&$expand=target"),
        format!("{em}/assignmentRequests?$filter=accessPackage%2Fid%20eq%20'a'&$expand=requestor"),
        format!("{em}/assignmentRequests/r"),
        format!("{em}/assignmentPolicies/p?$expand=accessPackage,customExtensionStageSettings($expand=customExtension)"),
        format!("{em}/catalogs/c/customWorkflowExtensions"),
        "/v1.0/roleManagement/entitlementManagement/roleAssignments?$filter=appScopeId%20eq%20'%2FAccessPackageCatalog%2Fc'".into(),
        "/v1.0/subscriptions".into(),
        "/v1.0/subscriptions/s".into(),
        "/v1.0/users('u')/microsoft.graph.user/memberOf/$count".into(),
        "/v1.0/groups/g/members/microsoft.graph.user?$filter=startswith(displayName,'a')&$orderby=displayName".into(),
        "/v1.0/groups?$filter=members/any(m:m/id%20eq%20'u')".into(),
        "/v1.0/me/messages?$top=5".into(),
    ] {
        let r = get(&url);
        assert!(r.is_clean(), "{url}\n{r}");
    }
    for (method, url) in [
        ("POST", "/v1.0/users/u/sendMail"),
        ("POST", "/v1.0/subscriptions/s/reauthorize"),
        (
            "POST",
            "/v1.0/deviceManagement/managedDevices/d/microsoft.graph.syncDevice",
        ),
        ("DELETE", "/v1.0/groups/g/members/m/$ref"),
    ] {
        let r = check(method, url, None, Direction::Request);
        assert!(!r.has(FindingKind::UnknownSegment), "{url}\n{r}");
    }
}

#[test]
fn an_unknown_navigation_is_reported_with_a_suggestion() {
    let r = get("/v1.0/users/u/managedDevicez");
    let f = r.of_kind(FindingKind::UnknownSegment);
    assert_eq!(f.len(), 1, "{r}");
    assert!(f[0].message.contains("microsoft.graph.user"), "{r}");
    assert!(f[0].message.contains("did you mean \"managedDevices\"?"), "{r}");
    assert!(get("/v1.0/userz/u").has(FindingKind::UnknownSegment));
    assert!(get("/v2.0/users").has(FindingKind::BadUrl));
}

#[test]
fn unknown_query_names_are_reported() {
    assert!(get("/v1.0/users/u?$select=id,departmnet").has(FindingKind::UnknownSelect));
    assert!(get("/v1.0/groups/g?$expand=memberz").has(FindingKind::UnknownExpand));
    assert!(get("/v1.0/groups/delta?$filter=idd%20eq%20'g'").has(FindingKind::UnknownFilterProperty));
    assert!(get("/v1.0/users?$selct=id").has(FindingKind::UnknownQueryOption));
    assert!(get("/v1.0/users?$top=ten").has(FindingKind::BadQueryValue));
    let em = "/v1.0/identityGovernance/entitlementManagement/assignments";
    assert!(get(&format!("{em}?$filter=target%2FobjectIdd%20eq%20'u'")).has(FindingKind::UnknownFilterProperty));
}

#[test]
fn ref_bodies_name_one_entity_of_the_navigation_target() {
    let url = "/v1.0/groups/g/members/$ref";
    let good = json!({"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/u"});
    assert!(check("POST", url, Some(&good), Direction::Request).is_clean());
    let r = check(
        "POST",
        url,
        Some(&json!({"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects"})),
        Direction::Request,
    );
    assert!(r.has(FindingKind::WrongJsonType), "{r}");
    let r = check("POST", url, Some(&json!({"id": "u"})), Direction::Request);
    assert!(
        r.has(FindingKind::MissingProperty) && r.has(FindingKind::UnknownProperty),
        "{r}"
    );
}

#[test]
fn select_limits_what_an_answer_may_carry() {
    let url = "/v1.0/users/u?$select=id,displayName";
    let ok = json!({"@odata.context": "x", "id": "u", "displayName": "Adele"});
    assert!(check("GET", url, Some(&ok), Direction::Response { status: 200 }).is_clean());
    let extra = json!({"id": "u", "displayName": "Adele", "mail": "a@b"});
    let r = check("GET", url, Some(&extra), Direction::Response { status: 200 });
    assert!(r.has(FindingKind::NotSelected), "{r}");
}

#[test]
fn error_answers_have_graph_error_shape() {
    let good = json!({"error": {"code": "Request_ResourceNotFound", "message": "gone", "innerError": {"date": "x"}}});
    assert!(check("GET", "/v1.0/users/u", Some(&good), Direction::Response { status: 404 }).is_clean());
    let bad = json!({"code": "x", "message": "y"});
    assert!(check("GET", "/v1.0/users/u", Some(&bad), Direction::Response { status: 404 }).has(FindingKind::BadError));
}
