//! `jitadmin decide`: a dry run of the decision on one callout. Nothing is resumed, stored
//! or audited.
//!
//! ```text
//! jitadmin decide --event callout.json --facts facts.json --rules rules.toml [--json]
//! jitadmin decide --event callout.json            # facts from Graph, rules from JITADMIN_RULES
//! ```
//!
//! Without `--facts`, the facts are gathered as `process` would: from the callout, Graph
//! (with the configured credential, `JITADMIN_*` settings) and the store's history.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::Utc;
use clap::Args;
use jitadmin_decide::{Facts, RuleSet, RulesError};
use jitadmin_events::callout::{Callout, RequestCallout};

use crate::app::App;
use crate::config::Config;
use crate::services::facts::{self, Sources};

/// Options of `jitadmin decide`.
#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The callout body (any form entitlement management or Graph sends).
    #[arg(long, value_name = "CALLOUT.json")]
    pub event: PathBuf,
    /// Facts to decide on (the JSON form of the facts); gathered from Graph when absent.
    #[arg(long, value_name = "FACTS.json")]
    pub facts: Option<PathBuf>,
    /// The rules file; `JITADMIN_RULES` when absent.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Print the decision as JSON (the form the audit trail keeps).
    #[arg(long)]
    pub json: bool,
}

/// Run the dry run; problems of the rules file are printed one per line.
pub async fn run(args: DecideArgs) -> ExitCode {
    match decide(&args).await {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            match error.downcast_ref::<RulesError>() {
                Some(rules) => eprintln!("{rules}"),
                None => eprintln!("jitadmin decide: {error:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

async fn decide(args: &DecideArgs) -> anyhow::Result<String> {
    let callout = read_callout(&args.event)?;
    let rules_path = match &args.rules {
        Some(path) => path.clone(),
        None => match std::env::var_os("JITADMIN_RULES").filter(|v| !v.is_empty()) {
            Some(path) => PathBuf::from(path),
            None => bail!("no rules: pass --rules FILE or set JITADMIN_RULES"),
        },
    };
    let rules = RuleSet::from_file(&rules_path)?;
    let facts = match &args.facts {
        Some(path) => Facts::from_json_file(path)?,
        None => gather(&callout).await?,
    };
    let decision = rules.decide(&facts);
    Ok(if args.json {
        decision.to_json()
    } else {
        let mut text = format!(
            "request:  {} ({})\n",
            callout.access_package_assignment_request_id, callout.stage
        );
        text.push_str(&decision.to_text());
        text.trim_end().to_string()
    })
}

fn read_callout(path: &Path) -> anyhow::Result<RequestCallout> {
    let body = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    match Callout::from_slice(&body).with_context(|| format!("{} is not a callout", path.display()))? {
        Callout::Request(request) => match request.check_callback_path() {
            // `callout` refuses this at acknowledgement: nothing would be decided.
            Err(error) => bail!(
                "{}: field callbackUriPath: {error}; `callout` refuses it with 400",
                path.display()
            ),
            Ok(()) => Ok(*request),
        },
        other => bail!(
            "{}: a {} callout is not a request to decide",
            path.display(),
            other.stage()
        ),
    }
}

/// Gather the facts from Graph and the store, as `process` would (rules are not needed
/// for that: the configured `JITADMIN_RULES` is not compiled twice).
async fn gather(callout: &RequestCallout) -> anyhow::Result<Facts> {
    let mut config = Config::from_env().context("configuration (needed to gather facts without --facts)")?;
    config.rules = None;
    let app = App::start(config).await?;
    let sources = Sources {
        graph: app.graph(),
        store: Some(app.store()),
        packages: &app.config().packages,
    };
    Ok(facts::gather(sources, callout, Utc::now()).await)
}
