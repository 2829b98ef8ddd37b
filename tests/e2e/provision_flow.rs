//! `jitadmin provision`, the real binary against tenant-sim: a dry run lists every step
//! and writes nothing; a run creates everything; a second run changes nothing and says so; Add
//! (Replace) is refused without `--force`; a failed step is named and a re-run finishes.

use std::process::Output;

use jitadmin_tests::jitadmin_binary;
use serde_json::Value;
use tenant_sim::{FaultKind, FaultRule, Group, RoutePattern, Scenario, TenantSim};

const CATALOG: &str = "55555555-0000-4000-8000-0000000000ca";
const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const POLICY: &str = "55555555-0000-4000-8000-0000000000a1";
const ADMINS: &str = "22222222-0000-4000-8000-000000000001";
const DEVICES: &str = "22222222-0000-4000-8000-0000000000d1";
const MI_OBJECT: &str = "77777777-0000-4000-8000-0000000000a1";
const FORWARDER: &str =
    "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-10-01";
const LOGIC_APP: &str = "/subscriptions/38ab2ccc-3747-4567-b36b-9478f5602f0d/resourceGroups/rg-jitadmin/providers/Microsoft.Logic/workflows/logic-jitadmin-forwarder";
const ASSIGNMENT_MANAGER: &str = "e2182095-804a-4656-ae11-64734e9b7ae5";

/// A tenant with a device group, and an endpoint answering Graph's validation handshake (what the
/// Function App's `notifications` function does), for the subscription.
struct Tenant {
    sim: TenantSim,
    notify_url: String,
    dir: tempfile::TempDir,
}

impl Tenant {
    async fn start() -> Tenant {
        let sim = TenantSim::start(Scenario::demo()).await.expect("sim");
        sim.add_group(Group {
            id: DEVICES.into(),
            display_name: "JIT Windows devices".into(),
            security_enabled: true,
            ..Group::default()
        })
        .expect("device group");
        let notify_url = crate::helpers::handshake_endpoint().await;
        Tenant {
            sim,
            notify_url,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The app's settings, as in the Function App, pointed at the sim.
    fn env(&self) -> Vec<(String, String)> {
        let mut env = jitadmin::dev::handler_settings(&self.sim, self.dir.path());
        env.extend(
            [
                ("JITADMIN_WATCH_GROUPS", ADMINS.to_string()),
                ("JITADMIN_WATCH_ACCESS_PACKAGES", PACKAGE.to_string()),
                ("JITADMIN_NOTIFICATION_URL", self.notify_url.clone()),
                ("JITADMIN_CLIENT_STATE", "provision-test-client-state".to_string()),
            ]
            .map(|(k, v)| (k.to_string(), v)),
        );
        env
    }

    async fn provision(&self, extra: &[&str]) -> Output {
        let mut args = vec![
            "provision",
            "--catalog-id",
            CATALOG,
            "--access-package-id",
            PACKAGE,
            "--policy-id",
            POLICY,
            "--forwarder-url",
            FORWARDER,
            "--logic-app-id",
            LOGIC_APP,
            "--managed-identity",
            MI_OBJECT,
            "--device-group",
            DEVICES,
        ];
        args.extend_from_slice(extra);
        tokio::process::Command::new(jitadmin_binary())
            .args(&args)
            .envs(self.env())
            .env("RUST_LOG", "warn")
            .current_dir(self.dir.path())
            .output()
            .await
            .expect("jitadmin runs")
    }

    /// Graph calls that change something (token requests aside).
    fn writes(&self) -> Vec<String> {
        self.sim
            .calls()
            .into_iter()
            .filter(|c| c.method != "GET" && !c.path.contains("/oauth2/") && !c.path.starts_with("/msi/"))
            .map(|c| format!("{} {}", c.method, c.path))
            .collect()
    }
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

fn extension<'a>(all: &'a [Value], name: &str) -> &'a Value {
    all.iter()
        .find(|e| e["displayName"] == name)
        .unwrap_or_else(|| panic!("no extension {name}: {all:?}"))
}

#[tokio::test]
async fn dry_run_lists_every_step_and_writes_nothing() {
    let t = Tenant::start().await;
    let out = t.provision(&["--dry-run"]).await;
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    for step in [
        "[1/5] custom extensions",
        "[2/5] policy stage settings",
        "[3/5] catalog role",
        "[4/5] Intune local administrators policy",
        "[5/5] admin group change subscription",
    ] {
        assert!(stdout.contains(step), "{step} missing:\n{stdout}");
    }
    assert!(
        stdout.contains("would create") && stdout.contains("\"jitadmin request\""),
        "{stdout}"
    );
    assert!(stdout.contains("dry run: nothing was changed"), "{stdout}");
    assert_eq!(t.writes(), Vec::<String>::new(), "a dry run only reads");
    for read in [
        "/v1.0/identityGovernance/entitlementManagement/catalogs/",
        "/v1.0/identityGovernance/entitlementManagement/assignmentPolicies/",
        "/v1.0/roleManagement/entitlementManagement/roleAssignments",
        "/beta/deviceManagement/configurationPolicies",
    ] {
        assert!(!t.sim.calls_to("GET", read).is_empty(), "no GET {read}");
    }
    assert!(t.sim.custom_extensions(CATALOG).is_empty() && t.sim.configuration_policies().is_empty());
    t.sim.shutdown().await;
}

#[tokio::test]
async fn a_run_creates_everything_and_a_second_run_changes_nothing() {
    let t = Tenant::start().await;
    let out = t.provision(&["--pre-expiration", "one-day"]).await;
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("changes made"), "{stdout}");

