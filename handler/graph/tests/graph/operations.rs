//! Users, managers, groups, subscriptions, entitlement reads and mail against the mock.

use crate::support::{fast_policy, Mock, Reply};
use jitadmin_graph::mail::Mail;
use jitadmin_graph::subscriptions::{group_subscription_expiry, NewSubscription};
use jitadmin_graph::GraphError;
use serde_json::json;

fn fixture(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture");
    serde_json::from_str(&text).expect("json")
}

#[tokio::test]
async fn a_user_is_read_with_the_facts_fields_selected() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        "/v1.0/users/AdeleV@contoso.com",
        Reply::json(200, fixture("user-selected.json")),
    );
    let (client, _) = mock.client(fast_policy());
    let user = client.get_user("AdeleV@contoso.com").await.expect("user");
    assert_eq!(user.department.as_deref(), Some("Finance"));
    let q = mock.calls()[0].query.clone().unwrap_or_default();
    for f in [
        "department",
        "jobTitle",
        "accountEnabled",
        "employeeType",
        "createdDateTime",
    ] {
        assert!(q.contains(f), "{f} not selected in {q}");
    }
}

#[tokio::test]
async fn a_guest_upn_reaches_graph_encoded() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        "/v1.0/users/adele_fabrikam.com%23EXT%23@contoso.onmicrosoft.com",
        Reply::json(200, json!({"id": "g1"})),
    );
    let (client, _) = mock.client(fast_policy());
    let user = client
        .get_user("adele_fabrikam.com#EXT#@contoso.onmicrosoft.com")
        .await
        .expect("user");
    assert_eq!(user.id, "g1");
}

#[tokio::test]
async fn no_manager_is_none_not_an_error() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        "/v1.0/users/u1/manager",
        Reply::error(404, "Request_ResourceNotFound"),
    )
    .on(
        "GET",
        "/v1.0/users/u2/manager",
        Reply::json(200, fixture("manager.json")),
    );
    let (client, _) = mock.client(fast_policy());
    assert_eq!(client.get_manager("u1").await.expect("none"), None);
    let m = client.get_manager("u2").await.expect("some").expect("manager");
    assert_eq!(m.display_name.as_deref(), Some("Megan Bowen"));
}

#[tokio::test]
async fn members_are_added_and_removed_by_reference() {
    let mock = Mock::start().await;
    mock.on("POST", "/v1.0/groups/g1/members/$ref", Reply::empty(204))
        .on("POST", "/v1.0/groups/g1/members/$ref", Reply::Json { status: 400, headers: vec![], body: json!({"error": {"code": "Request_BadRequest", "message": "One or more added object references already exist for the following modified properties: 'members'."}}) })
        .on("DELETE", "/v1.0/groups/g1/members/u1/$ref", Reply::empty(204))
        .on("DELETE", "/v1.0/groups/g1/members/u1/$ref", Reply::error(404, "Request_ResourceNotFound"));
    let (client, _) = mock.client(fast_policy());
    assert!(client.add_group_member("g1", "u1").await.expect("added"));
    assert!(!client.add_group_member("g1", "u1").await.expect("already a member"));
    assert!(client.remove_group_member("g1", "u1").await.expect("removed"));
    assert!(!client.remove_group_member("g1", "u1").await.expect("not a member"));
    let add = &mock.calls()[0];
    assert_eq!(add.body["@odata.id"], format!("{}/v1.0/directoryObjects/u1", mock.base));
}

