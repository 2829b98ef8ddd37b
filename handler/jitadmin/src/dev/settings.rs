//! The app settings `jitadmin serve` gets in a dev environment: everything points at
//! tenant-sim, the outbound credential is the sim's managed-identity endpoint (the same
//! `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` contract as App Service), state is SQLite.

use std::path::Path;

use tenant_sim::TenantSim;

/// The audience the forwarder's managed identity requests tokens for.
pub const CALLOUT_AUDIENCE: &str = "api://jitadmin";

/// The settings, as `(name, value)` pairs.
pub fn handler_settings(sim: &TenantSim, state_dir: &Path) -> Vec<(String, String)> {
    let forwarder = sim
        .with_state(|s| s.managed_identities.first().map(|m| m.object_id.clone()))
        .unwrap_or_default();
    let store = format!("sqlite:{}", state_dir.join("jitadmin.db").display());
    [
        ("IDENTITY_ENDPOINT", sim.identity_endpoint()),
        ("IDENTITY_HEADER", sim.identity_header().to_owned()),
        ("JITADMIN_TENANT_ID", sim.tenant_id().to_owned()),
        ("JITADMIN_AUTHORITY_HOST", sim.authority_url().to_owned()),
        ("JITADMIN_GRAPH_BASE_URL", sim.graph_url().to_owned()),
        ("JITADMIN_STORE", store),
        ("JITADMIN_CALLOUT_AUDIENCES", CALLOUT_AUDIENCE.to_owned()),
        ("JITADMIN_CALLOUT_ALLOWED_CALLERS", forwarder),
        // Until decisions land (issue 6), the dev tenant lets created requests continue.
        ("JITADMIN_CREATED_STAGE", "continue".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}
