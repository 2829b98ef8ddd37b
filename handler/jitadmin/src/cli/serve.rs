//! `jitadmin serve`: the custom handler the Functions host starts.

use clap::Args;

/// Options of `jitadmin serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Largest accepted invocation body in bytes.
    #[arg(long, env = "JITADMIN_MAX_BODY_BYTES", default_value_t = azfn_runtime::DEFAULT_BODY_LIMIT)]
    pub max_body_bytes: usize,
}

/// Serve the five functions on `127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT` until SIGTERM.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = azfn_runtime::ServerConfig {
        body_limit: args.max_body_bytes,
    };
    azfn_runtime::run_with(crate::functions::all(), config).await?;
    Ok(())
}
