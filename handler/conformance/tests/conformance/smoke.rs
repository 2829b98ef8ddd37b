use graph_conformance::{check, Direction};
use serde_json::json;

#[test]
fn parse_time_and_a_first_check() {
    let t = std::time::Instant::now();
    let members = graph_conformance::enum_members("accessPackageRequestType").expect("enum");
    eprintln!("metadata parsed in {:?}", t.elapsed());
    assert!(members.contains(&"approverRemove") || !members.is_empty());
    let body = json!({
        "source": "jitadmin",
        "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": "assignmentRequestExploded",
            "customExtensionStageInstanceId": "i-1",
            "customExtensionStageInstanceDetail": "ok",
            "sourse": 3
        }
    });
    let r = check(
        "POST",
        "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/r/resume",
        Some(&body),
        Direction::Request,
    );
    eprintln!("{r}");
}
