//! Graph first slice: users, managers, groups, members, paging and membership changes.

use crate::support::*;
use serde_json::{json, Value};
use tenant_sim::{MembershipChangeKind, User};

#[tokio::test]
async fn user_by_upn_returns_default_properties_without_department() {
    let sim = demo().await;
    let resp = graph_get(&sim, "/v1.0/users/adele.vance@contoso.example").await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["id"], ADELE);
    assert_eq!(body["displayName"], "Adele Vance");
    assert_eq!(body["jobTitle"], "IT Administrator");
    assert!(body.get("department").is_none(), "department only with $select");
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/v1.0/$metadata#users/$entity"));
}

#[tokio::test]
async fn select_returns_exactly_the_selected_properties() {
    let sim = demo().await;
    let path = format!("/v1.0/users/{ALEX}?$select=id,displayName,department,userType,accountEnabled");
    let body: Value = graph_get(&sim, &path).await.json().await.unwrap();
    assert_eq!(body["department"], "Finance");
    assert_eq!(body["userType"], "Member");
    assert_eq!(body["accountEnabled"], true);
    let keys: Vec<&String> = body
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !k.starts_with('@'))
        .collect();
    assert_eq!(keys.len(), 5, "{body}");
}

#[tokio::test]
async fn unknown_selected_property_is_a_bad_request() {
    let sim = demo_recording().await;
    let resp = graph_get(&sim, &format!("/v1.0/users/{ALEX}?$select=id,nope")).await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Request_BadRequest");
    assert_nonconforming(&sim, "\"nope\"");
}

#[tokio::test]
async fn manager_is_returned_as_a_directory_object() {
    let sim = demo().await;
    let body: Value = graph_get(
        &sim,
        &format!("/v1.0/users/{ALEX}/manager?$select=id,displayName,mail,department"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["id"], LYNNE);
    assert_eq!(body["department"], "Finance");
    assert_eq!(body["@odata.type"], "#microsoft.graph.user");
}

#[tokio::test]
async fn user_without_manager_gets_404_in_graph_shape_with_request_ids() {
    let sim = demo().await;
    let resp = http()
        .get(format!("{}/v1.0/users/{MEGAN}/manager", sim.graph_url()))
        .bearer_auth(graph_token(&sim))
        .header("client-request-id", "my-correlation")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let request_id = resp.headers()["request-id"].to_str().unwrap().to_owned();
    assert_eq!(resp.headers()["client-request-id"], "my-correlation");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(body["error"]["innerError"]["request-id"], request_id.as_str());
    assert_eq!(body["error"]["innerError"]["client-request-id"], "my-correlation");
}

#[tokio::test]
async fn missing_user_is_request_resource_not_found() {
    let sim = demo().await;
    let resp = graph_get(&sim, "/v1.0/users/nobody@contoso.example").await;
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("nobody@contoso.example"));
}

#[tokio::test]
async fn group_is_served_on_v1_and_beta() {
    let sim = demo().await;
    for version in ["v1.0", "beta"] {
        let body: Value = graph_get(&sim, &format!("/{version}/groups/{ADMINS}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["displayName"], "JIT Local Admins");
        assert_eq!(body["securityEnabled"], true);
        assert!(body["@odata.context"]
            .as_str()
            .unwrap()
            .contains(&format!("/{version}/$metadata#groups")));
    }
}

#[tokio::test]
async fn members_are_paged_with_next_links_until_exhausted() {
    let sim = demo().await;
    let mut url = format!(
        "{}/v1.0/groups/{APPROVERS}/members?$top=2&$select=id,displayName",
        sim.graph_url()
    );
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let body: Value = http()
            .get(&url)
            .bearer_auth(graph_token(&sim))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        for m in body["value"].as_array().unwrap() {
            assert_eq!(m["@odata.type"], "#microsoft.graph.user");
            ids.push(m["id"].as_str().unwrap().to_owned());
        }
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(ids, vec![MEGAN, ADELE, LEE]);
}

#[tokio::test]
async fn adding_and_removing_members_changes_state_and_logs_changes() {
    let sim = demo().await;
    let token = graph_token(&sim);
    let add = http()
        .post(format!("{}/v1.0/groups/{ADMINS}/members/$ref", sim.graph_url()))
        .bearer_auth(&token)
        .json(&json!({ "@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{ALEX}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(add.status(), 204);
    assert_eq!(sim.group_members(ADMINS).unwrap(), vec![ADELE, ALEX]);

    let again = http()
        .post(format!("{}/v1.0/groups/{ADMINS}/members/$ref", sim.graph_url()))
        .bearer_auth(&token)
        .json(&json!({ "@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{ALEX}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400, "already a member");

    let remove = http()
        .delete(format!("{}/v1.0/groups/{ADMINS}/members/{ALEX}/$ref", sim.graph_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(remove.status(), 204);
    let gone = http()
        .delete(format!("{}/v1.0/groups/{ADMINS}/members/{ALEX}/$ref", sim.graph_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);

    let log = sim.membership_changes(ADMINS);
    let kinds: Vec<_> = log.iter().map(|c| (c.member_id.as_str(), c.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (ALEX, MembershipChangeKind::Added),
            (ALEX, MembershipChangeKind::Removed)
        ]
    );
    assert!(log[0].seq < log[1].seq);
}

#[tokio::test]
async fn users_seeded_at_run_time_are_served() {
    let sim = demo().await;
    sim.add_user(User {
        id: "u-new".into(),
        user_principal_name: "new@contoso.example".into(),
        display_name: "New Hire".into(),
        manager_id: Some(ADELE.into()),
        ..User::default()
    })
    .unwrap();
    let body: Value = graph_get(&sim, "/v1.0/users/new@contoso.example/manager")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["id"], ADELE);
}
