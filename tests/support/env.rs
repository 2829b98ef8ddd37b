//! One dev environment per test: tenant-sim, azfn-local and the built `jitadmin`
//! binary, on free ports and in a temp directory, so tests run in parallel.

use std::path::PathBuf;
use std::time::Duration;

use jitadmin::dev::{DevEnvironment, DevOptions};

/// The `jitadmin` binary cargo built for this test run (`target/<profile>/jitadmin`),
/// or `$JITADMIN_BIN`.
pub fn jitadmin_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("JITADMIN_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> -> target/<profile>/jitadmin
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
    let binary = profile_dir.join(format!("jitadmin{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "{} is missing: `cargo test --workspace` builds it (jitadmin has integration tests); \
         or build it with `cargo build -p jitadmin` or set JITADMIN_BIN",
        binary.display()
    );
    binary
}

/// A running environment and the temp directory it lives in.
pub struct TestEnv {
    /// The environment.
    pub env: DevEnvironment,
    /// Kept alive for the test's duration.
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    /// Start with the demo tenant and fast queue timings.
    pub async fn start() -> TestEnv {
        Self::start_with(|_| {}).await
    }

    /// Start after adjusting the options.
    pub async fn start_with(adjust: impl FnOnce(&mut DevOptions)) -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut options = DevOptions::new(jitadmin_binary(), dir.path().join("state"));
        options.http_port = 0;
        options.max_delivery_count = 3;
        options.lock_duration = Duration::from_secs(5);
        options.graph_calls = Some(graph_calls());
        adjust(&mut options);
        let env = DevEnvironment::start(options)
            .await
            .expect("the dev environment starts");
        TestEnv { env, dir }
    }

    /// Stop everything.
    pub async fn shutdown(self) {
        self.env.shutdown().await;
    }
}

/// The table of every Graph call jitadmin makes (`docs/graph.md`): the tenant refuses any
/// other call of jitadmin's identity, so a call missing from the table fails its test.
pub fn graph_calls() -> tenant_sim::GraphCallTable {
    let path = crate::repo_root().join("docs").join("graph.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    tenant_sim::GraphCallTable::from_markdown(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
