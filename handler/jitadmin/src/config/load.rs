//! Reading and validating the settings of [`super::SETTINGS`].

use std::time::Duration;

use jitadmin_auth::EM_APP_ID;
use jitadmin_graph::{CredentialConfig, GRAPH_BASE_URL, GRAPH_SCOPE};
use jitadmin_store::StoreConfig;

use super::{
    AuthorityConfig, CalloutAuthConfig, CalloutAuthMode, Config, ConfigError, CreatedStage, GraphSettings,
    ManagedPackages, PopSettings, DEV_STORE, PUBLIC_AUTHORITY_HOST, PUBLIC_V1_ISSUER_BASE,
};

pub(super) mod device_loop;
pub(super) mod teams;

type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Set by App Service / Functions in Azure; its presence means "running in Azure".
const AZURE_SITE_MARKER: &str = "WEBSITE_SITE_NAME";

/// Every part is read even after one failed, so that one start names every setting to fix.
pub(super) fn load(get: Lookup<'_>) -> Result<Config, ConfigError> {
    let mut errors = Vec::new();
    let tenant_id = match get("JITADMIN_TENANT_ID") {
        Some(t) if is_guid(&t) => t,
        Some(t) => {
            errors.push(invalid("JITADMIN_TENANT_ID", format!("{t:?} is not a GUID")));
            String::new()
        }
        None => {
            errors.push(ConfigError::Missing {
                name: "JITADMIN_TENANT_ID",
                hint: "set it to the Entra tenant id (a GUID)",
            });
            String::new()
        }
    };
    let authority = keep(&mut errors, authority(get));
    let host = authority.as_ref().map_or(PUBLIC_AUTHORITY_HOST, |a| a.host.as_str());
    let teams = keep(&mut errors, teams::load(get, &tenant_id, host));
    let device_loop = keep(&mut errors, device_loop::load(get));
    let credential = authority
        .as_ref()
        .and_then(|a| keep(&mut errors, credential(get, &tenant_id, a)));
    let store = keep(&mut errors, store(get));
    let callout = keep(&mut errors, callout(get));
    let graph = keep(&mut errors, graph(get));
    let created_stage = keep(&mut errors, created_stage(get));
    let packages = keep(&mut errors, packages(get));
    match (
        authority,
        teams,
        device_loop,
        credential,
        store,
        callout,
        graph,
        created_stage,
        packages,
    ) {
        (
            Some(authority),
            Some(teams),
            Some((watch, sync, notify)),
            Some(credential),
            Some(store),
            Some(callout),
            Some(graph),
            Some(created_stage),
            Some(packages),
        ) if errors.is_empty() => Ok(Config {
            watch,
            sync,
            notify,
            teams,
            credential,
            store,
            callout,
            graph,
            rules: get("JITADMIN_RULES").map(std::path::PathBuf::from),
            created_stage,
            resume_source: get("JITADMIN_RESUME_SOURCE").unwrap_or_else(|| "jitadmin".into()),
            packages,
            direct_queue: direct_queue(get),
            tenant_id,
            authority,
        }),
        _ => Err(ConfigError::all(errors)),
    }
}

/// The value, or `None` with the error kept.
fn keep<T>(errors: &mut Vec<ConfigError>, result: Result<T, ConfigError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

fn created_stage(get: Lookup<'_>) -> Result<CreatedStage, ConfigError> {
    match get("JITADMIN_CREATED_STAGE")
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("wait") => Ok(CreatedStage::Wait),
        Some("continue") => Ok(CreatedStage::Continue),
        Some(other) => Err(invalid(
            "JITADMIN_CREATED_STAGE",
            format!("{other:?} is not continue or wait"),
        )),
    }
}

fn authority(get: Lookup<'_>) -> Result<AuthorityConfig, ConfigError> {
    let host = base_url(get, "JITADMIN_AUTHORITY_HOST", PUBLIC_AUTHORITY_HOST)?;
    let v1_default = if host == PUBLIC_AUTHORITY_HOST {
        PUBLIC_V1_ISSUER_BASE
    } else {
        &host
    };
    Ok(AuthorityConfig {
        v1_issuer_base: base_url(get, "JITADMIN_ISSUER_V1_BASE", v1_default)?,
        v2_issuer_base: base_url(get, "JITADMIN_ISSUER_V2_BASE", &host)?,
        key_fetch_timeout: Duration::from_millis(number(get, "JITADMIN_OPENID_TIMEOUT_MS", 800, 50..=60_000)?),
        host,
    })
}

