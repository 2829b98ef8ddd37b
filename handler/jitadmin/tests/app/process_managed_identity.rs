//! The default, production-shaped App: `App::start` with the managed-identity credential
//! (azure_identity reading IDENTITY_ENDPOINT/IDENTITY_HEADER, served by tenant-sim over
//! http, as `jitadmin dev` and the end-to-end harness run the real binary). A request created
//! in the sim is called out, queued, processed and resumed with a token from the sim's
//! managed-identity endpoint. The environment is the process's, so the test runs its body in
//! a child copy of this test binary: the other tests never see those variables.

use std::collections::HashMap;
use std::time::Duration;

use crate::callout_support::front_door::FrontDoor;
use crate::callout_support::{AUDIENCE, FORWARDER_CLIENT_ID, FORWARDER_OBJECT_ID};
use jitadmin::app::App;
use jitadmin::config::Config;
use tenant_sim::em::{CalloutStatus, NewRequest, Stage, StageSetting};
use tenant_sim::{Scenario, TenantSim};

/// Set in the child that runs the body.
const IN_CHILD: &str = "JITADMIN_TEST_MANAGED_IDENTITY_CHILD";

#[tokio::test]
async fn app_started_from_settings_resumes_with_a_managed_identity_token() {
    if std::env::var_os(IN_CHILD).is_none() {
        let name = "process_managed_identity::app_started_from_settings_resumes_with_a_managed_identity_token";
        let output = tokio::process::Command::new(std::env::current_exe().expect("the test binary"))
            .args(["--exact", name, "--nocapture"])
            .env(IN_CHILD, "1")
            .output()
            .await
            .expect("the child runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "the child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        return;
    }
    let sim = TenantSim::start(Scenario::demo()).await.unwrap();
    std::env::set_var("IDENTITY_ENDPOINT", sim.identity_endpoint());
    std::env::set_var("IDENTITY_HEADER", sim.identity_header());
    let settings: HashMap<&str, String> = HashMap::from([
        ("JITADMIN_TENANT_ID", sim.tenant_id().to_string()),
        ("JITADMIN_AUTHORITY_HOST", sim.base_url().to_string()),
        ("JITADMIN_GRAPH_BASE_URL", sim.graph_url().to_string()),
        ("JITADMIN_CALLOUT_AUDIENCES", AUDIENCE.to_string()),
        ("JITADMIN_CALLOUT_ALLOWED_CALLERS", FORWARDER_OBJECT_ID.to_string()),
        ("JITADMIN_STORE", "sqlite::memory:".to_string()),
        ("JITADMIN_CREATED_STAGE", "continue".to_string()),
    ]);
    let config = Config::from_lookup(|name| settings.get(name).cloned()).unwrap();
    assert_eq!(config.credential_kind(), "managed-identity");
    let app = App::start(config).await.expect("app starts from settings alone");
    let router = azfn_runtime::router(jitadmin::functions::all(app.clone()), Default::default());
    let door = FrontDoor::start(router).await;
    let setting = StageSetting::wait(
        Stage::AssignmentRequestCreated,
        door.callout_url(),
        Duration::from_secs(3600),
    )
    .with_bearer(FORWARDER_CLIENT_ID, AUDIENCE);
    sim.set_stage_setting("55555555-0000-4000-8000-0000000000a1", setting)
        .unwrap();

    let request = sim
        .create_assignment_request(NewRequest::new(
            "11111111-0000-4000-8000-000000000003",
            "55555555-0000-4000-8000-000000000001",
        ))
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while door.queued() < 1 {
        assert!(tokio::time::Instant::now() < deadline, "the callout was not queued");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(door.drain().await, [200]);
    let view = sim
        .wait_for_request(&request, Duration::from_secs(10), |r| {
            r.callout(Stage::AssignmentRequestCreated)
                .is_some_and(|c| c.status == CalloutStatus::CallbackReceived)
        })
        .await
        .unwrap();
    assert_eq!(view.resumes.len(), 1);
    assert_eq!(view.resumes[0].status, 204);
    assert!(
        !sim.calls_to("GET", "/msi/token").is_empty(),
        "the token came from the MSI endpoint"
    );
}
