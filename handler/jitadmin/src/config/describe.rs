//! The effective settings for diagnostics, secrets masked.

use jitadmin_graph::CredentialConfig;

use super::{CalloutAuthMode, Config, CreatedStage, SETTINGS};

/// What is printed instead of a secret that is set.
const MASK: &str = "*** (set)";

pub(super) fn describe(config: &Config) -> Vec<(&'static str, String)> {
    SETTINGS
        .iter()
        .map(|setting| (setting.name, value(config, setting.name)))
        .collect()
}

fn value(c: &Config, name: &str) -> String {
    let join = |v: &[String]| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.join(",")
        }
    };
    let opt = |v: &Option<String>, none: &str| v.clone().unwrap_or_else(|| none.to_string());
    match name {
        "JITADMIN_TENANT_ID" => c.tenant_id.clone(),
        "JITADMIN_AUTHORITY_HOST" => c.authority.host.clone(),
        "JITADMIN_ISSUER_V1_BASE" => c.authority.v1_issuer_base.clone(),
        "JITADMIN_ISSUER_V2_BASE" => c.authority.v2_issuer_base.clone(),
        "JITADMIN_OPENID_TIMEOUT_MS" => c.authority.key_fetch_timeout.as_millis().to_string(),
        "JITADMIN_GRAPH_BASE_URL" => c.graph.base_url.clone(),
        "JITADMIN_GRAPH_SCOPE" => c.graph.scope.clone(),
        "JITADMIN_GRAPH_TIMEOUT_SECS" => c.graph.timeout.as_secs().to_string(),
        "JITADMIN_GRAPH_MAX_ATTEMPTS" => c.graph.max_attempts.to_string(),
        "JITADMIN_CREDENTIAL" => c.credential_kind().into(),
        "JITADMIN_CLIENT_ID" => match &c.credential {
            CredentialConfig::ManagedIdentity { client_id } => opt(client_id, "(system-assigned)"),
            CredentialConfig::ClientSecret { client_id, .. } => client_id.clone(),
            CredentialConfig::WorkloadIdentity { client_id, .. } => opt(client_id, "(AZURE_CLIENT_ID)"),
            CredentialConfig::AzureCli => "(not used)".into(),
        },
        "JITADMIN_CLIENT_SECRET" => match &c.credential {
            CredentialConfig::ClientSecret { .. } => MASK.into(),
            _ => "(not used)".into(),
        },
        // The store's Display masks account keys.
        "JITADMIN_STORE" => c.store.to_string(),
        "JITADMIN_STORE_TABLE_PREFIX" => c.store.table_prefix.clone(),
        "JITADMIN_CALLOUT_AUTH" => match c.callout.mode {
            CalloutAuthMode::Bearer => "bearer".into(),
            CalloutAuthMode::Pop => "pop".into(),
        },
        "JITADMIN_CALLOUT_AUDIENCES" => join(&c.callout.audiences),
        "JITADMIN_CALLOUT_ALLOWED_CALLERS" => join(&c.callout.allowed_callers),
        "JITADMIN_TOKEN_LEEWAY_SECS" => c.callout.leeway.as_secs().to_string(),
        "JITADMIN_POP_AUDIENCES" => join(&c.callout.pop.audiences),
        "JITADMIN_POP_APP_IDS" => join(&c.callout.pop.app_ids),
        "JITADMIN_POP_HOST" => opt(&c.callout.pop.host, "(the request's host)"),
        "JITADMIN_POP_PATH" => opt(&c.callout.pop.path, "(the request's path)"),
        "JITADMIN_POP_MAX_TS_SKEW_SECS" => c.callout.pop.max_ts_skew.as_secs().to_string(),
        "JITADMIN_POP_REQUIRE_NONCE" => c.callout.pop.require_nonce.to_string(),
        "JITADMIN_RULES" => opt_path(&c.rules),
        "JITADMIN_CREATED_STAGE" => match c.created_stage {
            CreatedStage::Continue => "continue".into(),
            CreatedStage::Wait => "wait".into(),
        },
        "JITADMIN_RESUME_SOURCE" => c.resume_source.clone(),
        "JITADMIN_ACCESS_PACKAGES" | "JITADMIN_WATCH_ACCESS_PACKAGES" => match c.packages.is_unrestricted() {
            true => "(every package)".into(),
            false => c.packages.ids().join(","),
        },
        "JITADMIN_SERVICEBUS_NAMESPACE" => c
            .direct_queue
            .as_ref()
            .and_then(|q| q.namespace.clone())
            .unwrap_or_else(|| "(none: the output binding)".into()),
        "JITADMIN_SERVICEBUS_CONNECTION_STRING" => {
            match c.direct_queue.as_ref().and_then(|q| q.connection_string.as_ref()) {
                Some(_) => "(set, not shown)".into(),
                None => "(none)".into(),
            }
        }
        "JITADMIN_SERVICEBUS_QUEUE" => c
            .direct_queue
            .as_ref()
            .map(|q| q.queue.clone())
            .unwrap_or_else(|| "events".into()),
        _ => super::load::teams::describe(&c.teams, name)
            .or_else(|| super::load::device_loop::describe((&c.watch, &c.sync, &c.notify), name))
            .unwrap_or_else(|| "(unknown)".into()),
    }
}

/// The `JITADMIN_CREDENTIAL` spelling of a credential.
pub(super) fn credential_kind(credential: &CredentialConfig) -> &'static str {
    match credential {
        CredentialConfig::ManagedIdentity { .. } => "managed-identity",
        CredentialConfig::ClientSecret { .. } => "client-secret",
        CredentialConfig::WorkloadIdentity { .. } => "workload-identity",
        CredentialConfig::AzureCli => "azure-cli",
    }
}

fn opt_path(path: &Option<std::path::PathBuf>) -> String {
    path.as_ref().map_or_else(
        || "(none: JITADMIN_CREATED_STAGE decides)".into(),
        |p| p.display().to_string(),
    )
}
