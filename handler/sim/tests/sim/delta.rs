//! `groups/delta`: the first round with nextLinks, rounds from a deltaLink, `latest`, and
//! expired links.

use crate::support::*;
use serde_json::Value;
use tenant_sim::{DeltaExpiry, Scenario, SimConfig, TenantSim};

async fn get_url(sim: &TenantSim, url: &str) -> reqwest::Response {
    http().get(url).bearer_auth(graph_token(sim)).send().await.unwrap()
}

/// Follows nextLinks; returns `(member id, removed)` of every page and the final deltaLink.
async fn round(sim: &TenantSim, first: &str) -> (Vec<(String, bool)>, String, usize) {
    let mut url = first.to_owned();
    let mut members = Vec::new();
    let mut pages = 0;
    loop {
        let r = get_url(sim, &url).await;
        assert_eq!(r.status(), 200, "{url}");
        let page: Value = r.json().await.unwrap();
        pages += 1;
        for g in page["value"].as_array().unwrap() {
            for m in g["members@delta"].as_array().into_iter().flatten() {
                members.push((m["id"].as_str().unwrap().to_owned(), m.get("@removed").is_some()));
            }
        }
        match (page.get("@odata.nextLink"), page.get("@odata.deltaLink")) {
            (Some(next), None) => url = next.as_str().unwrap().to_owned(),
            (None, Some(delta)) => return (members, delta.as_str().unwrap().to_owned(), pages),
            other => panic!("a page needs exactly one of nextLink and deltaLink: {other:?}"),
        }
    }
}

fn initial(sim: &TenantSim, group: &str) -> String {
    format!(
        "{}/v1.0/groups/delta?$filter=id eq '{group}'&$select=displayName,members",
        sim.graph_url()
    )
}

#[tokio::test]
async fn the_first_round_lists_members_across_pages_and_ends_with_a_delta_link() {
    let config = SimConfig {
        delta_page_size: 2,
        ..SimConfig::default()
    };
    let sim = TenantSim::start_with(Scenario::demo(), config).await.unwrap();
    let (members, delta, pages) = round(&sim, &initial(&sim, APPROVERS)).await;
    assert_eq!(pages, 2);
    assert_eq!(
        members,
        vec![
            (MEGAN.to_owned(), false),
            (ADELE.to_owned(), false),
            (LEE.to_owned(), false)
        ]
    );
    assert!(delta.contains("$deltatoken="));
    let page: Value = graph_get(
        &sim,
        &format!("/v1.0/groups/delta?$filter=id eq '{APPROVERS}'&$select=displayName,members"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(page["value"][0]["displayName"], "JIT Approvers");
    assert_eq!(
        page["value"][0]["members@delta"][0]["@odata.type"],
        "#microsoft.graph.user"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_delta_link_returns_the_changes_since_its_round() {
    let sim = demo().await;
    let (members, delta, _) = round(&sim, &initial(&sim, ADMINS)).await;
    assert_eq!(members, vec![(ADELE.to_owned(), false)]);

    sim.add_group_member(ADMINS, LEE).unwrap();
    sim.remove_group_member(ADMINS, ADELE).unwrap();
    sim.add_group_member(APPROVERS, ALEX).unwrap(); // not in the filter
    let (changes, delta2, _) = round(&sim, &delta).await;
    assert_eq!(changes, vec![(LEE.to_owned(), false), (ADELE.to_owned(), true)]);

    let (none, _, _) = round(&sim, &delta2).await;
    assert!(none.is_empty(), "nothing changed since");
    sim.shutdown().await;
}

#[tokio::test]
async fn latest_starts_from_now() {
    let sim = demo().await;
    let url = format!(
        "{}/v1.0/groups/delta?$filter=id eq '{ADMINS}'&$select=members&$deltatoken=latest",
        sim.graph_url()
    );
    let (members, delta, _) = round(&sim, &url).await;
    assert!(members.is_empty());
    sim.add_group_member(ADMINS, LEE).unwrap();
    let (changes, _, _) = round(&sim, &delta).await;
    assert_eq!(changes, vec![(LEE.to_owned(), false)]);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_expired_delta_link_demands_a_full_resync() {
    let sim = demo().await;
    let first = initial(&sim, ADMINS);
    let (_, delta, _) = round(&sim, &first).await;
    assert_eq!(sim.expire_delta_links(DeltaExpiry::Gone), 1);
    let r = get_url(&sim, &delta).await;
    assert_eq!(r.status(), 410);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("/v1.0/groups/delta?"));
    let (members, fresh, _) = round(&sim, &location).await;
    assert_eq!(members, vec![(ADELE.to_owned(), false)], "the resync starts over");

    sim.expire_delta_links(DeltaExpiry::SyncStateNotFound);
    let r = get_url(&sim, &fresh).await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "syncStateNotFound");
    let unknown = get_url(&sim, &format!("{}/v1.0/groups/delta?$deltatoken=nope", sim.graph_url())).await;
    assert_eq!(unknown.status(), 400);
    sim.shutdown().await;
}