#[tokio::test]
async fn subscriptions_are_created_renewed_reauthorized_and_deleted() {
    let mock = Mock::start().await;
    mock.on(
        "POST",
        "/v1.0/subscriptions",
        Reply::json(201, fixture("subscription-created.json")),
    )
    .on(
        "PATCH",
        "/v1.0/subscriptions/s1",
        Reply::json(200, fixture("subscription-created.json")),
    )
    .on("POST", "/v1.0/subscriptions/s1/reauthorize", Reply::empty(204))
    .on("DELETE", "/v1.0/subscriptions/s1", Reply::empty(204))
    .on(
        "DELETE",
        "/v1.0/subscriptions/s1",
        Reply::error(404, "ResourceNotFound"),
    )
    .on("GET", "/v1.0/subscriptions/s1", Reply::error(404, "ResourceNotFound"));
    let (client, _) = mock.client(fast_policy());
    let expiry = group_subscription_expiry(chrono::Utc::now());
    let new = NewSubscription {
        change_type: "updated,deleted".into(),
        notification_url: "https://fn.example/api/notifications".into(),
        lifecycle_notification_url: Some("https://fn.example/api/notifications".into()),
        resource: "groups/2f2a1c7e-1111-2222-3333-444455556666".into(),
        expiration_date_time: expiry,
        client_state: "state".into(),
        latest_supported_tls_version: None,
    };
    let created = client.create_subscription(&new).await.expect("created");
    assert_eq!(created.id, "7f105c7d-2dc5-4530-97cd-4e7ae6534c07");
    client.renew_subscription("s1", expiry).await.expect("renewed");
    client.reauthorize_subscription("s1").await.expect("reauthorized");
    assert!(client.delete_subscription("s1").await.expect("deleted"));
    assert!(!client.delete_subscription("s1").await.expect("already gone"));
    assert_eq!(client.get_subscription("s1").await.expect("none"), None);
    let calls = mock.calls();
    assert_eq!(calls[0].body["resource"], "groups/2f2a1c7e-1111-2222-3333-444455556666");
    assert_eq!(calls[0].body["clientState"], "state");
    assert!(calls[0].body.get("includeResourceData").is_none());
    assert!(calls[1].body["expirationDateTime"]
        .as_str()
        .is_some_and(|s| s.ends_with('Z')));
}

#[tokio::test]
async fn subscriptions_past_the_group_cap_or_with_a_long_client_state_are_refused_locally() {
    let mock = Mock::start().await;
    let (client, _) = mock.client(fast_policy());
    let mut new = NewSubscription {
        change_type: "updated".into(),
        notification_url: "https://fn.example/n".into(),
        lifecycle_notification_url: None,
        resource: "groups/g".into(),
        expiration_date_time: chrono::Utc::now() + chrono::Duration::days(30),
        client_state: "s".into(),
        latest_supported_tls_version: None,
    };
    assert!(matches!(
        client.create_subscription(&new).await,
        Err(GraphError::InvalidRequest(_))
    ));
    new.expiration_date_time = group_subscription_expiry(chrono::Utc::now());
    new.client_state = "x".repeat(129);
    assert!(matches!(
        client.create_subscription(&new).await,
        Err(GraphError::InvalidRequest(_))
    ));
    assert!(mock.calls().is_empty());
}

#[tokio::test]
async fn a_user_assignments_of_a_package_are_filtered_by_package_and_target() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        "/v1.0/identityGovernance/entitlementManagement/assignments",
        Reply::json(200, fixture("assignments-for-user.json")),
    );
    let (client, _) = mock.client(fast_policy());
    let a = client
        .list_user_assignments("ap1", "87d349ed-44d7-43e1-9a83-5f2406dee5bd")
        .await
        .expect("assignments");
    assert_eq!(a.len(), 1);
    let q = mock.calls()[0]
        .query
        .clone()
        .unwrap_or_default()
        .replace("%27", "'")
        .replace("%20", " ");
    assert!(
        q.contains("$filter=accessPackage/id eq 'ap1' and target/objectId eq '87d349ed"),
        "{q}"
    );
    assert!(q.contains("$expand=target"));
}

#[tokio::test]
async fn a_user_assignment_requests_are_matched_on_the_requestor() {
    let mock = Mock::start().await;
    let mut waiting = fixture("assignment-request-waiting.json");
    let mut other = waiting.clone();
    other["id"] = json!("other");
    other["requestor"]["objectId"] = json!("someone-else");
    waiting["id"] = json!("mine");
    mock.on(
        "GET",
        "/v1.0/identityGovernance/entitlementManagement/assignmentRequests",
        Reply::json(200, json!({"value": [waiting, other]})),
    );
    let (client, _) = mock.client(fast_policy());
    let r = client
        .list_user_assignment_requests("ap1", "87D349ED-44D7-43E1-9A83-5F2406DEE5BD")
        .await
        .expect("requests");
    assert_eq!(r.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), vec!["mine"]);
}

#[tokio::test]
async fn mail_is_sent_from_the_mailbox() {
    let mock = Mock::start().await;
    mock.on("POST", "/v1.0/users/jitadmin@contoso.com/sendMail", Reply::empty(202));
    let (client, _) = mock.client(fast_policy());
    let mail = Mail {
        subject: "Ready".into(),
        body: "Sign out and in.".into(),
        html: false,
        to: vec!["a@contoso.com".into()],
    };
    client.send_mail("jitadmin@contoso.com", &mail).await.expect("sent");
    assert_eq!(
        mock.calls()[0].body["message"]["toRecipients"][0]["emailAddress"]["address"],
        "a@contoso.com"
    );
}
