//! The one way the app tests build the app: settings (from tenant-sim's tenant, overridable
//! one by one), an in-memory store, static outbound tokens, no waiting between Graph attempts,
//! and the functions served through `azfn_runtime::router` exactly as the Functions host
//! calls them. `callout_support` and `devices_support` add their fakes around it.

use std::collections::BTreeMap;
use std::sync::Arc;

use jitadmin::app::App;
use jitadmin::auth::ManualClock;
use jitadmin::config::Config;
use jitadmin::graph::StaticToken;
use jitadmin::store::Store;
use tenant_sim::TenantSim;

/// The audience the forwarder asks for.
pub const AUDIENCE: &str = "api://jitadmin";
/// The caller allowed in bearer mode: the demo tenant's forwarder identity (object id).
pub const FORWARDER_OBJECT_ID: &str = "77777777-0000-4000-8000-0000000000a1";
/// The Function App's managed identity in the demo tenant (jitadmin's Graph caller).
pub const FUNCTION_APP_CLIENT_ID: &str = "77777777-0000-4000-8000-000000000001";

/// The table of every Graph call jitadmin makes (`docs/graph.md` in the repository).
pub fn graph_calls() -> tenant_sim::GraphCallTable {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/graph.md");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    tenant_sim::GraphCallTable::from_markdown(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An app to build.
#[derive(Clone)]
pub struct Harness {
    settings: BTreeMap<String, String>,
    graph_token: String,
    bot_token: Option<String>,
    clock: Option<Arc<ManualClock>>,
}

/// The built app and the router the host would call.
pub struct Built {
    /// The app.
    pub app: Arc<App>,
    /// Its functions, served as the Functions host calls them.
    pub router: axum::Router,
    /// The settings it was built from.
    pub settings: BTreeMap<String, String>,
}

impl Harness {
    /// Settings naming `tenant` and `authority`, a scripted Graph at `graph_url`, the callout
    /// audience and forwarder, and an in-memory store.
    pub fn new(tenant: &str, authority: &str, graph_url: &str) -> Harness {
        let settings = [
            ("JITADMIN_TENANT_ID", tenant),
            ("JITADMIN_AUTHORITY_HOST", authority),
            ("JITADMIN_GRAPH_BASE_URL", graph_url),
            ("JITADMIN_CALLOUT_AUDIENCES", AUDIENCE),
            ("JITADMIN_CALLOUT_ALLOWED_CALLERS", FORWARDER_OBJECT_ID),
            ("JITADMIN_STORE", "sqlite::memory:"),
            ("JITADMIN_GRAPH_MAX_ATTEMPTS", "2"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        Harness {
            settings,
            graph_token: "graph-test-token".into(),
            bot_token: None,
            clock: None,
        }
    }

    /// The app against `sim` for everything: its tenant and authority, and Graph served by
    /// the sim itself, called with the Function App identity's token. The sim refuses any
    /// Graph call of that identity that `docs/graph.md` does not list.
    pub fn on_sim(sim: &TenantSim) -> Harness {
        sim.expect_graph_calls(graph_calls(), &[FUNCTION_APP_CLIENT_ID]);
        let token = sim
            .app_token(FUNCTION_APP_CLIENT_ID, "https://graph.microsoft.com")
            .expect("graph token");
        Harness::new(sim.tenant_id(), sim.base_url(), sim.graph_url()).graph_token(&token)
    }

    /// Set one setting; an empty value unsets it.
    pub fn setting(mut self, name: &str, value: &str) -> Harness {
        if value.is_empty() {
            self.settings.remove(name);
        } else {
            self.settings.insert(name.to_string(), value.to_string());
        }
        self
    }

    /// Set several settings (empty values unset).
    pub fn settings<K: AsRef<str>, V: AsRef<str>>(self, pairs: impl IntoIterator<Item = (K, V)>) -> Harness {
        pairs
            .into_iter()
            .fold(self, |h, (k, v)| h.setting(k.as_ref(), v.as_ref()))
    }

    /// The token of outbound Graph calls.
    pub fn graph_token(mut self, token: &str) -> Harness {
        self.graph_token = token.to_string();
        self
    }

    /// The token of the bot's Bot Connector calls.
    pub fn bot_token(mut self, token: &str) -> Harness {
        self.bot_token = Some(token.to_string());
        self
    }

    /// Validate inbound tokens (and rate-limit key refreshes) on `clock`.
    pub fn clock(mut self, clock: Arc<ManualClock>) -> Harness {
        self.clock = Some(clock);
        self
    }

    /// The configuration the settings make.
    pub fn config(&self) -> Config {
        Config::from_lookup(|name| self.settings.get(name).cloned()).expect("config")
    }

    /// Build the app and its router.
    pub async fn build(self) -> Built {
        let store = Store::open_setting("sqlite::memory:", None).await.expect("store");
        let mut builder = App::builder(self.config())
            .credential(StaticToken::new(self.graph_token.clone()))
            .store(store)
            .graph_sleep(Arc::new(|_| Box::pin(async {})));
        if let Some(token) = &self.bot_token {
            builder = builder.bot_credential(StaticToken::new(token.clone()));
        }
        if let Some(clock) = self.clock {
            builder = builder.clock(clock);
        }
        let app = builder.build().await.expect("app");
        let router = azfn_runtime::router(jitadmin::functions::all(app.clone()), Default::default());
        Built {
            app,
            router,
            settings: self.settings,
        }
    }
}
