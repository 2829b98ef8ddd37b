//! The sim holds Graph traffic to Graph's metadata: members of evolvable enums after
//! `unknownFutureValue` reach only clients that ask for them, as Graph does.

use std::time::Duration;

use crate::support::*;
use serde_json::Value;
use tenant_sim::NewRequest;

const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";

async fn request_type(sim: &tenant_sim::TenantSim, id: &str, prefer: Option<&str>) -> String {
    let mut request = http()
        .get(format!(
            "{}/v1.0/identityGovernance/entitlementManagement/assignmentRequests/{id}",
            sim.graph_url()
        ))
        .bearer_auth(graph_token(sim));
    if let Some(prefer) = prefer {
        request = request.header("Prefer", prefer);
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    body["requestType"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn an_approver_removal_reads_as_unknown_future_value_unless_the_client_asks() {
    let sim = demo().await;
    let id = sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).unwrap();
    sim.wait_for_request(&id, Duration::from_secs(10), |r| r.state == "delivered")
        .await
        .unwrap();
    let assignment = sim.assignments().into_iter().next().expect("an assignment");
    let removal = sim.remove_assignment_as(&assignment.id, "approverRemove").unwrap();
    assert_eq!(request_type(&sim, &removal, None).await, "unknownFutureValue");
    assert_eq!(
        request_type(&sim, &removal, Some("include-unknown-enum-members")).await,
        "approverRemove"
    );
    assert_eq!(
        request_type(&sim, &removal, Some("return=minimal, include-unknown-enum-members")).await,
        "approverRemove",
        "one preference among others"
    );
    assert!(
        sim.conformance_violations().is_empty(),
        "{:?}",
        sim.conformance_violations()
    );
}
