//! `jitadmin doctor`, the real binary against tenant-sim's recipe tenant: after `provision`, it
//! explains the pre-screen mode (entitlement management's own approval is on) and exits 0; a
//! configuration that would break requests (no created-stage extension, an Add (Replace)
//! Intune policy) is named with its fix and exits 1.

use std::process::Output;

use jitadmin_tests::jitadmin_binary;
use tenant_sim::{Group, Scenario, TenantSim};

const CATALOG: &str = "55555555-0000-4000-8000-0000000000ca";
const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const POLICY: &str = "55555555-0000-4000-8000-0000000000a1";
const ADMINS: &str = "22222222-0000-4000-8000-000000000001";
const DEVICES: &str = "22222222-0000-4000-8000-0000000000d1";
const MI_OBJECT: &str = "77777777-0000-4000-8000-0000000000a1";
const FORWARDER: &str =
    "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-10-01";

struct Recipe {
    sim: TenantSim,
    dir: tempfile::TempDir,
    notify_url: String,
}

impl Recipe {
    async fn start() -> Recipe {
        let sim = TenantSim::start(Scenario::recipe()).await.expect("sim");
        sim.add_group(Group {
            id: DEVICES.into(),
            display_name: "JIT Windows devices".into(),
            security_enabled: true,
            ..Group::default()
        })
        .expect("device group");
        Recipe {
            sim,
            dir: tempfile::tempdir().expect("temp dir"),
            notify_url: crate::helpers::handshake_endpoint().await,
        }
    }

    async fn jitadmin(&self, args: &[&str]) -> Output {
        tokio::process::Command::new(jitadmin_binary())
            .args(args)
            .envs(jitadmin::dev::handler_settings(&self.sim, self.dir.path()))
            .envs([
                ("JITADMIN_WATCH_GROUPS", ADMINS),
                ("JITADMIN_NOTIFICATION_URL", self.notify_url.as_str()),
                ("JITADMIN_CLIENT_STATE", "doctor-test-client-state"),
            ])
            .env("RUST_LOG", "warn")
            .current_dir(self.dir.path())
            .output()
            .await
            .expect("jitadmin runs")
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
            "--managed-identity",
            MI_OBJECT,
            "--device-group",
            DEVICES,
            "--admin-group",
            ADMINS,
        ];
        args.extend_from_slice(extra);
        self.jitadmin(&args).await
    }

    async fn doctor(&self) -> Output {
        self.jitadmin(&[
            "doctor",
            "--access-package-id",
            PACKAGE,
            "--policy-id",
            POLICY,
            "--admin-group",
            ADMINS,
        ])
        .await
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn the_recipe_after_provision_is_explained_and_passes() {
    let recipe = Recipe::start().await;
    let provisioned = recipe.provision(&[]).await;
    assert!(provisioned.status.success(), "{}", text(&provisioned));
    assert!(
        text(&provisioned).contains("jitadmin doctor:"),
        "provision runs doctor at the end: {}",
        text(&provisioned)
    );
    let doctor = recipe.doctor().await;
    let out = text(&doctor);
    assert_eq!(doctor.status.code(), Some(0), "{out}");
    assert!(out.contains("jitadmin pre-screens"), "{out}");
    assert!(out.contains("goes on to the approver in My Access"), "{out}");
    assert!(
        out.contains("default requests go to a person"),
        "the 30-day lifecycle: {out}"
    );
    assert!(out.contains("waits 2000 ms and retries once"), "{out}");
    assert!(out.contains("with Add (Update)"), "{out}");
    assert!(out.contains("no problem that would break requests"), "{out}");
    recipe.sim.shutdown().await;
}

#[tokio::test]
async fn a_configuration_that_would_break_requests_is_named_and_fails() {
    let recipe = Recipe::start().await;
    let provisioned = recipe.provision(&["--membership", "replace", "--force"]).await;
    assert!(provisioned.status.success(), "{}", text(&provisioned));
    recipe.sim.clear_stage_settings(POLICY);
    let doctor = recipe.doctor().await;
    let out = text(&doctor);
    assert_eq!(doctor.status.code(), Some(1), "{out}");
    assert!(
        out.contains("no custom extension on the \"request is created\" stage"),
        "{out}"
    );
    assert!(out.contains("uses Add (Replace)"), "{out}");
    assert!(out.contains("fix: change the action to Add (Update)"), "{out}");
    assert!(out.contains("2 problem(s) would break requests"), "{out}");

    let json = recipe
        .jitadmin(&[
            "doctor",
            "--access-package-id",
            PACKAGE,
            "--policy-id",
            POLICY,
            "--admin-group",
            ADMINS,
            "--json",
        ])
        .await;
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let problems = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "problem")
        .count();
    assert_eq!(problems, 2, "{report}");
    recipe.sim.shutdown().await;
}
