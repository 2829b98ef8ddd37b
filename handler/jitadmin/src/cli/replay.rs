//! `jitadmin replay`: list dead-lettered events and put them back to work, against Azure
//! Service Bus or the local host's queue, with the same options.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use jitadmin_servicebus::{Auth, ServiceBusClient};

use crate::ops::azure_queue::AzureQueue;
#[cfg(feature = "dev")]
use crate::ops::local_queue::LocalQueue;
use crate::ops::{DeadLetter, DeadLetterQueue, Filter, Outcome, Summary};

/// Options of `jitadmin replay`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReplayArgs {
    /// `list` only shows the dead letters.
    #[command(subcommand)]
    pub command: Option<ReplayCommand>,
    /// Without a subcommand: replay.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The subcommands of `jitadmin replay`.
#[derive(Debug, Subcommand)]
pub enum ReplayCommand {
    /// List dead-lettered messages: sequence number, enqueued time, deliveries, reason, event.
    List(ListArgs),
}

/// Which queue.
#[derive(Debug, Clone, Args)]
pub struct Target {
    /// The local host's queue: a `jitadmin dev` state directory (default .jitadmin/dev).
    #[arg(long, value_name = "STATE_DIR", num_args = 0..=1, default_missing_value = ".jitadmin/dev",
          conflicts_with_all = ["namespace", "connection_string"])]
    pub local: Option<PathBuf>,
    /// The Service Bus namespace (`contoso` or `contoso.servicebus.windows.net`), reached with
    /// your own identity (Azure CLI, or managed identity where it runs in Azure).
    #[arg(long, env = "JITADMIN_SERVICEBUS_NAMESPACE", conflicts_with = "connection_string")]
    pub namespace: Option<String>,
    /// A Service Bus connection string (shared access key) instead of an identity.
    #[arg(long, env = "JITADMIN_SERVICEBUS_CONNECTION_STRING", hide_env_values = true)]
    pub connection_string: Option<String>,
    /// The credential for --namespace: `azure-cli` or `managed-identity` (default:
    /// managed identity where IDENTITY_ENDPOINT is set, else Azure CLI).
    #[arg(long)]
    pub credential: Option<String>,
    /// The queue whose dead letters to replay.
    #[arg(long, default_value = "events")]
    pub queue: String,
}

/// Which dead letters.
#[derive(Debug, Clone, Args)]
pub struct Selection {
    /// Event kind: callout, groupChange, lifecycle, teamsDecision, unknown.
    #[arg(long)]
    pub kind: Option<String>,
    /// Stage: assignmentRequestCreated (or just created), granted, removed, ...
    #[arg(long)]
    pub stage: Option<String>,
    /// Access package assignment request id.
    #[arg(long)]
    pub request: Option<String>,
    /// User object id (or group id for group changes).
    #[arg(long)]
    pub user: Option<String>,
    /// Enqueued at or after: RFC 3339, YYYY-MM-DD, or an age like 30m, 2h, 3d.
    #[arg(long, value_parser = parse_time)]
    pub since: Option<DateTime<Utc>>,
    /// Enqueued before (same forms as --since).
    #[arg(long, value_parser = parse_time)]
    pub until: Option<DateTime<Utc>>,
    /// Text in the dead-letter reason or description.
    #[arg(long)]
    pub reason: Option<String>,
}

/// Options of `jitadmin replay list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The queue.
    #[command(flatten)]
    pub target: Target,
    /// The filters.
    #[command(flatten)]
    pub selection: Selection,
    /// JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Options of `jitadmin replay` (replaying).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The queue.
    #[command(flatten)]
    pub target: Target,
    /// The filters.
    #[command(flatten)]
    pub selection: Selection,
    /// Show what would be replayed; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Replay at most this many (oldest first).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Service Bus only: skip messages enqueued within the queue's duplicate-detection window
    /// (a resend with the same MessageId would be silently dropped). `0` when the queue has none.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub duplicate_window: Duration,
}

/// Run `jitadmin replay`.
pub async fn run(args: ReplayArgs) -> anyhow::Result<()> {
    match args.command {
        Some(ReplayCommand::List(list)) => run_list(list).await,
        None => run_replay(args.run).await,
    }
}

