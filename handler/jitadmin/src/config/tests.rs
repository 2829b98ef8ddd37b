use std::collections::HashMap;

use super::*;

const TENANT: &str = "8f6a1c2e-4b3d-4e5f-9a7b-1c2d3e4f5a6b";

fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_lookup(|name| map.get(name).cloned())
}

fn minimal() -> Vec<(&'static str, &'static str)> {
    vec![
        ("JITADMIN_TENANT_ID", TENANT),
        ("JITADMIN_CALLOUT_AUDIENCES", "api://jitadmin"),
        ("JITADMIN_CALLOUT_ALLOWED_CALLERS", "oid-1, oid-2"),
    ]
}

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut v = minimal();
    v.extend_from_slice(extra);
    v
}

#[test]
fn minimal_settings_give_public_cloud_defaults() {
    let c = load(&minimal()).unwrap();
    assert_eq!(c.authority.host, "https://login.microsoftonline.com");
    assert_eq!(c.authority.v1_issuer_base, "https://sts.windows.net");
    assert_eq!(c.authority.v2_issuer_base, "https://login.microsoftonline.com");
    assert_eq!(c.graph.base_url, "https://graph.microsoft.com");
    assert_eq!(c.graph.scope, "https://graph.microsoft.com/.default");
    assert_eq!(c.credential, CredentialConfig::ManagedIdentity { client_id: None });
    assert_eq!(c.store.to_string(), "sqlite:jitadmin.db prefix jitadmin");
    assert_eq!(c.callout.mode, CalloutAuthMode::Bearer);
    assert_eq!(c.callout.allowed_callers, ["oid-1", "oid-2"]);
    assert_eq!(c.created_stage, CreatedStage::Wait);
    assert_eq!(c.resume_source, "jitadmin");
}

#[test]
fn a_loopback_authority_is_used_for_both_issuers_and_metadata() {
    let c = load(&with(&[("JITADMIN_AUTHORITY_HOST", "http://127.0.0.1:4000/")])).unwrap();
    assert_eq!(c.authority.v1_issuer_base, "http://127.0.0.1:4000");
    assert_eq!(c.authority.v2_issuer_base, "http://127.0.0.1:4000");
    assert_eq!(
        c.authority.openid_metadata_url(TENANT),
        format!("http://127.0.0.1:4000/{TENANT}/v2.0/.well-known/openid-configuration")
    );
}

#[test]
fn missing_tenant_is_named() {
    let err = load(&[
        ("JITADMIN_CALLOUT_AUDIENCES", "api://jitadmin"),
        ("JITADMIN_CALLOUT_ALLOWED_CALLERS", "oid-1"),
    ])
    .unwrap_err();
    assert!(err.to_string().starts_with("JITADMIN_TENANT_ID is not set"), "{err}");
}