    // 1. Extensions: PoP, the forwarder, launch-and-wait only for the request one.
    let exts = t.sim.custom_extensions(CATALOG);
    assert_eq!(exts.len(), 3, "{exts:?}");
    let request = extension(&exts, "jitadmin request");
    let notify = extension(&exts, "jitadmin notify");
    let pre = extension(&exts, "jitadmin pre-expiration");
    for e in [request, notify, pre] {
        assert_eq!(
            e["authenticationConfiguration"]["@odata.type"],
            "#microsoft.graph.azureAdPopTokenAuthentication"
        );
        assert_eq!(e["endpointConfiguration"]["url"], FORWARDER);
        assert_eq!(
            e["endpointConfiguration"]["logicAppWorkflowName"],
            "logic-jitadmin-forwarder"
        );
    }
    assert_eq!(
        request["@odata.type"],
        "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
    );
    assert_eq!(request["callbackConfiguration"]["timeoutDuration"], "P1D");
    for e in [&request, &notify, &pre] {
        // The longest wait entitlement management allows, and one retry.
        assert_eq!(
            e["clientConfiguration"],
            serde_json::json!({"timeoutInMilliseconds": 2000, "maximumRetries": 1}),
            "{e}"
        );
    }
    assert!(
        notify.get("callbackConfiguration").is_none(),
        "granted/removed are launch-and-continue"
    );
    assert_eq!(
        pre["@odata.type"],
        "#microsoft.graph.accessPackageAssignmentWorkflowExtension"
    );

    // 2. Stage settings per stage; the policy's other properties survive the PUT.
    let mut stages = t.sim.policy_stage_settings(POLICY);
    stages.sort();
    let id = |e: &Value| e["id"].as_str().unwrap().to_string();
    let mut want = vec![
        ("assignmentOneDayBeforeExpiration".to_string(), id(pre)),
        ("assignmentRequestCreated".to_string(), id(request)),
        ("assignmentRequestGranted".to_string(), id(notify)),
        ("assignmentRequestRemoved".to_string(), id(notify)),
    ];
    want.sort();
    assert_eq!(stages, want);
    let doc = t.sim.policy_document(POLICY).expect("policy was PUT");
    assert_eq!(doc["requestorSettings"]["enableTargetsToSelfAddAccess"], true);
    assert_eq!(doc["expiration"]["duration"], "PT8H");

