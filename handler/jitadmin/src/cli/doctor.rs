//! `jitadmin doctor`: check the access package, its policy and extensions, entitlement
//! management's own approval against the rules, and the Intune policy.
//!
//! ```text
//! jitadmin doctor --access-package-id AP --policy-id P [--admin-group G] [--intune-policy-name N] [--json]
//! ```
//!
//! Reads with the app's settings and the credential they name (`JITADMIN_CREDENTIAL=azure-cli`
//! for an operator's own sign-in, as for `provision`). Exit codes: 0 nothing would break
//! requests (supported combinations are explained), 1 something would, 2 bad settings.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::app::App;
use crate::config::Config;
use crate::doctor::{self, DoctorSettings};

/// Options of `jitadmin doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The access package id.
    #[arg(long, env = "JITADMIN_PROVISION_ACCESS_PACKAGE_ID")]
    pub access_package_id: String,
    /// Its assignment policy id.
    #[arg(long, env = "JITADMIN_PROVISION_POLICY_ID")]
    pub policy_id: String,
    /// The admin group (default: the only group of JITADMIN_WATCH_GROUPS).
    #[arg(long, env = "JITADMIN_PROVISION_ADMIN_GROUP")]
    pub admin_group: Option<String>,
    /// The Intune Local user group membership policy's name.
    #[arg(
        long,
        env = "JITADMIN_PROVISION_INTUNE_POLICY_NAME",
        default_value = "jitadmin local administrators"
    )]
    pub intune_policy_name: String,
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run `jitadmin doctor`.
pub async fn run(args: DoctorArgs) -> ExitCode {
    let mut config = match Config::from_env().context("configuration (the app's JITADMIN_* settings)") {
        Ok(c) => c,
        Err(e) => {
            eprintln!("jitadmin doctor: {e:#}");
            return ExitCode::from(2);
        }
    };
    let rules = match config.rules.as_ref().map(jitadmin_decide::check_file) {
        None => None,
        Some(Ok(summary)) => Some(summary),
        Some(Err(problems)) => {
            for p in problems {
                eprintln!("{p}");
            }
            return ExitCode::from(2);
        }
    };
    // The rules are summarised above; the app need not compile them again.
    config.rules = None;
    let admin_group = args
        .admin_group
        .clone()
        .or_else(|| config.watch.only_group().map(str::to_string));
    let app = match App::start(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("jitadmin doctor: {e}");
            return ExitCode::from(2);
        }
    };
    let settings = DoctorSettings {
        access_package_id: args.access_package_id,
        policy_id: args.policy_id,
        admin_group,
        intune_policy_name: args.intune_policy_name,
        rules,
    };
    let report = doctor::run(&app, &settings).await;
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    if report.breaks_requests() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
