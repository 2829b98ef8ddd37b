//! The list of settings: names, defaults, meaning. The single source for diagnostics
//! (`jitadmin config`) and documentation (README, `jitadmin dev`).

/// One environment variable jitadmin reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The environment variable.
    pub name: &'static str,
    /// The default, in words (`None`: required, or optional without a default).
    pub default: Option<&'static str>,
    /// Whether the value is a secret (never printed).
    pub secret: bool,
    /// What it means.
    pub meaning: &'static str,
}

const fn s(name: &'static str, default: Option<&'static str>, meaning: &'static str) -> Setting {
    Setting {
        name,
        default,
        secret: false,
        meaning,
    }
}

/// Every setting, in the order [`super::Config::describe`] lists them.
pub const SETTINGS: &[Setting] = &[
    s(
        "JITADMIN_TENANT_ID",
        None,
        "Required. The Entra tenant id (GUID): tokens must carry it in `tid`, issuers are built from it.",
    ),
    s(
        "JITADMIN_AUTHORITY_HOST",
        Some("https://login.microsoftonline.com"),
        "Login authority; OpenID metadata is read at {host}/{tid}/v2.0/.well-known/openid-configuration. \
         tenant-sim: its base URL.",
    ),
    s(
        "JITADMIN_ISSUER_V1_BASE",
        Some("https://sts.windows.net for the public authority, else the authority host"),
        "v1 tokens must be issued by {base}/{tid}/.",
    ),
    s(
        "JITADMIN_ISSUER_V2_BASE",
        Some("the authority host"),
        "v2 tokens must be issued by {base}/{tid}/v2.0.",
    ),
    s(
        "JITADMIN_OPENID_TIMEOUT_MS",
        Some("800"),
        "Timeout of one OpenID metadata or JWKS fetch; a cold cache costs two (keep both under the 2 s callout budget).",
    ),
    s(
        "JITADMIN_GRAPH_BASE_URL",
        Some("https://graph.microsoft.com"),
        "Microsoft Graph base URL without the version. tenant-sim: its base URL.",
    ),
    s(
        "JITADMIN_GRAPH_SCOPE",
        Some("https://graph.microsoft.com/.default"),
        "Token scope for Graph (a sovereign cloud's own; tenant-sim accepts the default).",
    ),
    s(
        "JITADMIN_GRAPH_TIMEOUT_SECS",
        Some("30"),
        "Timeout of one Graph attempt.",
    ),
    s(
        "JITADMIN_GRAPH_MAX_ATTEMPTS",
        Some("6"),
        "Attempts per Graph request on 429/503/504 and connection errors (1 = no retry).",
    ),
    s(
        "JITADMIN_CREDENTIAL",
        Some("managed-identity"),
        "Credential for outbound calls: managed-identity | client-secret | workload-identity | azure-cli. \
         managed-identity reads IDENTITY_ENDPOINT/IDENTITY_HEADER (tenant-sim serves them).",
    ),
    s(
        "JITADMIN_CLIENT_ID",
        None,
        "Client id: of a user-assigned managed identity (optional; system-assigned otherwise), \
         of the app registration (client-secret, required), or for workload-identity (else AZURE_CLIENT_ID).",
    ),
    Setting {
        name: "JITADMIN_CLIENT_SECRET",
        default: None,
        secret: true,
        meaning: "The app registration's secret (client-secret only; use a Key Vault reference in Azure).",
    },
    s(
        "JITADMIN_STORE",
        Some("sqlite:jitadmin.db outside Azure; required in Azure (WEBSITE_SITE_NAME set)"),
        "State store: sqlite:PATH | sqlite::memory: | table:<connection string> | \
         table+identity:https://ACCOUNT.table.core.windows.net (uses JITADMIN_CREDENTIAL).",
    ),
    s(
        "JITADMIN_STORE_TABLE_PREFIX",
        Some("jitadmin"),
        "Prefix of the store's table names.",
    ),
    s(
        "JITADMIN_CALLOUT_AUTH",
        Some("bearer"),
        "How callout authenticates: bearer (the forwarding Logic App's managed identity) | \
         pop (entitlement management's PoP token, direct endpoint).",
    ),
    s(
        "JITADMIN_CALLOUT_AUDIENCES",
        None,
        "Comma-separated accepted audiences of bearer tokens (e.g. api://jitadmin,<app client id>). \
         Required for bearer.",
    ),
    s(
        "JITADMIN_CALLOUT_ALLOWED_CALLERS",
        None,
        "Comma-separated object ids (oid) allowed to call callout with a bearer token \
         (the forwarder's managed identity). Required for bearer.",
    ),
    s(
        "JITADMIN_TOKEN_LEEWAY_SECS",
        Some("300"),
        "Clock skew allowed on exp and nbf.",
    ),
    s(
        "JITADMIN_POP_AUDIENCES",
        Some("https://management.azure.com,https://management.azure.com/"),
        "pop: accepted audiences of the inner access token (Azure Resource Manager by assumption: Microsoft does not document the audience).",
    ),
    s(
        "JITADMIN_POP_APP_IDS",
        Some("810dcf14-1858-4bf2-8134-4c369fa3235b"),
        "pop: accepted appid/azp of the inner token (entitlement management's first-party app).",
    ),
    s(
        "JITADMIN_POP_HOST",
        Some("the request's host"),
        "pop: what the signed request's `u` must equal (e.g. management.azure.com behind a Logic App).",
    ),
    s(
        "JITADMIN_POP_PATH",
        Some("the request's path"),
        "pop: what the signed request's `p` must equal (e.g. the Logic App's ARM resource path).",
    ),
    s(
        "JITADMIN_POP_MAX_TS_SKEW_SECS",
        Some("300"),
        "pop: how far the signed request's `ts` may be from now.",
    ),
    s(
        "JITADMIN_POP_REQUIRE_NONCE",
        Some("false"),
        "pop: refuse signed requests without a nonce (Microsoft does not document that entitlement management sends one). \
         Nonces are remembered per instance.",
    ),
    s(
        "JITADMIN_RULES",
        None,
        "Path of the rules file (rules.toml) that decides assignmentRequestCreated callouts: approve, \
         deny or route. Compiled at start-up; a bad file stops start-up with FILE:LINE:COL. \
         Check it with `jitadmin rules check FILE`.",
    ),
    s(
        "JITADMIN_CREATED_STAGE",
        Some("wait"),
        "Without JITADMIN_RULES, assignmentRequestCreated callouts: continue (resume at once) | \
         wait (leave the request waiting).",
    ),
    s(
        "JITADMIN_ACCESS_PACKAGES",
        None,
        "The access packages (ids, comma-separated) jitadmin manages; required in Azure. A callout \
         for any other package is refused with 403 and audited; only these packages' assignments make \
         a member of a watched group legitimate and count in a user's history. Unset outside Azure: \
         every package (with a warning).",
    ),
    s(
        "JITADMIN_RESUME_SOURCE",
        Some("jitadmin"),
        "The `source` written into resume bodies (Graph stores it for auditing).",
    ),
    s(
        "JITADMIN_SERVICEBUS_NAMESPACE",
        None,
        "Send events to Service Bus directly (with the app's identity, Azure Service Bus Data Sender) \
         instead of through the output binding, which cannot set MessageId/SessionId for a custom handler.",
    ),
    s(
        "JITADMIN_SERVICEBUS_CONNECTION_STRING",
        None,
        "The same with a connection string (shared access key) instead of the identity; never printed.",
    ),
    s(
        "JITADMIN_SERVICEBUS_QUEUE",
        Some("events"),
        "The queue the direct send writes to.",
    ),
    s(
        "JITADMIN_WATCH_GROUPS",
        None,
        "Admin groups (object ids, comma-separated) watched through Graph change notifications \
         and reconciled by delta query; a member without an active assignment is drift.",
    ),
    s(
        "JITADMIN_WATCH_ACCESS_PACKAGES",
        None,
        "The older name of JITADMIN_ACCESS_PACKAGES, still accepted.",
    ),
    s(
        "JITADMIN_NOTIFICATION_URL",
        None,
        "Public URL of /api/notifications with its ?code= key; the notification and lifecycle URL \
         of our subscriptions. Required with JITADMIN_WATCH_GROUPS.",
    ),
    Setting {
        name: "JITADMIN_CLIENT_STATE",
        default: None,
        secret: true,
        meaning: "The clientState secret of our subscriptions (up to 128 characters; a Key Vault \
                  reference in Azure), compared in constant time on every notification. Required with \
                  JITADMIN_WATCH_GROUPS.",
    },
    s(
        "JITADMIN_SUBSCRIPTION_RENEW_HOURS",
        Some("72"),
        "maintain renews a subscription with less than this left (groups live at most 41,760 minutes).",
    ),
    s(
        "JITADMIN_SYNC_COALESCE_MINS",
        Some("10"),
        "Syncs of one device for one reason (granted, removed) within this window are one.",
    ),
    s(
        "JITADMIN_INTUNE_WRITES",
        Some("150"),
        "Intune writes (syncDevice) per window, for all of this process (Intune allows 200 per app per 20 s).",
    ),
    s(
        "JITADMIN_INTUNE_REQUESTS",
        Some("1500"),
        "Intune requests of any kind per window (Intune allows 2,000 per app per 20 s).",
    ),
    s(
        "JITADMIN_INTUNE_WINDOW_SECS",
        Some("20"),
        "The window of JITADMIN_INTUNE_WRITES and JITADMIN_INTUNE_REQUESTS.",
    ),
    s(
        "JITADMIN_NOTIFY",
        Some("none"),
        "How the user is told their devices were asked to sync and to sign out and in: \
         teams (chat where the bot can reach them, else mail) | mail | none.",
    ),
    s(
        "JITADMIN_NOTIFY_MAILBOX",
        None,
        "The mailbox (UPN or id) user notifications are sent from (needs Mail.Send).",
    ),
    s(
        "JITADMIN_DRIFT_ACTION",
        Some("report"),
        "A member of a watched group without an active assignment: report (audit, log) | remove \
         (also remove them from the group).",
    ),
    s(
        "JITADMIN_CHECKIN_TIMEOUT_MINS",
        Some("240"),
        "maintain reports a synced device that has not checked in after this long.",
    ),
    s(
        "JITADMIN_BOT_APP_ID",
        None,
        "Teams approvals: the bot's Microsoft App ID (single-tenant app registration, or the client id of \
         a user-assigned managed identity bot). Unset: Teams is off and routed requests only wait.",
    ),
    s(
        "JITADMIN_BOT_TENANT_ID",
        Some("JITADMIN_TENANT_ID"),
        "The bot's tenant: its token comes from {authority}/{tenant}/oauth2/v2.0/token (single-tenant bot).",
    ),
    s(
        "JITADMIN_BOT_CREDENTIAL",
        Some("managed-identity"),
        "How the bot gets its Bot Framework token: managed-identity (user-assigned, client id = \
         JITADMIN_BOT_APP_ID; IDENTITY_ENDPOINT/IDENTITY_HEADER) | client-secret | workload-identity. \
         Certificates are not offered (azure_identity's certificate credential needs OpenSSL).",
    ),
    Setting {
        name: "JITADMIN_BOT_CLIENT_SECRET",
        default: None,
        secret: true,
        meaning: "The bot app registration's secret (client-secret only; a Key Vault reference in Azure).",
    },
    s(
        "JITADMIN_BOT_SCOPE",
        Some("https://api.botframework.com/.default"),
        "Scope of the bot's token (sent only to the Bot Connector).",
    ),
    s(
        "JITADMIN_BOT_OPENID_METADATA_URL",
        Some("https://login.botframework.com/v1/.well-known/openidconfiguration"),
        "Where the Bot Connector's signing keys are found (OpenID metadata, then its JWKS with \
         endorsements; cached, refreshed daily and on an unknown key). tenant-sim: its Bot Framework issuer.",
    ),
    s(
        "JITADMIN_BOT_ISSUERS",
        Some("https://api.botframework.com"),
        "Comma-separated accepted issuers of the Bot Connector's tokens.",
    ),
    s(
        "JITADMIN_TEAMS_SERVICE_URL",
        None,
        "Teams approvals: the Bot Connector base URL cards are posted to (e.g. \
         https://smba.trafficmanager.net/emea/; the serviceUrl of the team's activities). Required with the bot.",
    ),
    s(
        "JITADMIN_TEAMS_SERVICE_HOSTS",
        Some("smba.trafficmanager.net, smba.infra.gcc.teams.microsoft.com, smba.infra.gov.teams.microsoft.us, smba.infra.dod.teams.microsoft.us"),
        "The only hosts the bot's token is sent to (and always JITADMIN_TEAMS_SERVICE_URL's host), \
         whatever serviceUrl an activity or a stored contact names. A host starting with a dot allows its subdomains.",
    ),
    s(
        "JITADMIN_TEAMS_CHANNEL_ID",
        None,
        "Teams approvals: the approvers' channel (19:…@thread.tacv2); the bot must be installed in its \
         team. Required with the bot.",
    ),
    s(
        "JITADMIN_TEAMS_RESUME_BUDGET_MS",
        Some("4000"),
        "How long a click waits for Entra's resume before answering \"recorded, applying\" and retrying \
         through the queue (Teams gives the bot at most 15 s).",
    ),
    s(
        "JITADMIN_APPROVERS_GROUP",
        None,
        "Teams approvals: object id of the group whose members (transitively) may approve or deny; \
         nobody decides their own request. Required with the bot.",
    ),
    s(
        "JITADMIN_APPROVERS_CACHE_SECS",
        Some("5"),
        "How old the approvers' group membership (read through Graph) may be when a click is decided \
         (0 to 60 seconds): someone removed from the group cannot approve for longer than this.",
    ),
    s(
        "JITADMIN_APPROVERS_ALLOW_GUESTS",
        Some("false"),
        "Whether guest accounts in the approvers' group may decide (by default they may not).",
    ),
    Setting {
        name: "JITADMIN_CARD_KEY",
        default: None,
        secret: true,
        meaning: "Teams approvals: the HMAC key signing every card action (at least 32 random characters; \
                  a Key Vault reference in Azure). Changing it invalidates the cards already posted. \
                  Required with the bot.",
    },
];

/// The settings as a Markdown table (`| setting | default | meaning |`), for the README and
/// `jitadmin config`-style listings.
pub fn settings_table() -> String {
    let mut out = String::from("| setting | default | meaning |\n|---|---|---|\n");
    for s in SETTINGS {
        let default = match (s.default, s.secret) {
            (Some(d), _) => format!("`{d}`"),
            (None, true) => "(secret)".to_string(),
            (None, false) => "—".to_string(),
        };
        out.push_str(&format!(
            "| `{}` | {default} | {} |\n",
            s.name,
            s.meaning.replace('|', "\\|")
        ));
    }
    out
}
