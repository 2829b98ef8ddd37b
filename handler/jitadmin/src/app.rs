//! The app state: everything built once from [`Config`] at start-up and shared by the
//! functions as `Arc<App>`: the store, the Graph client, the callout authenticator, the
//! compiled rules, Teams and the queue sender. The functions hand the flows only a
//! [`Context`] of it.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = jitadmin::config::Config::from_env()?;
//! let app = jitadmin::app::App::start(config).await?;
//! let functions = jitadmin::functions::all(app);
//! # Ok(()) }
//! ```

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use jitadmin_auth::{Clock, SystemClock};
use jitadmin_decide::RuleSet;
use jitadmin_graph::retry::SleepFn;
use jitadmin_graph::{credential_from_config, GraphClient, GraphConfig, GraphError, RetryPolicy};
use jitadmin_store::{Store, StoreError};

use crate::config::Config;
use crate::flows::{Context, RequestSettings};
use crate::inbound::CalloutAuth;
use crate::services::teams::Teams;

/// The shared state of a jitadmin process.
#[derive(Debug)]
pub struct App {
    config: Config,
    store: Store,
    graph: GraphClient,
    callout_auth: CalloutAuth,
    rules: Option<RuleSet>,
    direct_queue: Option<(jitadmin_servicebus::ServiceBusClient, String)>,
    teams: Option<Teams>,
    request: RequestSettings,
}

/// Start-up failed; the message is one line naming what and why (never a secret).
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The credential for outbound calls could not be built.
    #[error("cannot build the {kind} credential (JITADMIN_CREDENTIAL): {source}")]
    Credential {
        /// managed-identity, client-secret, ...
        kind: String,
        /// The cause.
        source: GraphError,
    },
    /// The Graph client could not be built.
    #[error("cannot build the Graph client (JITADMIN_GRAPH_BASE_URL): {0}")]
    Graph(GraphError),
    /// The store could not be opened.
    #[error("cannot open the store {store} (JITADMIN_STORE): {source}")]
    Store {
        /// The store, masked.
        store: String,
        /// The cause.
        source: Box<StoreError>,
    },
    /// The rules file (`JITADMIN_RULES`) cannot be read or has problems, one
    /// `FILE:LINE:COL: message` per line.
    #[error("the rules file (JITADMIN_RULES) has problems:\n{0}")]
    Rules(jitadmin_decide::RulesError),
    /// The direct Service Bus sender could not be built.
    #[error("cannot build the Service Bus sender (JITADMIN_SERVICEBUS_*): {0}")]
    ServiceBus(jitadmin_servicebus::ServiceBusError),
    /// The bot's credential (`JITADMIN_BOT_CREDENTIAL`) could not be built.
    #[error("cannot build the bot's {kind} credential (JITADMIN_BOT_CREDENTIAL): {source}")]
    BotCredential {
        /// managed-identity, client-secret, ...
        kind: String,
        /// The cause.
        source: GraphError,
    },
    /// The HTTP client fetching signing keys could not be built.
    #[error("cannot build the signing-key client: {0}")]
    Keys(String),
}

impl App {
    /// Build everything from `config` with the real parts (azure_identity credential, system clock).
    pub async fn start(config: Config) -> Result<Arc<App>, StartupError> {
        App::builder(config).build().await
    }

    /// A builder, to replace parts in tests (credential, store, clock, Graph back-off).
    pub fn builder(config: Config) -> AppBuilder {
        AppBuilder {
            config,
            credential: None,
            bot_credential: None,
            store: None,
            clock: None,
            graph_sleep: None,
        }
    }

    /// The direct Service Bus sender and its queue, when configured.
    pub fn direct_queue(&self) -> Option<(&jitadmin_servicebus::ServiceBusClient, &str)> {
        self.direct_queue.as_ref().map(|(c, q)| (c, q.as_str()))
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The state store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The Graph client.
    pub fn graph(&self) -> &GraphClient {
        &self.graph
    }

    /// How `callout` authenticates.
    pub fn callout_auth(&self) -> &CalloutAuth {
        &self.callout_auth
    }

    /// The rules that decide created-stage requests (`JITADMIN_RULES`), when configured.
    pub fn rules(&self) -> Option<&RuleSet> {
        self.rules.as_ref()
    }

    /// Teams approvals, when configured (`JITADMIN_BOT_APP_ID`).
    pub fn teams(&self) -> Option<&Teams> {
        self.teams.as_ref()
    }

    /// What the flows may use.
    pub fn context(&self) -> Context<'_> {
        Context {
            store: &self.store,
            graph: &self.graph,
            teams: self.teams.as_ref(),
            rules: self.rules.as_ref(),
            request: &self.request,
            watch: &self.config.watch,
            sync: &self.config.sync,
            notify: &self.config.notify,
        }
    }
}

/// Builds an [`App`], with parts replaced where given.
pub struct AppBuilder {
    config: Config,
    credential: Option<Arc<dyn TokenCredential>>,
    bot_credential: Option<Arc<dyn TokenCredential>>,
    store: Option<Store>,
    clock: Option<Arc<dyn Clock>>,
    graph_sleep: Option<SleepFn>,
}

