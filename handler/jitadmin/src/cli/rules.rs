//! `jitadmin rules check FILE`: compile a rules file the way start-up does, and say what
//! it does, or every problem as `FILE:LINE:COL: message`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

/// Options of `jitadmin rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// What to do with the rules.
    #[command(subcommand)]
    pub command: RulesCommand,
}

/// The `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Check a rules file: exit 0 with a summary, or 1 with each problem as FILE:LINE:COL: message.
    Check {
        /// The rules file (rules.toml).
        file: PathBuf,
    },
}

/// Run `jitadmin rules ...`: the summary goes to stdout, problems to stderr.
pub fn run(args: RulesArgs) -> ExitCode {
    match args.command {
        RulesCommand::Check { file } => check(&file, &mut std::io::stdout(), &mut std::io::stderr()),
    }
}

/// Check `file`, writing the summary to `out` or the problems to `err`.
pub fn check(file: &std::path::Path, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    match jitadmin_decide::check_file(file) {
        Ok(summary) => {
            for warning in &summary.warnings {
                let _ = writeln!(err, "warning: {warning}");
            }
            let _ = writeln!(out, "{summary}");
            let _ = writeln!(out, "ok");
            ExitCode::SUCCESS
        }
        Err(problems) => {
            for problem in &problems {
                let _ = writeln!(err, "{problem}");
            }
            ExitCode::FAILURE
        }
    }
}
