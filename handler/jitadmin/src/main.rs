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
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("jitadmin: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
