//! `jitadmin dev`: the main job on embedded defaults — a simulated tenant, a local
//! Functions host, and this binary as its handler.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::dev::{self, DevEnvironment, DevOptions};

/// Options of `jitadmin dev`.
#[derive(Debug, Args)]
pub struct DevArgs {
    /// Play a scripted story through the front door, print its timeline, and exit.
    #[arg(long)]
    pub demo: bool,
    /// Front door port (default 7071; with --demo, any free port).
    #[arg(long)]
    pub port: Option<u16>,
    /// Where queues, the store and the app files live.
    #[arg(long, default_value_os_t = dev::default_state_dir())]
    pub state: PathBuf,
    /// A tenant-sim scenario file (TOML or JSON) instead of the bundled demo tenant.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// The store setting (default: SQLite under the state directory), e.g.
    /// `table:UseDevelopmentStorage=true` for Azurite.
    #[arg(long, env = "JITADMIN_DEV_STORE")]
    pub store: Option<String>,
}

/// Run the subcommand.
pub async fn run(args: DevArgs) -> anyhow::Result<()> {
    let binary = std::env::current_exe().context("locating the jitadmin executable")?;
    let mut options = DevOptions::new(binary, args.state.clone());
    // What does not conform to Graph's metadata is logged, not refused, when trying things out.
    options.conformance = tenant_sim::ConformanceMode::Record;
    options.http_port = args.port.unwrap_or(if args.demo { 0 } else { 7071 });
    if let Some(store) = &args.store {
        options.extra_settings.push(("JITADMIN_STORE".into(), store.clone()));
    }
    if let Some(path) = &args.scenario {
        options.scenario = tenant_sim::Scenario::from_file(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    if args.demo {
        // A demo starts from a clean slate so it tells the same story every time.
        let _ = std::fs::remove_dir_all(&args.state);
    }
    let env = DevEnvironment::start(options).await?;
    println!("jitadmin dev");
    println!("  front door      {}", env.api_url());
    println!("  function key    {}", env.function_key);
    println!("  simulated tenant {} ({})", env.sim.base_url(), env.sim.tenant_id());
    println!("  state           {}", env.state_dir.display());
    if args.demo {
        println!();
        let mut timeline = dev::timeline::Timeline::new();
        let played = dev::story::play(&env, &mut timeline).await;
        env.shutdown().await;
        played?;
        println!("\ndemo finished");
        return Ok(());
    }
    println!("\nCtrl-C to stop.");
    azfn_runtime::shutdown_signal().await;
    env.shutdown().await;
    Ok(())
}
