//! `jitadmin provision`: the Graph set-up Bicep cannot do, idempotent; `--dry-run`
//! prints the plan and only reads.
//!
//! ```text
//! jitadmin provision --catalog-id C --access-package-id AP --policy-id P \
//!     --forwarder-url https://prod-00.westeurope.logic.azure.com/workflows/.../invoke?... \
//!     --logic-app-id /subscriptions/S/resourceGroups/RG/providers/Microsoft.Logic/workflows/NAME \
//!     --managed-identity MI_OBJECT_ID --device-group DEVICE_GROUP --admin-group ADMIN_GROUP [--dry-run] [--json]
//! ```
//!
//! Every flag can come from a `JITADMIN_PROVISION_*` variable. Graph is reached with the app's own
//! settings (`JITADMIN_TENANT_ID`, `JITADMIN_CREDENTIAL`, `JITADMIN_GRAPH_BASE_URL`, and for step 5
//! `JITADMIN_STORE` and the watch settings), so run it with the Function App's settings and a
//! credential allowed to make these changes (see the README's permissions table).
//!
//! Exit codes: 0 done (or nothing to do), 1 a step failed (earlier steps stay done; run again),
//! 2 refused before any change (bad settings, Add (Replace) without `--force`).

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use jitadmin_graph::local_groups::GroupAction;

use crate::app::App;
use crate::config::Config;
use crate::doctor::{self, DoctorSettings};
use crate::provision::{self, LogicApp, ProvisionError, ProvisionSettings};

/// Add (Update) or Add (Replace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Membership {
    /// Add (Update): add the admin group, leave every other member alone (the default).
    Update,
    /// Add (Replace): the admin group becomes the only member. Needs --force; can lock everyone out.
    Replace,
}

/// Which pre-expiration stage calls the pre-expiration extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PreExpiration {
    /// None: the extension is created but not attached.
    None,
    /// `assignmentOneDayBeforeExpiration`.
    OneDay,
    /// `assignmentFourteenDaysBeforeExpiration`.
    FourteenDays,
}

/// Options of `jitadmin provision`.
#[derive(Debug, Args)]
pub struct ProvisionArgs {
    /// The access package catalog id.
    #[arg(long, env = "JITADMIN_PROVISION_CATALOG_ID")]
    pub catalog_id: String,
    /// The access package id (the policy must belong to it).
    #[arg(long, env = "JITADMIN_PROVISION_ACCESS_PACKAGE_ID")]
    pub access_package_id: String,
    /// The access package's assignment policy id.
    #[arg(long, env = "JITADMIN_PROVISION_POLICY_ID")]
    pub policy_id: String,
    /// The forwarder Logic App's trigger URL.
    #[arg(long, env = "JITADMIN_PROVISION_FORWARDER_URL")]
    pub forwarder_url: String,
    /// The forwarder Logic App's resource id (/subscriptions/.../Microsoft.Logic/workflows/NAME).
    #[arg(long, env = "JITADMIN_PROVISION_LOGIC_APP_ID")]
    pub logic_app_id: Option<String>,
    /// Callback timeout of the created stage (ISO 8601, PT5M to P14D).
    #[arg(long, env = "JITADMIN_PROVISION_CALLBACK_TIMEOUT", default_value = "P1D")]
    pub callback_timeout: String,
    /// Attach the pre-expiration extension to this stage.
    #[arg(long, value_enum, env = "JITADMIN_PROVISION_PRE_EXPIRATION", default_value = "none")]
    pub pre_expiration: PreExpiration,
    /// The Function App managed identity's service principal object id.
    #[arg(long, env = "JITADMIN_PROVISION_MANAGED_IDENTITY")]
    pub managed_identity: String,
    /// The Entra device group the Intune policy is assigned to.
    #[arg(long, env = "JITADMIN_PROVISION_DEVICE_GROUP")]
    pub device_group: String,
    /// The admin group (default: the only group of JITADMIN_WATCH_GROUPS).
    #[arg(long, env = "JITADMIN_PROVISION_ADMIN_GROUP")]
    pub admin_group: Option<String>,
    /// The Intune policy's name (how it is found again).
    #[arg(
        long,
        env = "JITADMIN_PROVISION_INTUNE_POLICY_NAME",
        default_value = "jitadmin local administrators"
    )]
    pub intune_policy_name: String,
    /// How the admin group joins local Administrators.
    #[arg(long, value_enum, default_value = "update")]
    pub membership: Membership,
    /// Allow --membership replace.
    #[arg(long)]
    pub force: bool,
    /// Print the plan; only read.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run `jitadmin provision`.