fn open(target: &Target) -> anyhow::Result<DeadLetterQueue> {
    if let Some(dir) = &target.local {
        #[cfg(feature = "dev")]
        return Ok(DeadLetterQueue::Local(LocalQueue::open(dir, &target.queue)?));
        #[cfg(not(feature = "dev"))]
        bail!(
            "--local {}: this jitadmin was built without the local host (the `dev` feature); use --namespace or --connection-string",
            dir.display()
        );
    }
    let client = if let Some(text) = &target.connection_string {
        ServiceBusClient::from_connection_string(text)?
    } else if let Some(namespace) = &target.namespace {
        ServiceBusClient::for_namespace(namespace, Auth::Credential(credential(target.credential.as_deref())?))?
    } else {
        bail!("say which queue: --local [STATE_DIR], --namespace NAMESPACE or --connection-string (or JITADMIN_SERVICEBUS_NAMESPACE)");
    };
    Ok(DeadLetterQueue::Azure(AzureQueue::new(client, &target.queue)))
}

/// The operator's identity: managed identity where the platform offers one, else Azure CLI.
pub(crate) fn credential(choice: Option<&str>) -> anyhow::Result<Arc<dyn azure_core::credentials::TokenCredential>> {
    use jitadmin_graph::CredentialConfig;
    let config = match choice.map(str::to_ascii_lowercase).as_deref() {
        Some("azure-cli") => CredentialConfig::AzureCli,
        Some("managed-identity") => CredentialConfig::ManagedIdentity {
            client_id: std::env::var("AZURE_CLIENT_ID").ok(),
        },
        Some(other) => bail!("--credential {other:?} is not azure-cli or managed-identity"),
        None if std::env::var_os("IDENTITY_ENDPOINT").is_some() => CredentialConfig::ManagedIdentity {
            client_id: std::env::var("AZURE_CLIENT_ID").ok(),
        },
        None => CredentialConfig::AzureCli,
    };
    jitadmin_graph::credential_from_config(&config).context("building the credential")
}

fn filter(s: &Selection) -> Filter {
    Filter {
        kind: s.kind.clone(),
        stage: s.stage.clone(),
        request: s.request.clone(),
        user: s.user.clone(),
        since: s.since,
        until: s.until,
        reason: s.reason.clone(),
    }
}

async fn selected(target: &Target, selection: &Selection) -> anyhow::Result<(DeadLetterQueue, Vec<DeadLetter>, usize)> {
    let queue = open(target)?;
    let all = queue
        .list()
        .await
        .with_context(|| format!("listing the dead letters of {}", queue.describe()))?;
    let total = all.len();
    let filter = filter(selection);
    let chosen = all.into_iter().filter(|d| filter.matches(d)).collect();
    Ok((queue, chosen, total))
}

async fn run_list(args: ListArgs) -> anyhow::Result<()> {
    let (queue, chosen, total) = selected(&args.target, &args.selection).await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for d in &chosen {
            writeln!(out, "{}", serde_json::to_string(d)?)?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{}: {} dead-lettered, {} selected",
        queue.describe(),
        total,
        chosen.len()
    )?;
    if !chosen.is_empty() {
        writeln!(out, "{}", header())?;
    }
    for d in &chosen {
        writeln!(out, "{}", row(d))?;
    }
    Ok(())
}

fn header() -> String {
    format!(
        "{:>6}  {:<20} {:>5}  {:<13} {:<26} {:<38} {:<38} REASON: DESCRIPTION",
        "SEQ", "ENQUEUED (UTC)", "DELIV", "KIND", "STAGE", "REQUEST", "USER"
    )
}

fn row(d: &DeadLetter) -> String {
    let dash = || "-".to_string();
    let replays = if d.replays > 0 {
        format!(" (replayed {}x)", d.replays)
    } else {
        String::new()
    };
    format!(
        "{:>6}  {:<20} {:>5}  {:<13} {:<26} {:<38} {:<38} {}: {}{replays}",
        d.sequence_number,
        d.enqueued_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(dash),
        d.delivery_count,
        d.event.kind,
        d.event.stage.clone().unwrap_or_else(dash),
        d.event.request_id.clone().unwrap_or_else(dash),
        d.event.user.clone().unwrap_or_else(dash),
        d.reason.clone().unwrap_or_else(dash),
        d.description.clone().unwrap_or_else(dash).replace('\n', " "),
    )
}

