//! The Teams approvals' settings: the bot's identity and credential, where cards
//! are posted, who may decide, the card key, and how Bot Framework tokens are validated.
//!
//! Teams is off unless `JITADMIN_BOT_APP_ID` is set; then the channel, the service URL,
//! the approvers' group and the card key are required.

use std::time::Duration;

use jitadmin_auth::{BOT_ISSUER, BOT_OPENID_METADATA_URL};
use jitadmin_graph::CredentialConfig;

use super::{base_url, boolean, invalid, list, number, Lookup};
use crate::config::{ConfigError, PUBLIC_AUTHORITY_HOST};

/// The scope of the bot's Bot Framework token
/// (<https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication>).
pub const BOT_SCOPE: &str = "https://api.botframework.com/.default";
/// The shortest card key accepted, in bytes.
pub const CARD_KEY_MIN_BYTES: usize = 32;

/// Where Teams' Bot Connector lives: the public cloud and the US government clouds (GCC, GCC
/// High, DoD), as Microsoft lists them for proactive messages
/// (<https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages>).
pub const TEAMS_SERVICE_HOSTS: [&str; 4] = [
    "smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "smba.infra.gov.teams.microsoft.us",
    "smba.infra.dod.teams.microsoft.us",
];

/// The Teams approvals' settings.
#[derive(Clone, PartialEq, Eq)]
pub struct TeamsConfig {
    /// `JITADMIN_BOT_APP_ID`: the bot's Microsoft App ID (the `aud` of inbound tokens).
    pub app_id: String,
    /// `JITADMIN_BOT_TENANT_ID`: the bot's tenant (single-tenant bot); default our tenant.
    pub tenant_id: String,
    /// `JITADMIN_BOT_CREDENTIAL` (+ `JITADMIN_BOT_CLIENT_SECRET`): how the bot gets its token.
    pub credential: CredentialConfig,
    /// `JITADMIN_BOT_SCOPE`.
    pub scope: String,
    /// `JITADMIN_BOT_OPENID_METADATA_URL`: where the Connector's signing keys are found.
    pub openid_metadata_url: String,
    /// `JITADMIN_BOT_ISSUERS`: accepted `iss` of inbound tokens.
    pub issuers: Vec<String>,
    /// `JITADMIN_TEAMS_SERVICE_URL`: the Bot Connector base URL cards are posted to.
    pub service_url: String,
    /// `JITADMIN_TEAMS_SERVICE_HOSTS` (and the host of `service_url`): the only hosts the bot's
    /// token is sent to, whatever `serviceUrl` an activity or a stored contact names.
    pub service_hosts: Vec<String>,
    /// `JITADMIN_TEAMS_CHANNEL_ID`: the approvers' channel (`19:…@thread.tacv2`).
    pub channel_id: String,
    /// `JITADMIN_APPROVERS_GROUP`: members (transitive) may approve or deny.
    pub approvers_group: String,
    /// `JITADMIN_APPROVERS_CACHE_SECS`: how old the approvers' membership may be at a click.
    pub approvers_cache: Duration,
    /// `JITADMIN_APPROVERS_ALLOW_GUESTS`: whether guests in the approvers' group may decide.
    pub approvers_allow_guests: bool,
    /// `JITADMIN_CARD_KEY`: the HMAC key of card actions (never printed).
    pub card_key: Vec<u8>,
    /// `JITADMIN_TEAMS_RESUME_BUDGET_MS`: how long a click waits for Entra's resume before
    /// answering "recorded, applying" and retrying through the queue.
    pub resume_budget: Duration,
}

impl std::fmt::Debug for TeamsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamsConfig")
            .field("app_id", &self.app_id)
            .field("tenant_id", &self.tenant_id)
            .field("credential", &self.credential)
            .field("scope", &self.scope)
            .field("openid_metadata_url", &self.openid_metadata_url)
            .field("issuers", &self.issuers)
            .field("service_url", &self.service_url)
            .field("channel_id", &self.channel_id)
            .field("approvers_group", &self.approvers_group)
            .field("approvers_cache", &self.approvers_cache)
            .field("card_key", &"***")
            .field("resume_budget", &self.resume_budget)
            .finish()
    }
}