    // 3. The catalog role for the managed identity.
    let roles = t.sim.em_role_assignments();
    assert!(
        roles.iter().any(|r| r["principalId"] == MI_OBJECT
            && r["roleDefinitionId"] == ASSIGNMENT_MANAGER
            && r["appScopeId"] == format!("/AccessPackageCatalog/{CATALOG}")),
        "{roles:?}"
    );

    // 4. The Intune policy: Add (Update) of the admin group's SID, assigned to the device group.
    let policies = t.sim.configuration_policies();
    assert_eq!(policies.len(), 1);
    let settings = serde_json::to_string(&policies[0].settings).unwrap();
    let sid = TenantSim::security_identifier(ADMINS).unwrap();
    assert!(settings.contains("accessgroup_action_add_update") && !settings.contains("add_restrict"));
    assert!(settings.contains(&sid) && settings.contains("accessgroup_desc_administrators"));
    assert_eq!(policies[0].assignments[0]["target"]["groupId"], DEVICES);
    assert!(!t
        .sim
        .calls_to("POST", "/beta/deviceManagement/configurationPolicies")
        .is_empty());

    // 5. The subscription, made by the app's own code.
    let subs = t.sim.subscriptions();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].resource, format!("groups/{ADMINS}"));
    assert_eq!(subs[0].client_state.as_deref(), Some("provision-test-client-state"));

    // A second run: nothing to do, and it says so.
    t.sim.clear_calls();
    let again = t.provision(&["--pre-expiration", "one-day", "--json"]).await;
    let report: Value =
        serde_json::from_slice(&again.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&again.stdout)));
    assert!(again.status.success(), "{report}");
    assert_eq!(report["changes"], 0, "{report}");
    assert!(
        report["summary"].as_str().unwrap().starts_with("5 steps, 0 changes"),
        "{report}"
    );
    assert_eq!(t.writes(), Vec::<String>::new(), "a second run writes nothing");
    assert_eq!(t.sim.subscriptions().len(), 1);
    t.sim.shutdown().await;
}

#[tokio::test]
async fn replace_is_refused_without_force_and_accepted_with_a_warning() {
    let t = Tenant::start().await;
    let refused = t.provision(&["--membership", "replace"]).await;
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("--force") && stderr.contains("lock everyone out"),
        "{stderr}"
    );
    assert_eq!(t.writes(), Vec::<String>::new(), "nothing is touched when refused");

    let forced = t.provision(&["--membership", "replace", "--force"]).await;
    let stderr = text(&forced.stderr);
    assert!(
        forced.status.success(),
        "stdout:\n{}\nstderr:\n{stderr}",
        text(&forced.stdout)
    );
    assert!(
        stderr.contains("WARNING") && stderr.contains("lock everyone out"),
        "{stderr}"
    );
    let settings = serde_json::to_string(&t.sim.configuration_policies()[0].settings).unwrap();
    assert!(settings.contains("accessgroup_action_add_restrict"), "{settings}");

    // Back to Add (Update): the policy is updated in place, not duplicated.
    let back = t.provision(&[]).await;
    assert!(back.status.success(), "{}", text(&back.stdout));
    let policies = t.sim.configuration_policies();
    assert_eq!(policies.len(), 1);
    assert!(serde_json::to_string(&policies[0].settings)
        .unwrap()
        .contains("add_update"));
    assert!(!t
        .sim
        .calls_to("PUT", "/beta/deviceManagement/configurationPolicies/")
        .is_empty());
    t.sim.shutdown().await;
}

