//! [`TenantSim`]: start, URLs, seeding, recorded calls, faults, throttle, tokens and keys; its
//! API per area is in this module's children (`em`, `subs`, `mail`, `intune`, `provisioning`,
//! `bot`, `service_bus`). The top of the crate: the only module that names `TenantSim`, built on
//! the router (`crate::server`) and, through it, every area.

mod bot;
mod em;
mod intune;
mod mail;
mod provisioning;
mod service_bus;
mod subs;

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::authority::keys::{foreign_key, KeyRing};
use crate::authority::verify::{verify, TokenError};
use crate::authority::Authority;
use crate::config::SimConfig;
use crate::directory::Directory;
use crate::entra::tokens::{app_claims, Audience, Principal};
use crate::error::{Result, SimError};
use crate::faults::Faults;
use crate::record::RecordedCall;
use crate::scenario::{Group, ManagedDevice, Scenario, User};
use crate::server::Shared;
use crate::state::{MembershipChange, TenantState};
use crate::throttle::{Throttle, ThrottleClass};

/// How often [`TenantSim::wait_idle`] looks when nothing woke it.
const IDLE_POLL: std::time::Duration = std::time::Duration::from_millis(25);

/// A running simulated tenant on `127.0.0.1:<free port>`. Stops on [`shutdown`](Self::shutdown) or drop.
#[derive(Debug)]
pub struct TenantSim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl TenantSim {
    /// Starts a simulator for `scenario` with the default [`SimConfig`].
    pub async fn start(scenario: Scenario) -> Result<Self> {
        Self::start_with(scenario, SimConfig::default()).await
    }

    /// Starts a simulator for `scenario` with `config`.
    pub async fn start_with(scenario: Scenario, config: SimConfig) -> Result<Self> {
        let scenario = scenario.validated("<scenario>")?;
        let bind = config.bind;
        let listener = TcpListener::bind(bind).await.map_err(|source| SimError::Bind {
            addr: bind.to_string(),
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: bind.to_string(),
            source,
        })?;
        let base_url = format!("http://{addr}");
        let tid = scenario.tenant_id.clone();
        let keys = tokio::task::spawn_blocking(KeyRing::new)
            .await
            .map_err(|e| SimError::Key(format!("key generation task failed: {e}")))??;
        let bot = crate::bot::state::BotShared::load(&scenario).await?;
        let throttle = Throttle::new(config.time_scale);
        if config.intune_throttle {
            throttle.set_class(ThrottleClass::intune());
            throttle.set_class(ThrottleClass::intune_writes());
        }
        let identity_header = config
            .identity_header
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let authority = Authority::new(
            base_url.clone(),
            tid.clone(),
            SimConfig::issuer(&config.issuer_v1, &base_url, &tid),
            SimConfig::issuer(&config.issuer_v2, &base_url, &tid),
            identity_header,
            keys,
        );
        let directory = Directory::new(TenantState::from_scenario(&scenario));
        let shared = Arc::new(Shared::new(config, authority, directory, throttle, bot));
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(crate::subs::deliver::dispatcher(shared.subs.clone(), stopped.clone()));
        let server = tokio::spawn(crate::server::serve(
            listener,
            crate::server::app(shared.clone()),
            stopped,
        ));
        tracing::info!(base_url = %shared.authority.base_url, tenant_id = %shared.authority.tenant_id, "tenant-sim started");
        Ok(Self {
            shared,
            addr,
            stop,
            server: Some(server),
        })
    }

    /// Stops accepting connections and closes open ones.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    // --- conformance --------------------------------------------------------

    /// What the check of the Graph traffic against Graph's metadata (and the table of expected
    /// calls) found so far, one line each. In [`ConformanceMode::Strict`](crate::ConformanceMode)
    /// a sim with any fails its test when dropped.
    pub fn conformance_violations(&self) -> Vec<String> {
        self.shared.conformance.violations()
    }

    /// Allow the application identities `principals` (client ids) only the Graph calls `table`
    /// lists; any other call of theirs is a violation.
    pub fn expect_graph_calls(&self, table: crate::GraphCallTable, principals: &[&str]) {
        let principals = principals.iter().map(|p| p.to_string()).collect();
        self.shared.conformance.expect_calls(table, principals);
    }

    // --- settling -----------------------------------------------------------

    /// Waits until the tenant has no work of its own toward the code under test: no
    /// entitlement-management stages running (callouts being sent or retried), no membership
    /// change waiting for its change notification, no notification being posted, no outbound
    /// HTTP exchange in flight. Returns as soon as that is observed, or
    /// [`SimError::Timeout`] naming what was still pending once `timeout` passed.
    ///
    /// A launch-and-wait stage waiting for its resume and a device's scheduled check-in are
    /// the tenant waiting, not working: they do not count.
    pub async fn wait_idle(&self, timeout: std::time::Duration) -> Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut work = self.shared.work.subscribe();
        loop {
            work.borrow_and_update();
            let pending = match self.check_idle() {
                Ok(()) => return Ok(()),
                Err(pending) => pending,
            };
            if tokio::time::Instant::now() >= deadline {
                return Err(SimError::Timeout(format!(
                    "tenant-sim not idle after {timeout:?}: {pending}"
                )));
            }
            // The counters wake us at once; the poll catches a membership change, which
            // announces itself only to the notification dispatcher.
            tokio::select! {
                _ = work.changed() => {}
                _ = tokio::time::sleep(IDLE_POLL) => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
        }
    }