fn graph(get: Lookup<'_>) -> Result<GraphSettings, ConfigError> {
    Ok(GraphSettings {
        base_url: base_url(get, "JITADMIN_GRAPH_BASE_URL", GRAPH_BASE_URL)?,
        scope: get("JITADMIN_GRAPH_SCOPE").unwrap_or_else(|| GRAPH_SCOPE.into()),
        timeout: Duration::from_secs(number(get, "JITADMIN_GRAPH_TIMEOUT_SECS", 30, 1..=600)?),
        max_attempts: number(get, "JITADMIN_GRAPH_MAX_ATTEMPTS", 6, 1..=20)? as u32,
    })
}

fn credential(get: Lookup<'_>, tenant_id: &str, authority: &AuthorityConfig) -> Result<CredentialConfig, ConfigError> {
    let client_id = get("JITADMIN_CLIENT_ID");
    let kind = get("JITADMIN_CREDENTIAL").map(|k| k.to_ascii_lowercase());
    match kind.as_deref() {
        None | Some("managed-identity") => Ok(CredentialConfig::ManagedIdentity { client_id }),
        Some("client-secret") => {
            let client_id = client_id.ok_or(ConfigError::Missing {
                name: "JITADMIN_CLIENT_ID",
                hint: "client-secret needs the app registration's client id",
            })?;
            let secret = get("JITADMIN_CLIENT_SECRET").ok_or(ConfigError::Missing {
                name: "JITADMIN_CLIENT_SECRET",
                hint: "client-secret needs the app registration's secret (a Key Vault reference in Azure)",
            })?;
            let authority_host = (authority.host != PUBLIC_AUTHORITY_HOST).then(|| authority.host.clone());
            if authority_host.as_deref().is_some_and(|h| !h.starts_with("https://")) {
                return Err(invalid(
                    "JITADMIN_CREDENTIAL",
                    "client-secret needs an https JITADMIN_AUTHORITY_HOST (azure_identity refuses http); \
                     use managed-identity against tenant-sim"
                        .into(),
                ));
            }
            Ok(CredentialConfig::ClientSecret {
                tenant: tenant_id.to_string(),
                client_id,
                secret,
                authority_host,
            })
        }
        Some("workload-identity") => Ok(CredentialConfig::WorkloadIdentity {
            tenant: Some(tenant_id.to_string()),
            client_id,
        }),
        Some("azure-cli") => Ok(CredentialConfig::AzureCli),
        Some(other) => Err(invalid(
            "JITADMIN_CREDENTIAL",
            format!("{other:?} is not managed-identity, client-secret, workload-identity or azure-cli"),
        )),
    }
}

fn store(get: Lookup<'_>) -> Result<StoreConfig, ConfigError> {
    let setting = match get("JITADMIN_STORE") {
        Some(s) => s,
        None if get(AZURE_SITE_MARKER).is_some() => {
            return Err(ConfigError::Missing {
                name: "JITADMIN_STORE",
                hint: "in Azure set it to table+identity:https://ACCOUNT.table.core.windows.net \
                       (a local SQLite file is not shared between instances)",
            })
        }
        None => DEV_STORE.to_string(),
    };
    // The store's own errors never repeat an account key.
    let config = StoreConfig::parse(&setting).map_err(|e| invalid("JITADMIN_STORE", e.to_string()))?;
    match get("JITADMIN_STORE_TABLE_PREFIX") {
        Some(prefix) => config
            .with_table_prefix(&prefix)
            .map_err(|e| invalid("JITADMIN_STORE_TABLE_PREFIX", e.to_string())),
        None => Ok(config),
    }
}

fn callout(get: Lookup<'_>) -> Result<CalloutAuthConfig, ConfigError> {
    let mode = match get("JITADMIN_CALLOUT_AUTH").map(|m| m.to_ascii_lowercase()).as_deref() {
        None | Some("bearer") => CalloutAuthMode::Bearer,
        Some("pop") => CalloutAuthMode::Pop,
        Some(other) => {
            return Err(invalid(
                "JITADMIN_CALLOUT_AUTH",
                format!("{other:?} is not bearer or pop"),
            ))
        }
    };
    let audiences = list(get, "JITADMIN_CALLOUT_AUDIENCES");
    let allowed_callers = list(get, "JITADMIN_CALLOUT_ALLOWED_CALLERS");
    if mode == CalloutAuthMode::Bearer {
        let mut missing = Vec::new();
        if audiences.is_empty() {
            missing.push(ConfigError::Missing {
                name: "JITADMIN_CALLOUT_AUDIENCES",
                hint: "bearer callout auth needs the audience the forwarder requests (e.g. api://jitadmin)",
            });
        }
        if allowed_callers.is_empty() {
            missing.push(ConfigError::Missing {
                name: "JITADMIN_CALLOUT_ALLOWED_CALLERS",
                hint: "bearer callout auth needs the forwarder's managed identity object id",
            });
        }
        if !missing.is_empty() {
            return Err(ConfigError::all(missing));
        }
    }
    let mut pop_audiences = list(get, "JITADMIN_POP_AUDIENCES");
    if pop_audiences.is_empty() {
        pop_audiences = vec![
            "https://management.azure.com".into(),
            "https://management.azure.com/".into(),
        ];
    }
    let mut app_ids = list(get, "JITADMIN_POP_APP_IDS");
    if app_ids.is_empty() {
        app_ids = vec![EM_APP_ID.into()];
    }
    let path = get("JITADMIN_POP_PATH");
    if path.as_deref().is_some_and(|p| !p.starts_with('/')) {
        return Err(invalid("JITADMIN_POP_PATH", "must start with /".into()));
    }
    Ok(CalloutAuthConfig {
        mode,
        audiences,
        allowed_callers,
        leeway: Duration::from_secs(number(get, "JITADMIN_TOKEN_LEEWAY_SECS", 300, 0..=3600)?),
        pop: PopSettings {
            audiences: pop_audiences,
            app_ids,
            host: get("JITADMIN_POP_HOST"),
            path,
            max_ts_skew: Duration::from_secs(number(get, "JITADMIN_POP_MAX_TS_SKEW_SECS", 300, 1..=3600)?),
            require_nonce: boolean(get, "JITADMIN_POP_REQUIRE_NONCE", false)?,
        },
    })
}