#[test]
fn every_missing_or_invalid_setting_is_named_at_once() {
    let err = load(&[]).unwrap_err();
    assert_eq!(
        err.names(),
        [
            "JITADMIN_TENANT_ID",
            "JITADMIN_CALLOUT_AUDIENCES",
            "JITADMIN_CALLOUT_ALLOWED_CALLERS"
        ]
    );
    let err = load(&with(&[
        ("JITADMIN_GRAPH_TIMEOUT_SECS", "forever"),
        ("JITADMIN_CREATED_STAGE", "later"),
        ("JITADMIN_DRIFT_ACTION", "shrug"),
    ]))
    .unwrap_err();
    assert_eq!(
        err.names(),
        [
            "JITADMIN_DRIFT_ACTION",
            "JITADMIN_GRAPH_TIMEOUT_SECS",
            "JITADMIN_CREATED_STAGE"
        ]
    );
    let text = err.to_string();
    assert!(text.starts_with("3 settings need attention:"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn bearer_mode_needs_audiences_and_callers() {
    let err = load(&[("JITADMIN_TENANT_ID", TENANT)]).unwrap_err();
    assert!(err.to_string().contains("JITADMIN_CALLOUT_AUDIENCES"), "{err}");
    let err = load(&[("JITADMIN_TENANT_ID", TENANT), ("JITADMIN_CALLOUT_AUDIENCES", "a")]).unwrap_err();
    assert!(err.to_string().contains("JITADMIN_CALLOUT_ALLOWED_CALLERS"), "{err}");
}

#[test]
fn pop_mode_defaults_to_entitlement_management() {
    let c = load(&[("JITADMIN_TENANT_ID", TENANT), ("JITADMIN_CALLOUT_AUTH", "PoP")]).unwrap();
    assert_eq!(c.callout.mode, CalloutAuthMode::Pop);
    assert_eq!(c.callout.pop.app_ids, [jitadmin_auth::EM_APP_ID]);
    assert!(c
        .callout
        .pop
        .audiences
        .contains(&"https://management.azure.com".to_string()));
    assert_eq!(c.callout.pop.host, None);
}

#[test]
fn bad_values_name_the_setting() {
    for (name, value) in [
        ("JITADMIN_CALLOUT_AUTH", "basic"),
        ("JITADMIN_CREATED_STAGE", "approve"),
        ("JITADMIN_GRAPH_BASE_URL", "ftp://x"),
        ("JITADMIN_GRAPH_MAX_ATTEMPTS", "0"),
        ("JITADMIN_CREDENTIAL", "password"),
        ("JITADMIN_STORE", "mysql://x"),
        ("JITADMIN_POP_REQUIRE_NONCE", "maybe"),
        ("JITADMIN_TENANT_ID", "contoso"),
    ] {
        let err = load(&with(&[(name, value)])).unwrap_err();
        assert!(err.to_string().starts_with(name), "{name}: {err}");
    }
}

#[test]
fn client_secret_is_never_shown() {
    let c = load(&with(&[
        ("JITADMIN_CREDENTIAL", "client-secret"),
        ("JITADMIN_CLIENT_ID", "app-1"),
        ("JITADMIN_CLIENT_SECRET", "hunter2-very-secret"),
    ]))
    .unwrap();
    let text = format!("{c} {c:?}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("JITADMIN_CLIENT_SECRET = *** (set)"), "{text}");
}

#[test]
fn client_secret_without_secret_names_it_and_http_authority_is_refused() {
    let err = load(&with(&[
        ("JITADMIN_CREDENTIAL", "client-secret"),
        ("JITADMIN_CLIENT_ID", "a"),
    ]))
    .unwrap_err();
    assert!(
        err.to_string().starts_with("JITADMIN_CLIENT_SECRET is not set"),
        "{err}"
    );
    let err = load(&with(&[
        ("JITADMIN_CREDENTIAL", "client-secret"),
        ("JITADMIN_CLIENT_ID", "a"),
        ("JITADMIN_CLIENT_SECRET", "s3cret"),
        ("JITADMIN_AUTHORITY_HOST", "http://127.0.0.1:1"),
    ]))
    .unwrap_err();
    assert!(!err.to_string().contains("s3cret"));
    assert!(err.to_string().starts_with("JITADMIN_CREDENTIAL"), "{err}");
}

#[test]
fn store_account_key_is_masked_in_errors_and_description() {
    let key = "Zm9vYmFyYmF6cXV4c2VjcmV0a2V5";
    let setting = format!("table:DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={key}");
    let map: HashMap<String, String> = with(&[])
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain([("JITADMIN_STORE".to_string(), setting)])
        .collect();
    let c = Config::from_lookup(|n| map.get(n).cloned()).unwrap();
    assert!(!c.to_string().contains(key));
}

#[test]
fn in_azure_the_store_must_be_set() {
    let err = load(&with(&[("WEBSITE_SITE_NAME", "jitadmin-prod")])).unwrap_err();
    assert_eq!(err.names(), ["JITADMIN_STORE", "JITADMIN_ACCESS_PACKAGES"], "{err}");
}

#[test]
fn in_azure_the_managed_packages_must_be_named() {
    let azure = with(&[
        ("WEBSITE_SITE_NAME", "jitadmin-prod"),
        ("JITADMIN_STORE", "table+identity:https://acct.table.core.windows.net"),
    ]);
    let err = load(&azure).unwrap_err();
    assert!(
        err.to_string().starts_with("JITADMIN_ACCESS_PACKAGES is not set"),
        "{err}"
    );
    let package = "55555555-0000-4000-8000-000000000001";
    let mut named = azure.clone();
    named.push(("JITADMIN_ACCESS_PACKAGES", package));
    assert_eq!(load(&named).unwrap().packages.ids(), [package]);
    let mut older = azure;
    older.push(("JITADMIN_WATCH_ACCESS_PACKAGES", package));
    assert_eq!(load(&older).unwrap().packages.ids(), [package]);
}

#[test]
fn the_two_names_of_the_managed_packages_must_agree() {
    let a = "55555555-0000-4000-8000-000000000001";
    let b = "55555555-0000-4000-8000-000000000002";
    let err = load(&with(&[
        ("JITADMIN_ACCESS_PACKAGES", a),
        ("JITADMIN_WATCH_ACCESS_PACKAGES", b),
    ]))
    .unwrap_err();
    assert!(err.to_string().contains("JITADMIN_WATCH_ACCESS_PACKAGES"), "{err}");
    let err = load(&with(&[("JITADMIN_ACCESS_PACKAGES", "not-a-guid")])).unwrap_err();
    assert!(err.to_string().contains("is not a GUID"), "{err}");
    assert!(load(&minimal()).unwrap().packages.is_unrestricted());
}

#[test]
fn describe_lists_every_setting_once() {
    let c = load(&minimal()).unwrap();
    let names: Vec<_> = c.describe().into_iter().map(|(n, _)| n).collect();
    let expected: Vec<_> = SETTINGS.iter().map(|s| s.name).collect();
    assert_eq!(names, expected);
    assert!(c.describe().iter().all(|(_, v)| v != "(unknown)"));
}

#[test]
fn every_documented_setting_is_read_and_every_read_setting_is_documented() {
    let asked = std::sync::Mutex::new(std::collections::BTreeSet::new());
    let map: HashMap<String, String> = with(&[("JITADMIN_CALLOUT_AUTH", "bearer")])
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|name| {
        asked.lock().unwrap().insert(name.to_string());
        map.get(name).cloned()
    })
    .unwrap();
    let mut asked = asked.into_inner().unwrap();
    asked.remove("WEBSITE_SITE_NAME");
    // Read only for the credential kinds that need them.
    let documented: std::collections::BTreeSet<String> = SETTINGS
        .iter()
        .map(|s| s.name.to_string())
        .filter(|n| n != "JITADMIN_CLIENT_SECRET")
        // Read only with Teams on (JITADMIN_BOT_APP_ID set): see teams_settings_are_all_read.
        .filter(|n| n == "JITADMIN_BOT_APP_ID" || super::load::teams::describe(&None, n).is_none())
        .collect();
    assert_eq!(asked, documented);
    let table = settings_table();
    assert!(SETTINGS.iter().all(|s| table.contains(&format!("`{}`", s.name))));
}

fn teams_on() -> Vec<(&'static str, &'static str)> {
    with(&[
        ("JITADMIN_BOT_APP_ID", "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"),
        ("JITADMIN_TEAMS_SERVICE_URL", "https://smba.trafficmanager.net/emea/"),
        ("JITADMIN_TEAMS_CHANNEL_ID", "19:abc@thread.tacv2"),
        ("JITADMIN_APPROVERS_GROUP", "a1b2c3d4-0000-4000-8000-000000000001"),
        ("JITADMIN_CARD_KEY", "0123456789abcdef0123456789abcdef-card-key"),
    ])
}

#[test]
fn the_bots_token_goes_only_to_teams_hosts_and_the_configured_one() {
    let t = load(&teams_on()).unwrap().teams.expect("teams on");
    for host in [
        "smba.trafficmanager.net",
        "smba.infra.gcc.teams.microsoft.com",
        "smba.infra.dod.teams.microsoft.us",
    ] {
        assert!(
            t.service_hosts.iter().any(|h| h == host),
            "{host} in {:?}",
            t.service_hosts
        );
    }
    let mut local = teams_on();
    local.retain(|(k, _)| *k != "JITADMIN_TEAMS_SERVICE_URL");
    local.push(("JITADMIN_TEAMS_SERVICE_URL", "http://127.0.0.1:9999/teams/"));
    local.push(("JITADMIN_TEAMS_SERVICE_HOSTS", "smba.example"));
    let t = load(&local).unwrap().teams.expect("teams on");
    assert_eq!(t.service_hosts, ["smba.example", "127.0.0.1"]);
}

#[test]
fn teams_is_off_without_a_bot_app_id() {
    let c = load(&minimal()).unwrap();
    assert!(c.teams.is_none());
    let described: HashMap<_, _> = c.describe().into_iter().collect();
    assert!(described["JITADMIN_TEAMS_CHANNEL_ID"].contains("Teams off"));
}

#[test]
fn teams_settings_default_to_the_bot_framework_and_a_managed_identity_bot() {
    let c = load(&teams_on()).unwrap();
    let t = c.teams.expect("teams on");
    assert_eq!(t.tenant_id, TENANT);
    assert_eq!(t.scope, "https://api.botframework.com/.default");
    assert_eq!(t.issuers, ["https://api.botframework.com"]);
    assert_eq!(
        t.openid_metadata_url,
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    );
    assert_eq!(t.service_url, "https://smba.trafficmanager.net/emea");
    assert_eq!(
        t.credential,
        CredentialConfig::ManagedIdentity {
            client_id: Some("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9".into())
        }
    );
    assert_eq!(t.approvers_cache, Duration::from_secs(5));
    assert!(!t.approvers_allow_guests);
}

#[test]
fn teams_needs_its_channel_group_and_a_long_card_key() {
    for missing in [
        "JITADMIN_TEAMS_SERVICE_URL",
        "JITADMIN_TEAMS_CHANNEL_ID",
        "JITADMIN_APPROVERS_GROUP",
        "JITADMIN_CARD_KEY",
    ] {
        let pairs: Vec<_> = teams_on().into_iter().filter(|(k, _)| *k != missing).collect();
        let err = load(&pairs).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{missing} is not set")), "{err}");
    }
    let mut short = teams_on();
    short.push(("JITADMIN_CARD_KEY", "short-secret-value"));
    let err = load(&short).unwrap_err().to_string();
    assert!(
        err.contains("JITADMIN_CARD_KEY") && !err.contains("short-secret-value"),
        "{err}"
    );
}

#[test]
fn the_card_key_and_bot_secret_are_never_printed() {
    let mut pairs = teams_on();
    pairs.push(("JITADMIN_BOT_CREDENTIAL", "client-secret"));
    pairs.push(("JITADMIN_BOT_CLIENT_SECRET", "bot-secret-value-123"));
    let c = load(&pairs).unwrap();
    let text = c.to_string();
    assert!(
        !text.contains("card-key") && !text.contains("bot-secret-value-123"),
        "{text}"
    );
    assert!(!format!("{c:?}").contains("card-key"));
    assert!(c.describe().iter().all(|(_, v)| v != "(unknown)"));
}

#[test]
fn teams_settings_are_all_read() {
    let asked = std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut pairs = teams_on();
    pairs.push(("JITADMIN_BOT_CREDENTIAL", "client-secret"));
    pairs.push(("JITADMIN_BOT_CLIENT_SECRET", "bot-secret-value-123"));
    let map: HashMap<String, String> = pairs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_lookup(|name| {
        asked.lock().unwrap().insert(name.to_string());
        map.get(name).cloned()
    })
    .unwrap();
    let asked = asked.into_inner().unwrap();
    for s in SETTINGS
        .iter()
        .filter(|s| super::load::teams::describe(&None, s.name).is_some())
    {
        assert!(asked.contains(s.name), "{} is documented but never read", s.name);
    }
}
