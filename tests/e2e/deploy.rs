//! The deployable files agree with each other and with the app: the Logic App forwarder's
//! PoP guard and managed-identity call, the function routes and the Service Bus queue that
//! Bicep creates, every setting jitadmin reads wired in Bicep, and the azd service (the
//! packages themselves are checked in `package`).
//!
//! Bicep itself is only syntax-checked in CI (`infra/scripts/check_bicep.py`); these tests
//! read the Bicep text, so they pin names and values, not Bicep semantics.

use std::collections::BTreeMap;

use jitadmin_tests::{read_json, repo_root};
use serde_json::Value;

/// Entitlement management's first-party app id, the `appid` of its PoP tokens
/// (<https://learn.microsoft.com/entra/id-governance/entitlement-management-logic-apps-integration>).
const EM_APP_ID: &str = "810dcf14-1858-4bf2-8134-4c369fa3235b";
const POP_CONDITION: &str = "@startsWith(triggerOutputs()?['headers']?['Authorization'], 'PoP')";

/// What the forwarder itself may take (EM reaching the Logic App, the PoP check, its token),
/// a modelled figure: Microsoft publishes none for Consumption Logic Apps.
const FORWARDER_OVERHEAD_MS: i64 = 500;

fn infra(path: &str) -> String {
    let path = repo_root().join("infra").join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn workflow() -> Value {
    read_json(&repo_root().join("infra/modules/forwarder.workflow.json"))
}

fn function_json(name: &str) -> Value {
    read_json(&repo_root().join("function-defs").join(name).join("function.json"))
}

fn function_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("function-defs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The `key: value` lines of a Bicep object variable (`var NAME = { ... }`), comments skipped.
fn bicep_object(text: &str, var: &str) -> BTreeMap<String, String> {
    let start = text
        .find(&format!("var {var} = {{"))
        .unwrap_or_else(|| panic!("no `var {var}` object"));
    let mut entries = BTreeMap::new();
    for line in text[start..].lines().skip(1) {
        let line = line.trim();
        if line == "}" {
            return entries;
        }
        if line.starts_with("//") || line.is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("not `key: value`: {line}"));
        let previous = entries.insert(key.trim().to_string(), value.trim().to_string());
        assert!(previous.is_none(), "{key} is set twice");
    }
    panic!("`var {var}` is not closed");
}

#[test]
fn forwarder_accepts_only_entitlement_management_pop_tokens() {
    let wf = workflow();
    let triggers = &wf["accessControl"]["triggers"];
    assert_eq!(
        triggers["sasAuthenticationPolicy"]["state"], "Disabled",
        "SAS must be off"
    );
    let policies = triggers["openAuthenticationPolicies"]["policies"].as_object().unwrap();
    assert_eq!(
        policies.len(),
        1,
        "one policy: a second one would be an alternative way in"
    );
    let policy = policies.values().next().unwrap();
    assert_eq!(policy["type"], "AADPOP");
    let claims: BTreeMap<&str, &str> = policy["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        claims,
        BTreeMap::from([
            ("iss", "https://sts.windows.net/__TENANT_ID__/"),
            ("appid", EM_APP_ID),
            ("m", "POST"),
            ("u", "management.azure.com"),
            ("p", "__WORKFLOW_PATH__"),
        ])
    );

    let triggers = wf["definition"]["triggers"].as_object().unwrap();
    assert_eq!(triggers.len(), 1);
    let trigger = triggers.values().next().unwrap();
    assert_eq!(trigger["type"], "Request");
    assert_eq!(trigger["kind"], "Http");
    // Without this the Authorization header is not in triggerOutputs() for the condition.
    assert_eq!(trigger["operationOptions"], "IncludeAuthorizationHeadersInOutputs");
    let conditions: Vec<&str> = trigger["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["expression"].as_str().unwrap())
        .collect();
    assert_eq!(conditions, [POP_CONDITION]);
}

#[test]
fn forwarder_posts_the_body_to_callout_with_its_managed_identity() {
    let wf = workflow();
    let actions = wf["definition"]["actions"].as_object().unwrap();
    let (http_name, http) = actions
        .iter()
        .find(|(_, a)| a["type"] == "Http")
        .expect("an Http action");
    let inputs = &http["inputs"];
    assert_eq!(inputs["method"], "POST");
    assert_eq!(inputs["uri"], "__CALLOUT_URL__");
    assert_eq!(inputs["body"], "@triggerBody()");
    assert_eq!(
        inputs["authentication"],
        serde_json::json!({
            "type": "ManagedServiceIdentity",
            "identity": "__FORWARDER_IDENTITY_ID__",
            "audience": "__CALLOUT_AUDIENCE__"
        })
    );
    assert_eq!(inputs["headers"]["x-functions-key"], "@parameters('calloutKey')");
    assert_eq!(wf["definition"]["parameters"]["calloutKey"]["type"], "securestring");
    // No retries, no 202 polling, and give up within EM's budget.
    assert_eq!(inputs["retryPolicy"]["type"], "none");
    assert_eq!(http["operationOptions"], "DisableAsyncPattern");
    let timeout = jitadmin::events::duration::parse(http["limit"]["timeout"].as_str().unwrap()).unwrap();
    let budget = jitadmin::graph::custom_extensions::ClientConfiguration::PROVISIONED
        .timeout_in_milliseconds
        .unwrap();
    assert!(
        timeout.num_milliseconds() + FORWARDER_OVERHEAD_MS <= i64::from(budget),
        "the forwarder's {timeout} and its own overhead of {FORWARDER_OVERHEAD_MS} ms fit the {budget} ms EM waits"
    );

    let (_, response) = actions
        .iter()
        .find(|(_, a)| a["type"] == "Response")
        .expect("a Response action");
    let after: Vec<&str> = response["runAfter"][http_name.as_str()]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        after,
        ["Succeeded", "Failed", "TimedOut"],
        "EM gets an answer in every case"
    );
    let status = response["inputs"]["statusCode"].as_str().unwrap();
    assert!(status.contains(&format!("outputs('{http_name}')")), "{status}");
    assert_eq!(response["inputs"]["body"], format!("@body('{http_name}')"));
}

#[test]
fn forwarder_bicep_fills_every_placeholder_with_the_right_value() {
    let template = std::fs::read_to_string(repo_root().join("infra/modules/forwarder.workflow.json")).unwrap();
    let bicep = infra("modules/forwarder.bicep");
    let mut placeholders: Vec<&str> = template
        .split("__")
        .enumerate()
        .filter(|(i, s)| i % 2 == 1 && !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(|(_, s)| s)
        .collect();
    placeholders.sort();
    placeholders.dedup();
    assert_eq!(
        placeholders,
        [
            "CALLOUT_AUDIENCE",
            "CALLOUT_URL",
            "FORWARDER_IDENTITY_ID",
            "TENANT_ID",
            "WORKFLOW_PATH"
        ]
    );
    for p in &placeholders {
        assert!(
            bicep.contains(&format!("'__{p}__'")),
            "forwarder.bicep does not fill __{p}__"
        );
    }
    assert!(bicep.contains("loadTextContent('forwarder.workflow.json')"));
    assert!(bicep.contains("'__TENANT_ID__', tenant().tenantId"));
    assert!(bicep
        .contains("var workflowPath = '${resourceGroup().id}/providers/Microsoft.Logic/workflows/${workflowName}'"));
    assert!(
        bicep.contains("'Microsoft.Logic/workflows@2019-05-01'"),
        "a Consumption workflow"
    );

    let main = infra("main.bicep");
    assert!(main.contains("calloutUrl: 'https://${functionApp.outputs.defaultHostName}/api/callout'"));
    assert!(main.contains("calloutAudience: graph.outputs.calloutApiAppId"));
    assert!(main.contains("forwarderIdentityId: identity.outputs.forwarderResourceId"));
    let settings = bicep_object(&main, "jitadminSettings");
    assert_eq!(settings["JITADMIN_CALLOUT_AUTH"], "'bearer'");
    assert!(settings["JITADMIN_CALLOUT_AUDIENCES"].contains("graph.outputs.calloutApiAppId"));
    assert_eq!(
        settings["JITADMIN_CALLOUT_ALLOWED_CALLERS"],
        "identity.outputs.forwarderPrincipalId"
    );
}

#[test]
fn every_http_route_is_the_one_bicep_points_at() {
    let host = read_json(&repo_root().join("host.json"));
    let prefix = host["extensions"]["http"]["routePrefix"].as_str().unwrap();
    let main = infra("main.bicep");
    let mut routes = BTreeMap::new();
    for name in function_names() {
        let trigger = function_json(&name)["bindings"][0].clone();
        if trigger["type"] == "httpTrigger" {
            routes.insert(name, format!("/{prefix}/{}", trigger["route"].as_str().unwrap()));
        }
    }
    assert_eq!(routes["callout"], "/api/callout");
    assert_eq!(routes["teams"], "/api/teams/messages");
    assert_eq!(routes["notifications"], "/api/notifications");
    for (name, route) in &routes {
        assert!(
            main.contains(&format!("{route}'")),
            "main.bicep has no URL ending in {route} (function {name})"
        );
    }
    assert!(main.contains("messagingEndpoint: 'https://${functionApp.outputs.defaultHostName}/api/teams/messages'"));
}

#[test]
fn service_bus_bindings_use_the_queue_and_connection_bicep_creates() {
    let servicebus = infra("modules/servicebus.bicep");
    let functionapp = infra("modules/functionapp.bicep");
    let main = infra("main.bicep");
    assert!(main.contains("var queueName = 'events'"));
    assert!(servicebus.contains("param queueName string = 'events'"));
    let mut triggers = 0;
    for name in function_names() {
        for binding in function_json(&name)["bindings"].as_array().unwrap() {
            let kind = binding["type"].as_str().unwrap();
            if !kind.starts_with("serviceBus") {
                continue;
            }
            assert_eq!(binding["queueName"], "events", "{name}");
            let connection = binding["connection"].as_str().unwrap();
            for suffix in ["fullyQualifiedNamespace", "credential", "clientId"] {
                assert!(
                    functionapp.contains(&format!("{connection}__{suffix}:")),
                    "{name}: no {connection}__{suffix} app setting"
                );
            }
            if kind == "serviceBusTrigger" {
                triggers += 1;
                assert_eq!(binding["isSessionsEnabled"], true, "{name}");
            }
        }
    }
    assert_eq!(triggers, 1, "process is the one consumer");
    for property in [
        "requiresSession: true",
        "requiresDuplicateDetection: true",
        "deadLetteringOnMessageExpiration: true",
        "maxDeliveryCount: maxDeliveryCount",
        "lockDuration: lockDuration",
        "duplicateDetectionHistoryTimeWindow:",
    ] {
        assert!(servicebus.contains(property), "the events queue lacks {property}");
    }
    assert!(
        servicebus.contains("name: 'Standard'"),
        "sessions and duplicate detection need Standard"
    );
    assert!(servicebus.contains("disableLocalAuth: true"));
}

#[test]
fn every_setting_jitadmin_reads_is_wired_in_the_app_settings() {
    let main = infra("main.bicep");
    let settings = bicep_object(&main, "jitadminSettings");
    let known: Vec<&str> = jitadmin::config::SETTINGS.iter().map(|s| s.name).collect();
    let missing: Vec<&&str> = known.iter().filter(|n| !settings.contains_key(**n)).collect();
    assert!(
        missing.is_empty(),
        "not wired in main.bicep jitadminSettings: {missing:?}"
    );
    for setting in jitadmin::config::SETTINGS {
        let value = &settings[setting.name];
        let required = setting.meaning.starts_with("Required")
            || setting.meaning.contains("Required for bearer")
            || setting.default.is_some_and(|d| d.contains("required in Azure"));
        if required {
            assert_ne!(value, "''", "{} is required in Azure but left empty", setting.name);
        }
        if setting.secret {
            assert!(
                value == "''" || value.contains("kvRef"),
                "{} is a secret: only a Key Vault reference may be set, not {value}",
                setting.name
            );
        }
    }
    for (name, value) in &settings {
        assert!(name.starts_with("JITADMIN_"), "{name} is not a jitadmin setting");
        if name.ends_with("_KEY") || name.ends_with("_SECRET") || name.ends_with("_STATE") {
            assert!(value == "''" || value.contains("kvRef"), "{name} = {value}");
        }
    }
    assert!(main.contains("var kvRef = '@Microsoft.KeyVault(SecretUri='"));
    assert!(settings["JITADMIN_STORE"].starts_with("'table+identity:https://"));
    assert_eq!(settings["JITADMIN_CREDENTIAL"], "'managed-identity'");
}

#[test]
fn the_function_app_is_flex_consumption_with_the_custom_runtime_and_identity_connections() {
    let app = infra("modules/functionapp.bicep");
    // The HTTP functions stay warm: a cold start does not fit in entitlement management's 2 s.
    assert!(
        app.contains("@minValue(1)\n@description('Always-ready instances"),
        "always-ready at least 1"
    );
    assert!(app.contains("param alwaysReadyHttpInstances int = 1"));
    assert!(app.contains("name: 'http'\n            instanceCount: alwaysReadyHttpInstances"));
    for needle in [
        "name: 'FC1'",
        "tier: 'FlexConsumption'",
        "name: 'custom'",
        "version: '1.0'",
        "kind: 'functionapp,linux'",
        "type: 'UserAssigned'",
        "keyVaultReferenceIdentity: identityId",
        "AzureWebJobsStorage__accountName:",
        "AzureWebJobsStorage__credential: 'managedidentity'",
        "AzureWebJobsStorage__clientId:",
        "'azd-service-name': serviceName",
    ] {
        assert!(app.contains(needle), "functionapp.bicep lacks {needle}");
    }
    // Flex takes the worker from functionAppConfig.runtime and refuses these settings.
    for refused in [
        "FUNCTIONS_WORKER_RUNTIME:",
        "WEBSITE_RUN_FROM_PACKAGE:",
        "FUNCTIONS_EXTENSION_VERSION:",
        "linuxFxVersion:",
    ] {
        assert!(!app.contains(refused), "{refused} must not be set on Flex Consumption");
    }
}

#[test]
fn azure_yaml_deploys_the_zip_jitadmin_package_builds() {
    let yaml = std::fs::read_to_string(repo_root().join("azure.yaml")).unwrap();
    for needle in [
        "language: custom",
        "host: function",
        "dist: dist/jitadmin.zip",
        "prepackage:",
        "package --target",
        "x86_64-unknown-linux-musl",
        "path: infra",
    ] {
        assert!(yaml.contains(needle), "azure.yaml lacks {needle}");
    }
    let app = infra("modules/functionapp.bicep");
    let service = yaml
        .lines()
        .skip_while(|l| l.trim() != "services:")
        .nth(1)
        .unwrap()
        .trim()
        .trim_end_matches(':')
        .to_string();
    assert!(
        app.contains(&format!("param serviceName string = '{service}'")),
        "the azd-service-name tag must name the azure.yaml service {service}"
    );
    assert_eq!(
        jitadmin::cli::package::teams::ZIP_NAME,
        "jitadmin-teams.zip",
        "README names it"
    );
}

/// The application permissions `infra/main.bicep` can grant (every feature on).
fn bicep_graph_roles() -> std::collections::BTreeSet<String> {
    let main = infra("main.bicep");
    let grants = &main[main.find("var baseGraphRoles").unwrap()..main.find("module graph ").unwrap()];
    // Quoted permission values: `Word.Word[.Word]` without spaces or interpolation.
    grants
        .split('\'')
        .skip(1)
        .step_by(2)
        .filter(|p| p.contains('.') && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
        .map(str::to_string)
        .collect()
}

/// The rows of `docs/graph.md`'s table: (method, path, version, permission, granted by).
fn graph_calls_table() -> Vec<[String; 5]> {
    let text = std::fs::read_to_string(repo_root().join("docs/graph.md")).unwrap();
    text.lines()
        .filter_map(|line| {
            let cells: Vec<String> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            let method = cells.first()?;
            ["GET", "POST", "PUT", "PATCH", "DELETE"]
                .contains(&method.as_str())
                .then(|| {
                    [
                        cells[0].clone(),
                        cells[1].clone(),
                        cells[2].clone(),
                        cells[3].clone(),
                        cells[5].clone(),
                    ]
                })
        })
        .collect()
}

#[test]
fn bicep_grants_exactly_the_app_roles_of_the_graph_calls_table() {
    let rows = graph_calls_table();
    assert!(rows.len() >= 20, "docs/graph.md lists {} calls", rows.len());
    let table_roles: std::collections::BTreeSet<String> = rows
        .iter()
        .filter(|r| r[4].starts_with("app role") && !r[3].starts_with('('))
        .map(|r| r[3].clone())
        .collect();
    // The catalog role's documented replacement, granted only on request.
    let doc = std::fs::read_to_string(repo_root().join("docs/graph.md")).unwrap();
    let replacement = "EntitlementManagement.ReadWrite.All";
    assert!(
        doc.contains(&format!("`{replacement}` can replace it")),
        "docs/graph.md says which app role can replace the catalog role"
    );
    let mut expected = table_roles.clone();
    expected.insert(replacement.to_string());
    assert_eq!(
        bicep_graph_roles(),
        expected,
        "Bicep's Graph app roles against docs/graph.md"
    );
    for row in &rows {
        assert!(
            ["v1.0", "beta"].contains(&row[2].as_str()) && row[1].starts_with('/'),
            "{row:?}"
        );
        assert!(
            row[4].starts_with("app role") || row[4] == "catalog role" || row[4] == "operator",
            "{row:?}: granted by what?"
        );
    }
}

#[test]
fn graph_permissions_granted_are_the_ones_the_readme_justifies() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = readme
        .split("## Deploying to Azure")
        .nth(1)
        .expect("README has a Deploying to Azure section");
    let roles = bicep_graph_roles();
    assert!(roles.len() >= 5, "found only {roles:?}");
    for role in &roles {
        assert!(section.contains(&format!("`{role}`")), "README does not justify {role}");
    }
    let graph = infra("modules/graph.bicep");
    assert!(graph.contains("extension microsoftGraphV1"));
    assert!(graph.contains("'00000003-0000-0000-c000-000000000000'"));
    assert!(graph.contains("'Microsoft.Graph/appRoleAssignedTo@v1.0'"));
    let config = read_json(&repo_root().join("infra/bicepconfig.json"));
    assert!(config["extensions"]["microsoftGraphV1"]
        .as_str()
        .unwrap()
        .starts_with("br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:"));
}

/// `param` names of a Bicep file, each with whether it has a default.
fn bicep_params(text: &str) -> BTreeMap<String, bool> {
    text.lines()
        .filter_map(|l| l.strip_prefix("param "))
        .map(|rest| {
            let name = rest.split_whitespace().next().unwrap().to_string();
            (name, rest.contains(" = "))
        })
        .collect()
}

fn identifier_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .map(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            let end = rest
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// No Bicep compiler runs in CI, so check by hand what `bicep build` would catch first:
/// module parameters that do not exist or are missing, and outputs that are not there.
#[test]
fn main_bicep_passes_modules_their_params_and_reads_only_real_outputs() {
    let main = infra("main.bicep");
    let mut modules = 0;
    for line in main.lines().filter(|l| l.starts_with("module ")) {
        modules += 1;
        let name = line.split_whitespace().nth(1).unwrap();
        let path = line.split('\'').nth(1).unwrap();
        let module = infra(path);
        let params = bicep_params(&module);
        let block = &main[main.find(line).unwrap()..];
        let block = &block[..block.find("\n}\n").unwrap()];
        let passed: Vec<&str> = block[block.find("params: {").expect("params")..]
            .lines()
            .filter_map(|l| l.strip_prefix("    ")?.split_once(':').map(|(k, _)| k))
            .filter(|k| !k.starts_with(' '))
            .collect();
        for p in &passed {
            assert!(params.contains_key(*p), "module {name} ({path}) has no param {p}");
        }
        for (p, has_default) in &params {
            assert!(
                *has_default || passed.contains(&p.as_str()),
                "module {name} ({path}) needs param {p}"
            );
        }
        let outputs: Vec<&str> = module
            .lines()
            .filter_map(|l| l.strip_prefix("output ")?.split_whitespace().next())
            .collect();
        for used in identifier_after(&main, &format!("{name}.outputs.")) {
            assert!(outputs.contains(&used), "module {name} ({path}) has no output {used}");
        }
    }
    assert_eq!(modules, 10);
}
