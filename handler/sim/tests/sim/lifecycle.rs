//! Starting from files, seeding at run time, shutting down.

use crate::support::*;
use tenant_sim::{Scenario, TenantSim};

#[tokio::test]
async fn shutdown_stops_serving() {
    let sim = demo().await;
    let url = sim.jwks_uri();
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    sim.shutdown().await;
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    assert!(fresh.get(&url).send().await.is_err(), "nothing listens any more");
}

#[tokio::test]
async fn scenario_files_are_read_as_toml_or_json_by_extension() {
    let dir = std::env::temp_dir().join(format!("tenant-sim-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("tenant.json");
    std::fs::write(&json, serde_json::to_string(&Scenario::demo()).unwrap()).unwrap();
    let toml_path = dir.join("tenant.toml");
    std::fs::write(&toml_path, include_str!("../../scenarios/demo.toml")).unwrap();
    assert_eq!(Scenario::from_file(&json).unwrap(), Scenario::demo());
    assert_eq!(Scenario::from_file(&toml_path).unwrap(), Scenario::demo());
    let missing = Scenario::from_file(dir.join("missing.toml")).unwrap_err();
    assert!(missing.to_string().contains("missing.toml"), "{missing}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn empty_tenant_starts_and_can_be_seeded_through_state() {
    let sim = TenantSim::start(Scenario::empty("8f6a1c2e-4b3d-4e5f-9a7b-1c2d3e4f5a6b"))
        .await
        .unwrap();
    sim.with_state_mut(|s| {
        s.add_group(tenant_sim::Group {
            id: "g1".into(),
            display_name: "G".into(),
            ..Default::default()
        })
    })
    .unwrap();
    assert_eq!(sim.group_members("g1").unwrap(), Vec::<String>::new());
    assert_eq!(sim.with_state(|s| s.groups.len()), 1);
}
