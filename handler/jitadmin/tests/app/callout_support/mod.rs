//! Test support for `callout` and `process`: the app ([`crate::harness`]) on tenant-sim
//! (tokens, OpenID metadata, JWKS) with a scripted Graph resume endpoint.
#![allow(dead_code)]

pub mod front_door;
pub mod graph;
pub mod invoke;
pub mod pop;

use std::sync::Arc;

use jitadmin::app::App;
use serde_json::Value;
use tenant_sim::{Scenario, TenantSim};

use crate::harness::Harness;
pub use crate::harness::{AUDIENCE, FORWARDER_OBJECT_ID};
pub use graph::ScriptedGraph;

/// The forwarder's client id in the demo tenant (its object id is [`FORWARDER_OBJECT_ID`]).
pub const FORWARDER_CLIENT_ID: &str = "77777777-0000-4000-8000-000000000001";
/// Where the host says the request went.
pub const CALLOUT_URL: &str = "https://jitadmin.example.net/api/callout";

/// A running app and the fakes around it.
pub struct TestApp {
    pub sim: TenantSim,
    pub graph: ScriptedGraph,
    pub app: Arc<App>,
    pub router: axum::Router,
}

/// The app every test here uses: on `sim`, with the scripted `graph`.
pub fn harness(sim: &TenantSim, graph: &ScriptedGraph) -> Harness {
    Harness::new(sim.tenant_id(), sim.base_url(), &graph.base)
}

/// Start with the default settings changed by `overrides` (a `""` value removes one);
/// Graph is the scripted one.
pub async fn start(overrides: &[(&str, &str)]) -> TestApp {
    start_with(overrides, false, None).await
}

/// Like [`start`], validating tokens (and rate-limiting key refreshes) on `clock`.
pub async fn start_with_clock(overrides: &[(&str, &str)], clock: Arc<jitadmin::auth::ManualClock>) -> TestApp {
    start_with(overrides, false, Some(clock)).await
}

/// Like [`start`], with Graph served by tenant-sim itself (its entitlement-management
/// resume endpoint and request reads), called with the Function App identity's token.
pub async fn start_on_sim_graph(overrides: &[(&str, &str)]) -> TestApp {
    start_with(overrides, true, None).await
}

async fn start_with(
    overrides: &[(&str, &str)],
    sim_graph: bool,
    clock: Option<Arc<jitadmin::auth::ManualClock>>,
) -> TestApp {
    let sim = TenantSim::start(Scenario::demo()).await.expect("tenant-sim");
    let graph = ScriptedGraph::start().await;
    let mut harness = if sim_graph {
        Harness::on_sim(&sim)
    } else {
        harness(&sim, &graph)
    };
    harness = harness.settings(overrides.iter().copied());
    if let Some(clock) = clock {
        harness = harness.clock(clock);
    }
    let built = harness.build().await;
    TestApp {
        sim,
        graph,
        app: built.app,
        router: built.router,
    }
}

impl TestApp {
    /// A bearer token from the forwarder for our audience, with `edit` applied to its claims.
    pub fn forwarder_token(&self, edit: impl FnOnce(&mut Value)) -> String {
        let mut claims = self.sim.app_claims(FORWARDER_CLIENT_ID, AUDIENCE).expect("claims");
        edit(&mut claims);
        self.sim.mint_token(&claims).expect("token")
    }

    /// `Bearer <forwarder token>`.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.forwarder_token(|_| {}))
    }
}

/// The bytes of an events-crate fixture (one file per stage and form).
pub fn fixture(name: &str) -> String {
    let path = format!("{}/../events/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A jitadmin fixture from handler/jitadmin/testdata.
pub fn own_fixture(name: &str) -> String {
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

impl TestApp {
    /// Key-set fetches the sim served so far.
    pub fn key_fetches(&self) -> usize {
        self.sim
            .calls_to("GET", &format!("/{}/discovery", self.sim.tenant_id()))
            .len()
    }

    /// Wait until the app's start-up key fetch has happened.
    pub async fn keys_warm(&self) {
        for _ in 0..500 {
            if self.key_fetches() > 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the app never fetched its signing keys");
    }
}
