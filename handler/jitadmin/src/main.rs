use clap::Parser;
use jitadmin::cli::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => {
            azfn_runtime::init_tracing();
            jitadmin::cli::serve::run(args).await
        }
        Command::Package(args) => jitadmin::cli::package::run(args),
        // These print their own problems (rules as FILE:LINE:COL: message) and choose the exit code.
        Command::Rules(args) => return jitadmin::cli::rules::run(args),
        Command::Decide(args) => {
            init_dev_tracing();
            return jitadmin::cli::decide::run(args).await;
        }
        Command::Replay(args) => {
            init_dev_tracing();
            jitadmin::cli::replay::run(*args).await
        }
        Command::Audit(args) => {
            init_dev_tracing();
            jitadmin::cli::audit::run(*args).await
        }
        Command::Provision(args) => {
            init_dev_tracing();
            return jitadmin::cli::provision::run(args).await;
        }
        Command::Doctor(args) => {
            init_dev_tracing();
            return jitadmin::cli::doctor::run(args).await;
        }
        #[cfg(feature = "dev")]
        Command::Dev(args) => {
            init_dev_tracing();
            jitadmin::cli::dev::run(args).await
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("jitadmin: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `jitadmin dev` prints its own timeline; logs go to stderr, warnings only by default.
fn init_dev_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
