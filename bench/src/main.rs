//! `bench`: jitadmin's benchmarks. `cargo run --release -p bench -- --quick` (it builds the
//! handlers it starts when they are missing), or without `--quick` for the full run.

use clap::Parser;

use bench::options::Options;
use bench::report;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = Options::parse();
    match bench::run::run(&options).await {
        Ok(results) => match report::json_line(&results) {
            Ok(json) => {
                print!("{}", report::table(&results));
                println!("{json}");
                std::process::ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("bench: writing the JSON line: {error:#}");
                std::process::ExitCode::FAILURE
            }
        },
        Err(error) => {
            eprintln!("bench: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