    /// True when the tenant is idle now (see [`Self::wait_idle`]).
    pub fn is_idle(&self) -> bool {
        self.check_idle().is_ok()
    }

    /// One look: the counters, the changes not yet notified, the counters again; idle only
    /// when nothing was pending and nothing started or ended in between. Else what is pending.
    fn check_idle(&self) -> std::result::Result<(), String> {
        let before = self.shared.work.counts();
        let undispatched = crate::subs::deliver::undispatched(&self.shared.subs);
        let after = self.shared.work.counts();
        if before.is_quiet() && undispatched == 0 && after.generation == before.generation {
            return Ok(());
        }
        Err(format!(
            "{} request stage run(s), {} notification post(s), {} outbound HTTP exchange(s) in progress; \
             {undispatched} membership change(s) not yet notified",
            before.stages.max(after.stages),
            before.notifications.max(after.notifications),
            before.http.max(after.http),
        ))
    }

    /// The router's state, for the API of each area (this module's children).
    fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    // --- URLs ---------------------------------------------------------------

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.shared.authority.base_url
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The login authority (same as the base URL): `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn authority_url(&self) -> &str {
        &self.shared.authority.base_url
    }

    /// The Graph root (same as the base URL): `{graph}/v1.0/users/...`.
    pub fn graph_url(&self) -> &str {
        &self.shared.authority.base_url
    }

    /// The tenant id.
    pub fn tenant_id(&self) -> &str {
        &self.shared.authority.tenant_id
    }

    /// `{base}/{tid}/discovery/v2.0/keys`.
    pub fn jwks_uri(&self) -> String {
        format!(
            "{}/{}/discovery/v2.0/keys",
            self.shared.authority.base_url, self.shared.authority.tenant_id
        )
    }

    /// `{base}/{tid}/v2.0/.well-known/openid-configuration`.
    pub fn openid_config_url(&self) -> String {
        format!(
            "{}/{}/v2.0/.well-known/openid-configuration",
            self.shared.authority.base_url, self.shared.authority.tenant_id
        )
    }

    /// `{base}/{tid}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        format!(
            "{}/{}/oauth2/v2.0/token",
            self.shared.authority.base_url, self.shared.authority.tenant_id
        )
    }

    /// The issuer of v1.0 tokens (see [`SimConfig::issuer_v1`]).
    pub fn issuer_v1(&self) -> &str {
        &self.shared.authority.issuer_v1
    }

    /// The issuer of v2.0 tokens (see [`SimConfig::issuer_v2`]).
    pub fn issuer_v2(&self) -> &str {
        &self.shared.authority.issuer_v2
    }

    /// The value for `IDENTITY_ENDPOINT`: `{base}/msi/token`.
    pub fn identity_endpoint(&self) -> String {
        format!("{}/msi/token", self.shared.authority.base_url)
    }

    /// The value for `IDENTITY_HEADER` (the secret the identity endpoint expects).
    pub fn identity_header(&self) -> &str {
        &self.shared.authority.identity_header
    }

    // --- state --------------------------------------------------------------

    /// Reads the tenant's state.
    pub fn with_state<R>(&self, f: impl FnOnce(&TenantState) -> R) -> R {
        f(&self.shared.directory.state())
    }

    /// Changes the tenant's state (membership changes made here are logged like Graph's).
    pub fn with_state_mut<R>(&self, f: impl FnOnce(&mut TenantState) -> R) -> R {
        let r = f(&mut self.shared.directory.state_mut());
        self.shared.directory.changed.notify_one();
        r
    }

    /// A user by id or UPN.
    pub fn user(&self, id_or_upn: &str) -> Option<User> {
        self.shared.directory.state().user(id_or_upn).cloned()
    }

    /// Adds a user.
    pub fn add_user(&self, user: User) -> Result<()> {
        self.shared.directory.state_mut().add_user(user)
    }

    /// A group by id.
    pub fn group(&self, id: &str) -> Option<Group> {
        self.shared.directory.state().group(id).cloned()
    }

    /// Adds a group.
    pub fn add_group(&self, group: Group) -> Result<()> {
        self.shared.directory.state_mut().add_group(group)
    }

    /// A group's direct member ids, in order.
    pub fn group_members(&self, group_id: &str) -> Result<Vec<String>> {
        self.shared
            .directory
            .state()
            .group(group_id)
            .map(|g| g.members.clone())
            .ok_or_else(|| SimError::NotFound {
                kind: "group",
                id: group_id.to_owned(),
            })
    }

    /// Adds a member (as if through Graph); `Ok(false)` if already a member.
    pub fn add_group_member(&self, group_id: &str, member_id: &str) -> Result<bool> {
        let added = self.shared.directory.state_mut().add_member(group_id, member_id);
        self.shared.directory.changed.notify_one();
        added
    }

    /// Removes a member; `Ok(false)` if not a member.
    pub fn remove_group_member(&self, group_id: &str, member_id: &str) -> Result<bool> {
        let removed = self.shared.directory.state_mut().remove_member(group_id, member_id);
        self.shared.directory.changed.notify_one();
        removed
    }

    /// A group's membership change log, oldest first.
    pub fn membership_changes(&self, group_id: &str) -> Vec<MembershipChange> {
        self.shared.directory.state().membership_changes(group_id)
    }

    /// All managed devices.
    pub fn devices(&self) -> Vec<ManagedDevice> {
        self.shared.directory.state().devices().to_vec()
    }

    /// Adds or replaces a managed device.
    pub fn upsert_device(&self, device: ManagedDevice) {
        self.shared.directory.state_mut().upsert_device(device)
    }

    // --- recorded calls, faults, throttle ----------------------------------

    /// Every request received so far, in order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared.calls.all()
    }

    /// Requests with this method (`*` for any) whose path starts with `path_prefix`.
    pub fn calls_to(&self, method: &str, path_prefix: &str) -> Vec<RecordedCall> {
        self.shared.calls.to(method, path_prefix)
    }

    /// Forgets the recorded calls.
    pub fn clear_calls(&self) {
        self.shared.calls.clear()
    }

    /// Injected faults.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The throttle (classes, counts, time scale).
    pub fn throttle(&self) -> &Throttle {
        &self.shared.throttle
    }

    // --- tokens and keys ---------------------------------------------------

    /// The claims the token endpoint would put in a token for app `client_id` and `resource`
    /// (e.g. `https://graph.microsoft.com`). Edit them and [`mint_token`](Self::mint_token).
    pub fn app_claims(&self, client_id: &str, resource: &str) -> Result<Value> {
        let state = self.shared.directory.state();
        let principal = Principal::any(&state, client_id);
        let principal = principal.ok_or_else(|| SimError::NotFound {
            kind: "application",
            id: client_id.to_owned(),
        })?;
        let audience = Audience::resolve(&state, resource);
        drop(state);
        Ok(app_claims(
            &self.shared.authority,
            self.shared.config.token_lifetime,
            &principal,
            &audience,
        ))
    }

    /// A token as the token endpoint would issue it to `client_id` for `resource`.
    pub fn app_token(&self, client_id: &str, resource: &str) -> Result<String> {
        self.mint_token(&self.app_claims(client_id, resource)?)
    }

    /// Signs arbitrary claims with the current signing key (RS256, `kid`/`x5t` headers).
    pub fn mint_token(&self, claims: &Value) -> Result<String> {
        self.shared.authority.signing_key().sign(claims)
    }

    /// Signs claims with a key that is in no simulator's JWKS (for negative tests).
    pub fn mint_token_with_foreign_key(&self, claims: &Value) -> Result<String> {
        foreign_key()?.sign(claims)
    }

    /// Verifies a token as the sim's Graph does: published keys, this tenant's issuers, one of `audiences`.
    pub fn verify_token(&self, token: &str, audiences: &[&str]) -> Result<Value, TokenError> {
        verify(&self.shared.authority, token, audiences)
    }

    /// The key id that signs new tokens.
    pub fn current_key_id(&self) -> String {
        self.shared.authority.signing_key().kid().to_owned()
    }

    /// Key ids in the JWKS, oldest first.
    pub fn published_key_ids(&self) -> Vec<String> {
        self.shared
            .authority
            .keys()
            .published()
            .iter()
            .map(|k| k.kid().to_owned())
            .collect()
    }

    /// Publishes a new signing key; older keys stay in the JWKS until retired. Returns the new kid.
    pub async fn rotate_signing_key(&self) -> Result<String> {
        // Generating a key may take a moment the first time; keep it off the async workers.
        let shared = self.shared.clone();
        let kid = tokio::task::spawn_blocking(move || shared.authority.keys_mut().rotate())
            .await
            .map_err(|e| SimError::Key(format!("key generation task failed: {e}")))??;
        tracing::info!(kid = %kid, "signing key rotated");
        Ok(kid)
    }

    /// Removes a key that no longer signs from the JWKS.
    pub fn retire_signing_key(&self, kid: &str) -> Result<()> {
        self.shared.authority.keys_mut().retire(kid)?;
        tracing::info!(kid = %kid, "signing key retired");
        Ok(())
    }
}

impl Drop for TenantSim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        // A test whose Graph traffic did not conform fails here, with what was wrong, unless
        // it is failing already.
        let conformance = &self.shared.conformance;
        let violations = conformance.violations();
        if conformance.mode() != crate::ConformanceMode::Strict || violations.is_empty() {
            return;
        }
        let report = format!(
            "tenant-sim: {} Graph call(s) did not conform:\n{}",
            violations.len(),
            violations.join("\n")
        );
        if std::thread::panicking() {
            // The test is failing already, perhaps because of these: say why beside it.
            eprintln!("{report}");
        } else {
            panic!("{report}");
        }
    }
}
