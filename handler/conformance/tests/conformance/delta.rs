//! Delta answers and evolvable enums.

use graph_conformance::{check, check_with, Direction, FindingKind, Options};
use serde_json::json;

const DELTA: &str = "/v1.0/groups/delta?$filter=id%20eq%20'g'&$select=members";

#[test]
fn a_group_delta_page_with_removed_members_is_clean() {
    let page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
        "@odata.deltaLink": "https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=abc",
        "value": [{
            "id": "2f2a1c7e-1111-2222-3333-444455556666",
            "members@delta": [
                {"@odata.type": "#microsoft.graph.user", "id": "632f6bb2-2b4e-4c1e-9a57-3b7f1c1e0f11", "@removed": {"reason": "deleted"}},
                {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "37de1ae3-9c2b-4a6e-8a51-7f0e2d3c4b5a"}
            ]
        }]
    });
    let r = check("GET", DELTA, Some(&page), Direction::Response { status: 200 });
    assert!(r.is_clean(), "{r}");
}

#[test]
fn delta_annotations_are_checked() {
    let page = json!({"value": [{
        "id": "g",
        "memberz@delta": [],
        "members@delta": [{"id": "u", "@removed": {"reason": "vanished"}}],
        "@deleted": true
    }]});
    let r = check("GET", DELTA, Some(&page), Direction::Response { status: 200 });
    assert!(r.has(FindingKind::UnknownProperty), "{r}");
    assert!(r.has(FindingKind::UnknownAnnotation), "{r}");
    assert!(r.to_string().contains("vanished"), "{r}");
}

fn request(request_type: &str) -> serde_json::Value {
    json!({"id": "r", "requestType": request_type, "state": "delivered", "status": "Delivered"})
}

const REQUEST: &str = "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/r";

#[test]
fn an_evolvable_member_needs_the_prefer_header() {
    let members = graph_conformance::evolvable_members("microsoft.graph.accessPackageRequestType").expect("enum");
    assert!(members.contains(&"approverRemove"), "{members:?}");
    let ok = Direction::Response { status: 200 };
    let r = check("GET", REQUEST, Some(&request("approverRemove")), ok);
    let f = r.of_kind(FindingKind::UnrequestedEnumMember);
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0].pointer, "/requestType");
    assert!(f[0].message.contains("Prefer: include-unknown-enum-members"), "{r}");
    let asked = Options::from_headers([("Prefer", "odata.maxpagesize=10, include-unknown-enum-members")]);
    assert!(asked.include_unknown_enum_members);
    assert!(check_with("GET", REQUEST, Some(&request("approverRemove")), ok, &asked).is_clean());
    // The sentinel itself and the members before it are always fine.
    assert!(check("GET", REQUEST, Some(&request("unknownFutureValue")), ok).is_clean());
    assert!(check("GET", REQUEST, Some(&request("adminRemove")), ok).is_clean());
    let r = check("GET", REQUEST, Some(&request("AdminRemove")), ok);
    assert!(
        r.has(FindingKind::NotAnEnumMember),
        "answers use the declared case: {r}"
    );
}