#[tokio::test]
async fn a_failed_step_is_named_with_graphs_error_and_a_rerun_finishes() {
    let t = Tenant::start().await;
    t.sim.faults().inject(
        FaultRule::new(
            RoutePattern::new("POST", "/v1.0/roleManagement/entitlementManagement/roleAssignments"),
            FaultKind::InternalServerError,
        )
        .always(),
    );
    let failed = t.provision(&[]).await;
    let stdout = text(&failed.stdout);
    assert_eq!(failed.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAILED: step 3 (catalog role"), "{stdout}");
    assert!(
        stdout.contains("500") && stdout.contains("generalException"),
        "{stdout}"
    );
    assert_eq!(t.sim.custom_extensions(CATALOG).len(), 3, "steps 1 and 2 stay done");
    assert!(t.sim.configuration_policies().is_empty(), "later steps did not run");

    t.sim.faults().clear();
    let rerun = t.provision(&[]).await;
    let stdout = text(&rerun.stdout);
    assert!(rerun.status.success(), "{stdout}");
    assert!(stdout.contains("[1/5] custom extensions\n      ok"), "{stdout}");
    assert_eq!(t.sim.custom_extensions(CATALOG).len(), 3, "no duplicates");
    assert_eq!(t.sim.em_role_assignments().len(), 1);
    assert_eq!(t.sim.configuration_policies().len(), 1);
    t.sim.shutdown().await;
}

/// Graph as another admin would call it.
async fn graph(sim: &TenantSim, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let token = sim
        .app_token("66666666-0000-4000-8000-000000000001", "https://graph.microsoft.com")
        .expect("token");
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", sim.graph_url()))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("graph");
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

#[tokio::test]
async fn stages_jitadmin_does_not_manage_are_kept_and_a_changed_timeout_is_updated() {
    let t = Tenant::start().await;
    assert!(t.provision(&[]).await.status.success());
    // Someone else's extension on the approved stage.
    let em = "/v1.0/identityGovernance/entitlementManagement";
    let theirs = graph(
        &t.sim,
        reqwest::Method::POST,
        &format!("{em}/catalogs/{CATALOG}/customWorkflowExtensions"),
        Some(serde_json::json!({
            "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension",
            "displayName": "ticketing",
            "endpointConfiguration": { "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration", "url": "https://ticketing.example/hook" }
        })),
    )
    .await;
    let policy_path = format!("{em}/assignmentPolicies/{POLICY}");
    let mut policy = graph(
        &t.sim,
        reqwest::Method::GET,
        &format!("{policy_path}?$expand=accessPackage"),
        None,
    )
    .await;
    let mut settings = policy["customExtensionStageSettings"].as_array().cloned().unwrap();
    settings.push(
        serde_json::json!({ "stage": "assignmentRequestApproved", "customExtension": {
            "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension", "id": theirs["id"] } }),
    );
    policy["customExtensionStageSettings"] = Value::Array(settings);
    graph(&t.sim, reqwest::Method::PUT, &policy_path, Some(policy)).await;

    t.sim.clear_calls();
    let out = t
        .provision(&["--callback-timeout", "PT4H", "--pre-expiration", "fourteen-days"])
        .await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("update       \"jitadmin request\": launch and wait, timeout PT4H"),
        "{stdout}"
    );
    let writes = t.writes();
    assert_eq!(
        writes
            .iter()
            .filter(|w| w.starts_with("PUT") && w.contains("customWorkflowExtensions"))
            .count(),
        1,
        "only the request extension changed: {writes:?}"
    );
    assert!(
        writes
            .iter()
            .any(|w| w.starts_with("PUT") && w.contains("assignmentPolicies")),
        "{writes:?}"
    );
    assert_eq!(writes.len(), 2, "nothing else is written: {writes:?}");
    let request = extension(&t.sim.custom_extensions(CATALOG), "jitadmin request").clone();
    assert_eq!(request["callbackConfiguration"]["timeoutDuration"], "PT4H");
    let stages = t.sim.policy_stage_settings(POLICY);
    let theirs_id = theirs["id"].as_str().unwrap().to_string();
    assert!(
        stages.contains(&("assignmentRequestApproved".to_string(), theirs_id)),
        "{stages:?}"
    );
    assert!(
        stages
            .iter()
            .any(|(s, _)| s == "assignmentFourteenDaysBeforeExpiration"),
        "{stages:?}"
    );
    assert_eq!(stages.len(), 5, "{stages:?}");
    t.sim.shutdown().await;
}
