//! Test support for `callout` and `process`: an App built on tenant-sim (tokens, OpenID
//! metadata, JWKS), an in-memory SQLite store and a scripted Graph resume endpoint,
//! served through `azfn_runtime::router` exactly as the Functions host calls it.
#![allow(dead_code)]

pub mod front_door;
pub mod graph;
pub mod invoke;
pub mod pop;

use std::collections::HashMap;
use std::sync::Arc;

use jitadmin::app::App;
use jitadmin::config::Config;
use jitadmin::graph::StaticToken;
use jitadmin::store::Store;
use serde_json::Value;
use tenant_sim::{Scenario, TenantSim};

pub use graph::ScriptedGraph;

/// The audience the forwarder asks for.
pub const AUDIENCE: &str = "api://jitadmin";
/// The caller allowed in bearer mode: the demo tenant's managed identity (client id, object id).
pub const FORWARDER_CLIENT_ID: &str = "77777777-0000-4000-8000-000000000001";
pub const FORWARDER_OBJECT_ID: &str = "77777777-0000-4000-8000-0000000000a1";
/// Where the host says the request went.
pub const CALLOUT_URL: &str = "https://jitadmin.example.net/api/callout";

/// A running app and the fakes around it.
pub struct TestApp {
    pub sim: TenantSim,
    pub graph: ScriptedGraph,
    pub app: Arc<App>,
    pub router: axum::Router,
}

/// The settings every test uses, pointing at `sim` and `graph`.
pub fn settings(sim: &TenantSim, graph: &ScriptedGraph) -> Vec<(String, String)> {
    [
        ("JITADMIN_TENANT_ID", sim.tenant_id().to_string()),
        ("JITADMIN_AUTHORITY_HOST", sim.base_url().to_string()),
        ("JITADMIN_GRAPH_BASE_URL", graph.base.clone()),
        ("JITADMIN_CALLOUT_AUDIENCES", AUDIENCE.to_string()),
        ("JITADMIN_CALLOUT_ALLOWED_CALLERS", FORWARDER_OBJECT_ID.to_string()),
        ("JITADMIN_STORE", "sqlite::memory:".to_string()),
        ("JITADMIN_GRAPH_MAX_ATTEMPTS", "2".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The Function App's managed identity in the demo tenant (jitadmin's Graph caller).
pub const FUNCTION_APP_CLIENT_ID: &str = "77777777-0000-4000-8000-000000000001";

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
    let mut map: HashMap<String, String> = settings(&sim, &graph).into_iter().collect();
    let token = if sim_graph {
        map.insert("JITADMIN_GRAPH_BASE_URL".into(), sim.graph_url().to_string());
        sim.app_token(FUNCTION_APP_CLIENT_ID, "https://graph.microsoft.com")
            .expect("graph token")
    } else {
        "graph-test-token".to_string()
    };
    for (k, v) in overrides {
        map.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(|name| map.get(name).cloned()).expect("config");
    let store = Store::open_setting("sqlite::memory:", None).await.expect("store");
    let mut builder = App::builder(config)
        .credential(StaticToken::new(token))
        .store(store)
        .graph_sleep(Arc::new(|_| Box::pin(async {})));
    if let Some(clock) = clock {
        builder = builder.clock(clock);
    }
    let app = builder.build().await.expect("app");
    let router = azfn_runtime::router(jitadmin::functions::all(app.clone()), Default::default());
    TestApp {
        sim,
        graph,
        app,
        router,
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