fn invalid(name: &'static str, reason: String) -> ConfigError {
    ConfigError::Invalid { name, reason }
}

/// `JITADMIN_ACCESS_PACKAGES`, or its older name `JITADMIN_WATCH_ACCESS_PACKAGES`; required in
/// Azure, where a forwarder anyone can attach to another package must not make jitadmin act.
fn packages(get: Lookup<'_>) -> Result<ManagedPackages, ConfigError> {
    let current = list(get, "JITADMIN_ACCESS_PACKAGES");
    let older = list(get, "JITADMIN_WATCH_ACCESS_PACKAGES");
    let ids = match (current.is_empty(), older.is_empty()) {
        (false, false) if !same_ids(&current, &older) => {
            return Err(invalid(
                "JITADMIN_WATCH_ACCESS_PACKAGES",
                "differs from JITADMIN_ACCESS_PACKAGES; set only JITADMIN_ACCESS_PACKAGES".to_string(),
            ))
        }
        (false, _) => current,
        (true, _) => older,
    };
    if let Some(bad) = ids.iter().find(|id| !is_guid(id)) {
        return Err(invalid("JITADMIN_ACCESS_PACKAGES", format!("{bad:?} is not a GUID")));
    }
    if ids.is_empty() && get(AZURE_SITE_MARKER).is_some() {
        return Err(ConfigError::Missing {
            name: "JITADMIN_ACCESS_PACKAGES",
            hint: "name the access packages (ids, comma-separated) whose callouts jitadmin acts on",
        });
    }
    Ok(ManagedPackages::of(ids))
}

fn same_ids(a: &[String], b: &[String]) -> bool {
    let norm = |v: &[String]| {
        let mut v: Vec<String> = v.iter().map(|s| s.to_ascii_lowercase()).collect();
        v.sort();
        v
    };
    norm(a) == norm(b)
}

fn list(get: Lookup<'_>, name: &str) -> Vec<String> {
    get(name)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn number(
    get: Lookup<'_>,
    name: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(raw) = get(name) else {
        return Ok(default);
    };
    match raw.parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(invalid(
            name,
            format!(
                "{raw:?} is not a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        )),
    }
}

pub(super) fn boolean(get: Lookup<'_>, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match get(name).map(|v| v.to_ascii_lowercase()).as_deref() {
        None => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(invalid(name, format!("{other:?} is not true or false"))),
    }
}

/// An http(s) URL without a trailing slash.
fn base_url(get: Lookup<'_>, name: &'static str, default: &str) -> Result<String, ConfigError> {
    let raw = get(name).unwrap_or_else(|| default.to_string());
    let url = url::Url::parse(&raw).map_err(|e| invalid(name, format!("{raw:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(name, format!("{raw:?} is not an http(s) URL")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(name, format!("{raw:?} must not have a query or fragment")));
    }
    Ok(raw.trim_end_matches('/').to_string())
}

fn is_guid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

fn direct_queue(get: Lookup<'_>) -> Option<super::DirectQueue> {
    let namespace = get("JITADMIN_SERVICEBUS_NAMESPACE").filter(|v| !v.trim().is_empty());
    let connection_string = get("JITADMIN_SERVICEBUS_CONNECTION_STRING").filter(|v| !v.trim().is_empty());
    let queue = get("JITADMIN_SERVICEBUS_QUEUE").unwrap_or_else(|| "events".into());
    if namespace.is_none() && connection_string.is_none() {
        return None;
    }
    Some(super::DirectQueue {
        namespace,
        connection_string,
        queue,
    })
}