impl AppBuilder {
    /// Use this credential for outbound calls instead of the configured one.
    pub fn credential(mut self, credential: Arc<dyn TokenCredential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Use this credential for the bot's Bot Framework token instead of the configured one.
    pub fn bot_credential(mut self, credential: Arc<dyn TokenCredential>) -> Self {
        self.bot_credential = Some(credential);
        self
    }

    /// Use this store instead of opening `JITADMIN_STORE`.
    pub fn store(mut self, store: Store) -> Self {
        self.store = Some(store);
        self
    }

    /// Use this clock for token validation.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Replace how the Graph client waits between attempts (tests).
    pub fn graph_sleep(mut self, sleep: SleepFn) -> Self {
        self.graph_sleep = Some(sleep);
        self
    }

    /// Build the app. Signing keys are fetched in the background, so start-up does not wait on
    /// the authority; the first callout waits only if that fetch has not finished.
    pub async fn build(self) -> Result<Arc<App>, StartupError> {
        let config = self.config;
        // Rules first: a bad file is the admin's to fix, and says so before anything else starts.
        let rules = match &config.rules {
            Some(path) => {
                let rules = RuleSet::from_file(path).map_err(StartupError::Rules)?;
                for warning in rules.warnings() {
                    tracing::warn!(%warning, "rules file");
                }
                Some(rules)
            }
            None => None,
        };
        let credential = match self.credential {
            Some(c) => c,
            None => credential_from_config(&config.credential).map_err(|source| StartupError::Credential {
                kind: config.credential_kind().to_string(),
                source,
            })?,
        };
        let graph = graph_client(&config, credential.clone(), self.graph_sleep)?;
        let direct_queue = match &config.direct_queue {
            None => None,
            Some(q) => {
                let client = match (&q.connection_string, &q.namespace) {
                    (Some(cs), _) => jitadmin_servicebus::ServiceBusClient::from_connection_string(cs),
                    (None, Some(ns)) => jitadmin_servicebus::ServiceBusClient::for_namespace(
                        ns,
                        jitadmin_servicebus::Auth::Credential(credential.clone()),
                    ),
                    (None, None) => unreachable_direct_queue(),
                }
                .map_err(StartupError::ServiceBus)?;
                Some((client, q.queue.clone()))
            }
        };
        let store = match self.store {
            Some(s) => s,
            None => Store::open(&config.store, Some(credential))
                .await
                .map_err(|source| StartupError::Store {
                    store: config.store.to_string(),
                    source: Box::new(source),
                })?,
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let callout_auth = CalloutAuth::from_config(&config, clock.clone()).map_err(StartupError::Keys)?;
        callout_auth.warm_up();
        let teams = match &config.teams {
            Some(settings) => {
                let credential = match self.bot_credential {
                    Some(c) => c,
                    None => {
                        credential_from_config(&settings.credential).map_err(|source| StartupError::BotCredential {
                            kind: crate::config::Config::credential_kind_of(&settings.credential).to_string(),
                            source,
                        })?
                    }
                };
                let teams = Teams::new(settings.clone(), credential, clock.clone())
                    .map_err(|e| StartupError::Keys(e.to_string()))?;
                teams.warm_up();
                Some(teams)
            }
            None => None,
        };
        tracing::info!(
            tenant = %config.tenant_id,
            store = %store.describe(),
            graph = %config.graph.base_url,
            callout_auth = callout_auth.mode_name(),
            rules = rules.as_ref().map(|r| r.summary().file),
            teams = config.teams.as_ref().map(|t| t.channel_id.as_str()),
            "jitadmin app ready"
        );
        let request = RequestSettings {
            created_stage: config.created_stage,
            resume_source: config.resume_source.clone(),
            tenant_id: config.tenant_id.clone(),
            packages: config.packages.clone(),
        };
        if config.packages.is_unrestricted() {
            tracing::warn!(
                "JITADMIN_ACCESS_PACKAGES is unset: callouts of every access package are acted on (refused in Azure)"
            );
        }
        Ok(Arc::new(App {
            request,
            config,
            store,
            graph,
            callout_auth,
            rules,
            direct_queue,
            teams,
        }))
    }
}

/// `DirectQueue` is only built with a namespace or a connection string.
fn unreachable_direct_queue() -> Result<jitadmin_servicebus::ServiceBusClient, jitadmin_servicebus::ServiceBusError> {
    Err(jitadmin_servicebus::ServiceBusError::ConnectionString(
        "neither a namespace nor a connection string".into(),
    ))
}

fn graph_client(
    config: &Config,
    credential: Arc<dyn TokenCredential>,
    sleep: Option<SleepFn>,
) -> Result<GraphClient, StartupError> {
    let graph_config = GraphConfig {
        base_url: config.graph.base_url.clone(),
        scope: config.graph.scope.clone(),
        timeout: config.graph.timeout,
        retry: RetryPolicy {
            max_attempts: config.graph.max_attempts,
            ..RetryPolicy::default()
        },
        // One limiter for every Intune call of this process (JITADMIN_INTUNE_*).
        intune_limits: Some(config.sync.intune_limits),
        ..GraphConfig::default()
    };
    let mut builder = GraphClient::builder(credential).config(graph_config);
    if let Some(sleep) = sleep {
        builder = builder.sleep_fn(sleep);
    }
    builder.build().map_err(StartupError::Graph)
}
