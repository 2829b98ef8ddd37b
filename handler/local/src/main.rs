//! `azfn-local start`: run an app's functions locally, like `func start`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use azfn_local::{Handler, LocalHost, State};

const USAGE: &str = "usage: azfn-local start [--app-root DIR] [--functions-dir DIR] [--port N] [--state DIR]
                        [--keys FILE] [--handler-url URL] [--max-delivery-count N] [--lock-duration-secs N]

  --app-root DIR          where host.json is (default: .)
  --functions-dir DIR     where <function>/function.json are (default: function-defs or the app root)
  --port N                front door port on 127.0.0.1 (default 7071; 0 = any free port)
  --state DIR             keep the queues in DIR (default: .azfn-local under the app root)
  --keys FILE             enforce authLevel with this keys file
                          ({\"masterKey\": \"..\", \"functionKeys\": {\"default\": \"..\", \"<fn>\": \"..\"}})
  --handler-url URL       call an already-running handler instead of starting host.json's
  --max-delivery-count N  deliveries before dead-lettering (default 10)
  --lock-duration-secs N  peek-lock duration (default 60)";

fn parse(args: &[String]) -> Result<azfn_local::LocalHostBuilder, String> {
    let mut iter = args.iter();
    match iter.next().map(String::as_str) {
        Some("start") => {}
        _ => return Err(USAGE.into()),
    }
    let mut app_root = PathBuf::from(".");
    let mut builder = LocalHost::builder();
    let mut state = None;
    while let Some(flag) = iter.next() {
        let mut value = || {
            iter.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))
        };
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("{flag}: '{v}' is not a number"));
        builder = match flag.as_str() {
            "--app-root" => {
                app_root = PathBuf::from(value()?);
                builder
            }
            "--functions-dir" => builder.functions_dir(value()?),
            "--port" => builder.http_port(u16::try_from(number(value()?)?).map_err(|_| "--port: too large")?),
            "--state" => {
                state = Some(PathBuf::from(value()?));
                builder
            }
            "--keys" => builder.keys_file(value()?),
            "--handler-url" => builder.handler(Handler::Url(value()?)),
            "--max-delivery-count" => builder.max_delivery_count(u32::try_from(number(value()?)?).unwrap_or(u32::MAX)),
            "--lock-duration-secs" => builder.lock_duration(Duration::from_secs(number(value()?)?)),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown option '{other}'\n\n{USAGE}")),
        };
    }
    let state = state.unwrap_or_else(|| app_root.join(".azfn-local"));
    Ok(builder.app_root(app_root).state(State::Dir(state)))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let builder = match parse(&args) {
        Ok(b) => b,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let host = match builder.start().await {
        Ok(host) => host,
        Err(error) => {
            eprintln!("azfn-local: {error}");
            return ExitCode::FAILURE;
        }
    };
    let prefix = &host.app().host.route_prefix;
    println!("azfn-local: front door at {}/{prefix}", host.front_door_url());
    println!(
        "azfn-local: admin API at {}{}",
        host.front_door_url(),
        azfn_local::front_door::ADMIN_PREFIX
    );
    for f in &host.app().functions {
        println!("  {}: {:?}", f.name, f.trigger);
    }
    let _ = tokio::signal::ctrl_c().await;
    host.shutdown().await;
    ExitCode::SUCCESS
}
