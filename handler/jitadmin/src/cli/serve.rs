//! `jitadmin serve`: the custom handler the Functions host starts.

use anyhow::Context;
use clap::Args;

use crate::app::App;
use crate::config::Config;

/// Options of `jitadmin serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Largest accepted invocation body in bytes.
    #[arg(long, env = "JITADMIN_MAX_BODY_BYTES", default_value_t = azfn_runtime::DEFAULT_BODY_LIMIT)]
    pub max_body_bytes: usize,
}

/// Load the configuration, build the app, and serve the five functions on
/// `127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT` until SIGTERM. Any start-up error stops
/// with one line naming the setting or part at fault.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    // The port is checked first: without it the host did not start us.
    azfn_runtime::port_from_env()?;
    let config = Config::from_env().context("configuration")?;
    let app = App::start(config).await?;
    let server = azfn_runtime::ServerConfig {
        body_limit: args.max_body_bytes,
    };
    azfn_runtime::run_with(crate::functions::all(app), server).await?;
    Ok(())
}
