//! The `jitadmin` command line: one module per subcommand.

pub mod audit;
pub mod decide;
#[cfg(feature = "dev")]
pub mod dev;
pub mod doctor;
pub mod package;
pub mod provision;
pub mod replay;
pub mod rules;
pub mod serve;

use clap::{Parser, Subcommand};

/// jitadmin: just-in-time local admin rights through Entra access packages.
#[derive(Debug, Parser)]
#[command(name = "jitadmin", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run as the Azure Functions custom handler (the host starts this).
    Serve(serve::ServeArgs),
    /// Run the whole job locally: a simulated tenant, a local Functions host, this handler.
    #[cfg(feature = "dev")]
    Dev(dev::DevArgs),
    /// Build the release binary and assemble the deployable app in dist/.
    Package(package::PackageArgs),
    /// Check a rules file (rules.toml).
    Rules(rules::RulesArgs),
    /// Dry-run the decision on a callout: the outcome and why, nothing resumed or stored.
    Decide(decide::DecideArgs),
    /// List dead-lettered events and put them back to work (Service Bus or the local queue).
    Replay(Box<replay::ReplayArgs>),
    /// A request's whole trail (or a user's, or a time range's) from the audit records.
    Audit(Box<audit::AuditArgs>),
    /// Set up in Graph what Bicep cannot (custom extensions, stage settings, catalog role, Intune policy, subscription); --dry-run shows the plan.
    Provision(provision::ProvisionArgs),
    /// Check the access package, its extensions, entitlement management's approval against the rules, and the Intune policy; exit 1 when something would break requests.
    Doctor(doctor::DoctorArgs),
}