pub(in crate::config) fn load(
    get: Lookup<'_>,
    tenant_id: &str,
    authority_host: &str,
) -> Result<Option<TeamsConfig>, ConfigError> {
    let Some(app_id) = get("JITADMIN_BOT_APP_ID") else {
        return Ok(None);
    };
    let required = |name: &'static str, hint: &'static str| get(name).ok_or(ConfigError::Missing { name, hint });
    let tenant = get("JITADMIN_BOT_TENANT_ID").unwrap_or_else(|| tenant_id.to_string());
    let credential = credential(get, &app_id, &tenant, authority_host)?;
    if get("JITADMIN_TEAMS_SERVICE_URL").is_none() {
        return Err(ConfigError::Missing {
            name: "JITADMIN_TEAMS_SERVICE_URL",
            hint: "Teams approvals need the Bot Connector service URL (e.g. https://smba.trafficmanager.net/emea/)",
        });
    }
    let service_url = base_url(get, "JITADMIN_TEAMS_SERVICE_URL", "")?;
    let channel_id = required(
        "JITADMIN_TEAMS_CHANNEL_ID",
        "Teams approvals need the approvers' channel id (19:…@thread.tacv2)",
    )?;
    let approvers_group = required(
        "JITADMIN_APPROVERS_GROUP",
        "Teams approvals need the object id of the group whose members may decide",
    )?;
    let card_key = required(
        "JITADMIN_CARD_KEY",
        "Teams approvals need a random key of at least 32 characters (a Key Vault reference)",
    )?
    .into_bytes();
    if card_key.len() < CARD_KEY_MIN_BYTES {
        return Err(invalid(
            "JITADMIN_CARD_KEY",
            format!(
                "is {} bytes; use at least {CARD_KEY_MIN_BYTES} random characters",
                card_key.len()
            ),
        ));
    }
    let mut issuers = list(get, "JITADMIN_BOT_ISSUERS");
    if issuers.is_empty() {
        issuers = vec![BOT_ISSUER.to_string()];
    }
    let mut service_hosts = list(get, "JITADMIN_TEAMS_SERVICE_HOSTS");
    if service_hosts.is_empty() {
        service_hosts = TEAMS_SERVICE_HOSTS.iter().map(|h| h.to_string()).collect();
    }
    if let Some(host) = url::Url::parse(&service_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
    {
        service_hosts.push(host);
    }
    Ok(Some(TeamsConfig {
        service_hosts,
        scope: get("JITADMIN_BOT_SCOPE").unwrap_or_else(|| BOT_SCOPE.into()),
        openid_metadata_url: base_url(get, "JITADMIN_BOT_OPENID_METADATA_URL", BOT_OPENID_METADATA_URL)?,
        issuers,
        service_url,
        channel_id,
        approvers_group,
        approvers_cache: Duration::from_secs(number(get, "JITADMIN_APPROVERS_CACHE_SECS", 5, 0..=60)?),
        approvers_allow_guests: boolean(get, "JITADMIN_APPROVERS_ALLOW_GUESTS", false)?,
        card_key,
        resume_budget: Duration::from_millis(number(get, "JITADMIN_TEAMS_RESUME_BUDGET_MS", 4000, 100..=12_000)?),
        credential,
        tenant_id: tenant,
        app_id,
    }))
}

fn credential(
    get: Lookup<'_>,
    app_id: &str,
    tenant: &str,
    authority_host: &str,
) -> Result<CredentialConfig, ConfigError> {
    match get("JITADMIN_BOT_CREDENTIAL")
        .map(|k| k.to_ascii_lowercase())
        .as_deref()
    {
        // A user-assigned managed identity bot: the identity's client id is the bot's app id.
        None | Some("managed-identity") => Ok(CredentialConfig::ManagedIdentity {
            client_id: Some(app_id.to_string()),
        }),
        Some("client-secret") => {
            let secret = get("JITADMIN_BOT_CLIENT_SECRET").ok_or(ConfigError::Missing {
                name: "JITADMIN_BOT_CLIENT_SECRET",
                hint: "a client-secret bot needs its app registration's secret (a Key Vault reference in Azure)",
            })?;
            let authority_host = (authority_host != PUBLIC_AUTHORITY_HOST).then(|| authority_host.to_string());
            if authority_host.as_deref().is_some_and(|h| !h.starts_with("https://")) {
                return Err(invalid(
                    "JITADMIN_BOT_CREDENTIAL",
                    "client-secret needs an https JITADMIN_AUTHORITY_HOST (azure_identity refuses http); \
                     use managed-identity against tenant-sim"
                        .into(),
                ));
            }
            Ok(CredentialConfig::ClientSecret {
                tenant: tenant.to_string(),
                client_id: app_id.to_string(),
                secret,
                authority_host,
            })
        }
        Some("workload-identity") => Ok(CredentialConfig::WorkloadIdentity {
            tenant: Some(tenant.to_string()),
            client_id: Some(app_id.to_string()),
        }),
        Some(other) => Err(invalid(
            "JITADMIN_BOT_CREDENTIAL",
            format!("{other:?} is not managed-identity, client-secret or workload-identity"),
        )),
    }
}

/// The value `describe` prints for a Teams setting, `None` for other names.
pub(in crate::config) fn describe(teams: &Option<TeamsConfig>, name: &str) -> Option<String> {
    const OFF: &str = "(Teams off: JITADMIN_BOT_APP_ID unset)";
    if !name.starts_with("JITADMIN_BOT_")
        && !name.starts_with("JITADMIN_TEAMS_")
        && !name.starts_with("JITADMIN_APPROVERS_")
        && name != "JITADMIN_CARD_KEY"
    {
        return None;
    }
    let Some(t) = teams else {
        return Some(if name == "JITADMIN_BOT_APP_ID" { "(none)" } else { OFF }.to_string());
    };
    Some(match name {
        "JITADMIN_BOT_APP_ID" => t.app_id.clone(),
        "JITADMIN_BOT_TENANT_ID" => t.tenant_id.clone(),
        "JITADMIN_BOT_CREDENTIAL" => match &t.credential {
            CredentialConfig::ManagedIdentity { .. } => "managed-identity".into(),
            CredentialConfig::ClientSecret { .. } => "client-secret".into(),
            CredentialConfig::WorkloadIdentity { .. } => "workload-identity".into(),
            CredentialConfig::AzureCli => "azure-cli".into(),
        },
        "JITADMIN_BOT_CLIENT_SECRET" => match &t.credential {
            CredentialConfig::ClientSecret { .. } => "*** (set)".into(),
            _ => "(not used)".into(),
        },
        "JITADMIN_BOT_SCOPE" => t.scope.clone(),
        "JITADMIN_BOT_OPENID_METADATA_URL" => t.openid_metadata_url.clone(),
        "JITADMIN_BOT_ISSUERS" => t.issuers.join(","),
        "JITADMIN_TEAMS_SERVICE_URL" => t.service_url.clone(),
        "JITADMIN_TEAMS_SERVICE_HOSTS" => t.service_hosts.join(","),
        "JITADMIN_TEAMS_CHANNEL_ID" => t.channel_id.clone(),
        "JITADMIN_TEAMS_RESUME_BUDGET_MS" => t.resume_budget.as_millis().to_string(),
        "JITADMIN_APPROVERS_GROUP" => t.approvers_group.clone(),
        "JITADMIN_APPROVERS_CACHE_SECS" => t.approvers_cache.as_secs().to_string(),
        "JITADMIN_APPROVERS_ALLOW_GUESTS" => t.approvers_allow_guests.to_string(),
        "JITADMIN_CARD_KEY" => "*** (set)".into(),
        _ => return None,
    })
}
