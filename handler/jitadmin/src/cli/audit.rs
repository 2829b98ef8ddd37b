//! `jitadmin audit`: what happened to a request (or to a user, or in a time range), in
//! time order, from the state store's audit trail.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use clap::Args;
use jitadmin_store::{AuditRecord, Store, StoreConfig};

use crate::audit::trail::{render_line, steps};
use crate::cli::replay::parse_time;

/// Options of `jitadmin audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The access package assignment request id.
    pub request_id: Option<String>,
    /// Everything about a user: object id or UPN (a UPN is resolved through Graph when it
    /// can be; records are matched on both).
    #[arg(long)]
    pub user: Option<String>,
    /// From (RFC 3339, YYYY-MM-DD or an age like 2h).
    #[arg(long, value_parser = parse_time)]
    pub since: Option<DateTime<Utc>>,
    /// Until (same forms).
    #[arg(long, value_parser = parse_time)]
    pub until: Option<DateTime<Utc>>,
    /// The state store, as JITADMIN_STORE (`sqlite:PATH`, `table+identity:URL`, ...).
    #[arg(long, env = "JITADMIN_STORE", hide_env_values = true)]
    pub store: Option<String>,
    /// The table prefix, as JITADMIN_STORE_TABLE_PREFIX.
    #[arg(long, env = "JITADMIN_STORE_TABLE_PREFIX")]
    pub table_prefix: Option<String>,
    /// Read a `jitadmin dev` state directory's store (default .jitadmin/dev).
    #[arg(long, value_name = "STATE_DIR", num_args = 0..=1, default_missing_value = ".jitadmin/dev", conflicts_with = "store")]
    pub local: Option<PathBuf>,
    /// Graph's base URL for resolving a UPN (JITADMIN_GRAPH_BASE_URL).
    #[arg(long, env = "JITADMIN_GRAPH_BASE_URL")]
    pub graph_base_url: Option<String>,
    /// JSON lines instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Run `jitadmin audit`.
pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    if args.request_id.is_none() && args.user.is_none() && args.since.is_none() {
        bail!("say what to show: a REQUEST_ID, --user UPN_OR_ID, or --since (with --until)");
    }
    let store = open_store(&args).await?;
    let mut records = records(&store, &args).await?;
    let since = args.since;
    let until = args.until;
    records.retain(|r| since.is_none_or(|s| r.event.at >= s) && until.is_none_or(|u| r.event.at < u));
    if let Some(request) = &args.request_id {
        records.retain(|r| r.event.request_id.eq_ignore_ascii_case(request));
    }
    let steps = steps(&records);
    let mut out = std::io::stdout().lock();
    if args.json {
        for step in &steps {
            writeln!(out, "{}", serde_json::to_string(step)?)?;
        }
        return Ok(());
    }
    if steps.is_empty() {
        writeln!(out, "no audit records match")?;
        return Ok(());
    }
    let with_request = args.request_id.is_none();
    for step in &steps {
        writeln!(out, "{}", render_line(step, with_request))?;
    }
    Ok(())
}

async fn open_store(args: &AuditArgs) -> anyhow::Result<Store> {
    let setting = match (&args.local, &args.store) {
        (Some(dir), _) => {
            let file = dir.join("jitadmin.db");
            if !file.is_file() {
                bail!(
                    "{} holds no jitadmin store (is it a `jitadmin dev` state directory?)",
                    dir.display()
                );
            }
            format!("sqlite:{}", file.display())
        }
        (None, Some(s)) => s.clone(),
        (None, None) => bail!("no store: set JITADMIN_STORE (as for `jitadmin serve`), --store, or --local STATE_DIR"),
    };
    let mut config = StoreConfig::parse(&setting).context("JITADMIN_STORE")?;
    if let Some(prefix) = &args.table_prefix {
        config = config
            .with_table_prefix(prefix)
            .context("JITADMIN_STORE_TABLE_PREFIX")?;
    }
    let credential = if setting.starts_with("sqlite:") {
        None
    } else {
        Some(crate::cli::replay::credential(None)?)
    };
    Store::open(&config, credential).await.context("opening the store")
}

async fn records(store: &Store, args: &AuditArgs) -> anyhow::Result<Vec<AuditRecord>> {
    if let Some(request) = &args.request_id {
        return Ok(store.audit_by_request(request).await?);
    }
    if let Some(user) = &args.user {
        let mut ids = vec![user.clone()];
        if user.contains('@') {
            match resolve_upn(args, user).await {
                Ok(id) => ids.push(id),
                Err(error) => {
                    eprintln!("jitadmin: could not resolve {user} through Graph ({error:#}); matching it as given")
                }
            }
        }
        let mut all: Vec<AuditRecord> = Vec::new();
        for id in ids {
            for r in store.audit_by_user(&id).await? {
                if !all.iter().any(|a| a.id == r.id) {
                    all.push(r);
                }
            }
        }
        return Ok(all);
    }
    let since = args.since.unwrap_or_default();
    let until = args.until.unwrap_or_else(Utc::now);
    Ok(store.audit_between(since, until).await?)
}

async fn resolve_upn(args: &AuditArgs, upn: &str) -> anyhow::Result<String> {
    let mut config = jitadmin_graph::GraphConfig::default();
    if let Some(base) = &args.graph_base_url {
        config.base_url = base.clone();
    }
    let graph = jitadmin_graph::GraphClient::new(config, crate::cli::replay::credential(None)?)?;
    Ok(graph.get_user(upn).await?.id)
}