pub async fn run(args: ProvisionArgs) -> ExitCode {
    let config = match Config::from_env().context("configuration (the app's JITADMIN_* settings)") {
        Ok(c) => c,
        Err(e) => {
            eprintln!("jitadmin provision: {e:#}");
            return ExitCode::from(2);
        }
    };
    let settings = match settings(&args, &config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("jitadmin provision: {e:#}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = provision::preflight(&settings) {
        eprintln!("jitadmin provision: {e}");
        return ExitCode::from(2);
    }
    let rules = config
        .rules
        .as_ref()
        .and_then(|path| jitadmin_decide::check_file(path).ok());
    let app = match App::start(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("jitadmin provision: {e}");
            return ExitCode::from(2);
        }
    };
    match provision::run(&app, &settings).await {
        Ok(report) => {
            if args.json {
                println!("{}", report.to_json());
            } else {
                for w in &report.warnings {
                    eprintln!("WARNING: {w}");
                }
                println!("{}", report.to_text());
            }
            if report.failure.is_none() && !args.dry_run && !args.json {
                // What the set-up now does, and anything it could not fix (an approval
                // combination to explain, a policy of someone else's).
                let checked = doctor::run(
                    &app,
                    &DoctorSettings {
                        access_package_id: settings.access_package_id.clone(),
                        policy_id: settings.policy_id.clone(),
                        admin_group: Some(settings.admin_group.clone()),
                        intune_policy_name: settings.intune_policy_name.clone(),
                        rules,
                    },
                )
                .await;
                println!("\njitadmin doctor:\n{}", checked.to_text());
            }
            if report.failure.is_some() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(ProvisionError::Refused(why)) => {
            eprintln!("jitadmin provision: {why}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("jitadmin provision: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The settings from the flags and the app's configuration.
pub fn settings(args: &ProvisionArgs, config: &Config) -> anyhow::Result<ProvisionSettings> {
    let admin_group = match args.admin_group.as_deref().or(config.watch.only_group()) {
        Some(group) => group.to_string(),
        None => anyhow::bail!("--admin-group is needed (JITADMIN_WATCH_GROUPS does not name exactly one group)"),
    };
    let logic_app = match &args.logic_app_id {
        Some(id) => Some(LogicApp::from_resource_id(id).with_context(|| {
            format!("--logic-app-id {id:?} is not /subscriptions/S/resourceGroups/RG/providers/Microsoft.Logic/workflows/NAME")
        })?),
        None => None,
    };
    let url =
        url::Url::parse(&args.forwarder_url).with_context(|| format!("--forwarder-url {:?}", args.forwarder_url))?;
    anyhow::ensure!(
        matches!(url.scheme(), "https" | "http"),
        "--forwarder-url must be an https URL (the Logic App trigger)"
    );
    for (name, id) in [
        ("--managed-identity", &args.managed_identity),
        ("--device-group", &args.device_group),
        ("--admin-group", &admin_group),
    ] {
        anyhow::ensure!(
            uuid::Uuid::parse_str(id).is_ok(),
            "{name} {id:?} is not an object id (a GUID)"
        );
    }
    Ok(ProvisionSettings {
        catalog_id: args.catalog_id.clone(),
        access_package_id: args.access_package_id.clone(),
        policy_id: args.policy_id.clone(),
        forwarder_url: args.forwarder_url.clone(),
        logic_app,
        callback_timeout: args.callback_timeout.clone(),
        pre_expiration_stage: match args.pre_expiration {
            PreExpiration::None => None,
            PreExpiration::OneDay => Some("assignmentOneDayBeforeExpiration".into()),
            PreExpiration::FourteenDays => Some("assignmentFourteenDaysBeforeExpiration".into()),
        },
        managed_identity: args.managed_identity.clone(),
        device_group: args.device_group.clone(),
        admin_group,
        intune_policy_name: args.intune_policy_name.clone(),
        membership: match args.membership {
            Membership::Update => GroupAction::AddUpdate,
            Membership::Replace => GroupAction::AddReplace,
        },
        force: args.force,
        dry_run: args.dry_run,
    })
}
