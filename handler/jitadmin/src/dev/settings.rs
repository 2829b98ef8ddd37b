//! The app settings `jitadmin serve` gets in a dev environment: everything points at
//! tenant-sim, the outbound credential is the sim's managed-identity endpoint (the same
//! `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` contract as App Service), state is SQLite, and the
//! repository's example rules (`rules.example.toml`, written into the state directory)
//! decide created requests.

use std::path::Path;

use tenant_sim::TenantSim;

/// The example rules shipped at the repository root: what `jitadmin dev` decides by.
pub const EXAMPLE_RULES: &str = include_str!("../../../../rules.example.toml");

/// The file name of the example rules in the dev state directory.
pub const RULES_FILE: &str = "rules.example.toml";

/// The audience the forwarder's managed identity requests tokens for.
pub const CALLOUT_AUDIENCE: &str = "api://jitadmin";

/// The settings, as `(name, value)` pairs.
pub fn handler_settings(sim: &TenantSim, state_dir: &Path) -> Vec<(String, String)> {
    let forwarder = sim
        .with_state(|s| s.managed_identities.first().map(|m| m.object_id.clone()))
        .unwrap_or_default();
    let store = format!("sqlite:{}", state_dir.join("jitadmin.db").display());
    let packages = managed_packages(sim);
    [
        ("IDENTITY_ENDPOINT", sim.identity_endpoint()),
        ("IDENTITY_HEADER", sim.identity_header().to_owned()),
        ("JITADMIN_TENANT_ID", sim.tenant_id().to_owned()),
        ("JITADMIN_AUTHORITY_HOST", sim.authority_url().to_owned()),
        ("JITADMIN_GRAPH_BASE_URL", sim.graph_url().to_owned()),
        ("JITADMIN_STORE", store),
        ("JITADMIN_CALLOUT_AUDIENCES", CALLOUT_AUDIENCE.to_owned()),
        ("JITADMIN_CALLOUT_ALLOWED_CALLERS", forwarder),
        ("JITADMIN_ACCESS_PACKAGES", packages),
        // Used only if the example rules could not be written (see below).
        ("JITADMIN_CREATED_STAGE", "continue".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(example_rules(state_dir).map(|path| ("JITADMIN_RULES".to_owned(), path)))
    .collect()
}

/// The access packages that grant local admin: those whose resource is a group (the
/// local-admin group the Intune policy names).
pub fn managed_packages(sim: &TenantSim) -> String {
    sim.with_state(|s| {
        s.access_packages
            .iter()
            .filter(|p| p.resource_group_id.is_some())
            .map(|p| p.id.clone())
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// Write the example rules into the state directory (afresh each start, so the demo
/// decides as documented) and return the path.
fn example_rules(state_dir: &Path) -> Option<String> {
    let path = state_dir.join(RULES_FILE);
    match std::fs::create_dir_all(state_dir).and_then(|()| std::fs::write(&path, EXAMPLE_RULES)) {
        Ok(()) => Some(path.display().to_string()),
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "cannot write the example rules; created requests will continue undecided");
            None
        }
    }
}

/// The group watch: every access package's resource group (the local-admin group) is
/// watched through a Graph subscription delivered to the front door; drift is reported
/// (not removed: the demo tenant's standing admins would be removed otherwise).
pub fn watch_settings(sim: &TenantSim, api_url: &str) -> Vec<(String, String)> {
    let groups: Vec<String> = sim.with_state(|s| {
        s.access_packages
            .iter()
            .filter_map(|p| p.resource_group_id.clone())
            .collect()
    });
    if groups.is_empty() {
        return Vec::new();
    }
    [
        ("JITADMIN_WATCH_GROUPS", groups.join(",")),
        ("JITADMIN_NOTIFICATION_URL", format!("{api_url}/notifications")),
        (
            "JITADMIN_CLIENT_STATE",
            format!("dev-{}", uuid::Uuid::new_v4().simple()),
        ),
        ("JITADMIN_DRIFT_ACTION", "report".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The user's notice: in Teams where the bot can reach them (with `teams`), else by mail
/// from the first IT member's mailbox (the sim accepts `sendMail` for any of its users).
pub fn notify_settings(sim: &TenantSim, teams: bool) -> Vec<(String, String)> {
    let mailbox = sim.with_state(|s| {
        let members = || {
            s.users()
                .iter()
                .filter(|u| u.account_enabled && u.user_type == tenant_sim::UserType::Member)
        };
        members()
            .find(|u| u.department.as_deref() == Some("IT"))
            .or_else(|| members().next())
            .map(|u| u.user_principal_name.clone())
    });
    let Some(mailbox) = mailbox else {
        return vec![("JITADMIN_NOTIFY".to_owned(), "none".to_owned())];
    };
    let mode = if teams { "teams" } else { "mail" };
    vec![
        ("JITADMIN_NOTIFY".to_owned(), mode.to_owned()),
        ("JITADMIN_NOTIFY_MAILBOX".to_owned(), mailbox),
    ]
}

/// The approvers' group of the demo tenant: the group named like "Approvers".
pub const APPROVERS_GROUP_NAME: &str = "Approvers";

/// Teams approvals against the sim's Bot Framework: the bot is the Function App's managed
/// identity (a user-assigned-identity bot, B0; the sim's Connector is told so), cards go to
/// the first channel the bot is installed in, the approvers are the demo's "JIT Approvers",
/// and the card key is new at every start. Empty when the scenario has no bot or channel.
pub fn teams_settings(sim: &TenantSim) -> Vec<(String, String)> {
    let bot = sim.bot();
    let channel = bot
        .teams()
        .into_iter()
        .flat_map(|t| t.channels.into_iter().map(|c| c.id))
        .next();
    let (identity, group) = sim.with_state(|s| {
        (
            s.managed_identities.first().map(|m| m.client_id.clone()),
            s.groups
                .iter()
                .find(|g| g.display_name.contains(APPROVERS_GROUP_NAME))
                .map(|g| g.id.clone()),
        )
    });
    let (Some(channel), Some(identity), Some(group)) = (channel, identity, group) else {
        return Vec::new();
    };
    let key = format!("dev-{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    [
        ("JITADMIN_BOT_APP_ID", identity),
        ("JITADMIN_BOT_CREDENTIAL", "managed-identity".to_owned()),
        ("JITADMIN_BOT_OPENID_METADATA_URL", bot.openid_metadata_url()),
        ("JITADMIN_BOT_ISSUERS", bot.issuer()),
        ("JITADMIN_TEAMS_SERVICE_URL", bot.service_url()),
        ("JITADMIN_TEAMS_CHANNEL_ID", channel),
        ("JITADMIN_APPROVERS_GROUP", group),
        ("JITADMIN_CARD_KEY", key),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}
