//! Paging through nextLinks, devices across pages, and the group delta query.

use crate::support::{fast_policy, Mock, Reply};
use jitadmin_graph::GraphError;
use serde_json::{json, Value};

fn fixture(name: &str, base: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture");
    serde_json::from_str(&text.replace("https://graph.microsoft.com", base)).expect("json")
}

#[derive(Debug, serde::Deserialize)]
struct Item {
    id: String,
}

#[tokio::test]
async fn paging_collects_every_page_once_including_empty_ones() {
    let mock = Mock::start().await;
    let b = &mock.base;
    mock.on("GET", "/v1.0/groups/g1/members", Reply::json(200, json!({"value": [{"id": "a"}, {"id": "b"}], "@odata.nextLink": format!("{b}/v1.0/groups/g1/members?$skiptoken=p2")})))
        .on("GET", "/v1.0/groups/g1/members?$skiptoken=p2", Reply::json(200, json!({"value": [], "@odata.nextLink": format!("{b}/v1.0/groups/g1/members?$skiptoken=p3")})))
        .on("GET", "/v1.0/groups/g1/members?$skiptoken=p3", Reply::json(200, json!({"value": [{"id": "c"}]})));
    let (client, _) = mock.client(fast_policy());
    let all = client.get_all::<Item>("/v1.0/groups/g1/members").await.expect("pages");
    assert_eq!(
        all.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        vec!["a", "b", "c"]
    );
    assert_eq!(all.pages, 3);
    assert_eq!(mock.calls().len(), 3);
    assert_eq!(all.delta_link, None);
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        "/v1.0/users",
        Reply::json(
            200,
            json!({"value": [], "@odata.nextLink": "https://evil.example/v1.0/users?$skiptoken=x"}),
        ),
    );
    let (client, _) = mock.client(fast_policy());
    let err = client.get_all::<Item>("/v1.0/users").await.expect_err("foreign link");
    assert!(matches!(err, GraphError::InvalidRequest(_)));
    assert_eq!(mock.calls().len(), 1);
}

#[tokio::test]
async fn a_user_windows_devices_are_collected_across_pages_and_filtered() {
    let mock = Mock::start().await;
    let user = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
    let path = format!("/v1.0/users/{user}/managedDevices");
    mock.on(
        "GET",
        &path,
        Reply::json(200, fixture("managed-devices-page-1.json", &mock.base)),
    )
    .on(
        "GET",
        &format!("{path}?$skiptoken=RFNwdAIAAQAAAB"),
        Reply::json(200, fixture("managed-devices-page-2.json", &mock.base)),
    );
    let (client, _) = mock.client(fast_policy());
    let devices = client.list_user_windows_devices(user).await.expect("devices");
    let names: Vec<_> = devices.iter().filter_map(|d| d.device_name.as_deref()).collect();
    assert_eq!(names, vec!["FIN-LT-042", "FIN-WS-007"]);
    let first = &mock.calls()[0];
    assert!(first
        .query
        .as_deref()
        .is_some_and(|q| q.contains("$select=id,userId,deviceName,operatingSystem")));
    assert!(
        !first.query.as_deref().unwrap_or_default().contains("$filter"),
        "no server-side filter is trusted"
    );
}

#[tokio::test]
async fn delta_follows_next_links_merges_members_and_returns_the_delta_link() {
    let mock = Mock::start().await;
    let b = mock.base.clone();
    let g = "2f2a1c7e-1111-2222-3333-444455556666";
    mock.on(
        "GET",
        "/v1.0/groups/delta",
        Reply::json(
            200,
            json!({
                "@odata.nextLink": format!("{b}/v1.0/groups/delta?$skiptoken=page2"),
                "value": [{"id": g, "members@delta": [
                    {"@odata.type": "#microsoft.graph.user", "id": "u1"},
                    {"@odata.type": "#microsoft.graph.user", "id": "u2"}]},
                    {"id": "other-group", "members@delta": [{"id": "x"}]}]
            }),
        ),
    )
    .on(
        "GET",
        "/v1.0/groups/delta?$skiptoken=page2",
        Reply::json(200, fixture("groups-delta-last-page.json", &b)),
    )
    .on(
        "GET",
        "/v1.0/groups/delta?$skiptoken=page2",
        Reply::json(200, json!({})),
    );
    let (client, _) = mock.client(fast_policy());
    let round = client.group_members_delta(g, None).await.expect("delta");
    assert!(round
        .delta_link
        .starts_with(&format!("{b}/v1.0/groups/delta?$deltatoken=")));
    let summary: Vec<(String, bool)> = round.changes.iter().map(|c| (c.id.clone(), c.removed)).collect();
    assert_eq!(
        summary,
        vec![
            ("u1".to_string(), false),
            ("u2".to_string(), false),
            ("632f6bb2-2b4e-4c1e-9a57-3b7f1c1e0f11".to_string(), true),
            ("37de1ae3-9c2b-4a6e-8a51-7f0e2d3c4b5a".to_string(), false),
        ]
    );
    assert_eq!(round.pages, 2);
    let first = &mock.calls()[0];
    let query = first
        .query
        .as_deref()
        .unwrap_or_default()
        .replace("%27", "'")
        .replace("%20", " ");
    assert!(
        query.contains("$filter=id eq '2f2a1c7e-1111-2222-3333-444455556666'") && query.contains("$select=members"),
        "{query}"
    );
}

#[tokio::test]
async fn delta_from_a_stored_link_asks_that_link() {
    let mock = Mock::start().await;
    let link = format!("{}/v1.0/groups/delta?$deltatoken=abc", mock.base);
    mock.on(
        "GET",
        "/v1.0/groups/delta?$deltatoken=abc",
        Reply::json(
            200,
            json!({"value": [], "@odata.deltaLink": format!("{}/v1.0/groups/delta?$deltatoken=def", mock.base)}),
        ),
    );
    let (client, _) = mock.client(fast_policy());
    let round = client.group_members_delta("g", Some(&link)).await.expect("delta");
    assert!(round.changes.is_empty());
    assert!(round.delta_link.ends_with("$deltatoken=def"));
}

#[tokio::test]
async fn an_expired_delta_token_asks_for_a_full_resync() {
    for reply in [Reply::error(410, "Gone"), Reply::error(400, "syncStateNotFound")] {
        let mock = Mock::start().await;
        mock.on("GET", "/v1.0/groups/delta", reply);
        let (client, _) = mock.client(fast_policy());
        let link = format!("{}/v1.0/groups/delta?$deltatoken=old", mock.base);
        let err = client.group_members_delta("g", Some(&link)).await.expect_err("reset");
        assert!(matches!(err, GraphError::DeltaReset { .. }), "{err:?}");
        assert_eq!(mock.calls().len(), 1, "a reset is not retried");
    }
}

#[tokio::test]
async fn delta_without_a_final_delta_link_is_an_error() {
    let mock = Mock::start().await;
    mock.on("GET", "/v1.0/groups/delta", Reply::json(200, json!({"value": []})));
    let (client, _) = mock.client(fast_policy());
    assert!(matches!(
        client.group_members_delta("g", None).await,
        Err(GraphError::Decode { .. })
    ));
}