async fn run_replay(args: RunArgs) -> anyhow::Result<()> {
    let (queue, mut chosen, total) = selected(&args.target, &args.selection).await?;
    let mut err = std::io::stderr().lock();
    if matches!(queue, DeadLetterQueue::Azure(_)) && !args.duplicate_window.is_zero() {
        let window = chrono::Duration::from_std(args.duplicate_window).unwrap_or(chrono::Duration::MAX);
        let now = Utc::now();
        let (recent, older): (Vec<_>, Vec<_>) = chosen
            .into_iter()
            .partition(|d| d.enqueued_at.is_some_and(|t| t + window > now));
        for d in &recent {
            writeln!(
                err,
                "skipping {} (enqueued {}): within the duplicate-detection window, Service Bus would drop the resend; retry after it or pass --duplicate-window 0 if the queue has none",
                d.sequence_number,
                d.enqueued_at.map(|t| t.to_rfc3339()).unwrap_or_default()
            )?;
        }
        chosen = older;
    }
    if let Some(limit) = args.limit {
        chosen.truncate(limit);
    }
    writeln!(
        err,
        "{}: {} dead-lettered, {} to replay",
        queue.describe(),
        total,
        chosen.len()
    )?;
    if chosen.is_empty() {
        println!("nothing to replay");
        return Ok(());
    }
    if args.dry_run {
        println!("dry run: would replay {} message(s)", chosen.len());
        println!("{}", header());
        for d in &chosen {
            println!("{}", row(d));
        }
        return Ok(());
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "refusing to replay {} message(s) without confirmation: stdin is not a terminal; pass --yes",
                chosen.len()
            );
        }
        write!(
            err,
            "Replay {} message(s) to '{}'? [y/N] ",
            chosen.len(),
            args.target.queue
        )?;
        err.flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            println!("nothing replayed");
            return Ok(());
        }
    }
    drop(err);
    let mut progress = Progress::new(chosen.len());
    let mut summary = Summary {
        selected: chosen.len(),
        ..Summary::default()
    };
    let result = queue
        .replay(&chosen, |seq, outcome| {
            summary.add(outcome);
            progress.step();
            match outcome {
                Outcome::Replayed | Outcome::Gone => {}
                Outcome::SendFailed(e) => progress.note(&format!("{seq}: not replayed, still dead-lettered: {e}")),
                Outcome::SentButNotRemoved(e) => progress.note(&format!(
                    "{seq}: sent, but still in the dead-letter queue ({e}); a later replay sends it again, harmlessly"
                )),
            }
        })
        .await;
    progress.finish();
    println!(
        "replayed {} of {} selected message(s) to '{}'; {} failed (left dead-lettered); {} sent but left dead-lettered; {} already gone",
        summary.replayed, summary.selected, args.target.queue, summary.failed, summary.sent_not_removed, summary.gone
    );
    result.with_context(|| format!("replaying to {}", queue.describe()))?;
    if !summary.is_clean() {
        bail!("not every message was replayed cleanly (see above)");
    }
    Ok(())
}

/// A light progress bar on stderr, drawn only when stderr is a terminal.
struct Progress {
    total: usize,
    done: usize,
    draw: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress {
            total,
            done: 0,
            draw: std::io::stderr().is_terminal() && total > 1,
        }
    }

    fn render(&self) {
        if !self.draw {
            return;
        }
        const WIDTH: usize = 30;
        let filled = WIDTH * self.done / self.total.max(1);
        eprint!(
            "\rreplaying [{}{}] {}/{}",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            self.done,
            self.total
        );
    }

    fn step(&mut self) {
        self.done += 1;
        self.render();
    }

    fn note(&self, line: &str) {
        if self.draw {
            eprint!("\r\x1b[2K");
        }
        eprintln!("{line}");
        self.render();
    }

    fn finish(&self) {
        if self.draw {
            eprintln!();
        }
    }
}

/// `2026-11-28T10:00:00Z`, `2026-11-28` (midnight UTC), or an age: `90s`, `30m`, `2h`, `3d`.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    let age = parse_duration(text).map_err(|_| format!("{text:?} is not RFC 3339, YYYY-MM-DD or an age like 2h"))?;
    Ok(Utc::now() - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX))
}

/// `0`, `90s`, `30m`, `2h`, `3d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 90s, 30m, 2h or 3d"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => return Err(format!("{text:?} is not a duration like 90s, 30m, 2h or 3d")),
    };
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_durations_parse_in_every_documented_form() {
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert!(parse_duration("soon").is_err());
        assert_eq!(
            parse_time("2026-11-28").unwrap().to_rfc3339(),
            "2026-11-28T00:00:00+00:00"
        );
        assert!(parse_time("2026-11-28T10:00:00Z").is_ok());
        assert!(parse_time("2h").unwrap() < Utc::now());
        assert!(parse_time("yesterday").is_err());
    }
}
