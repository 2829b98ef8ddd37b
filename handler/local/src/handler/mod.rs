//! The custom handler: how to reach it (a URL or a supervised child process) and the
//! client that invokes its functions.

mod client;
mod spawn;

use std::path::PathBuf;

pub use client::HandlerClient;
pub(crate) use client::Restart;
pub(crate) use spawn::{supervise, wait_answering, SpawnPlan};

/// Where the handler comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Handler {
    /// Start the executable `host.json`'s `customHandler.description` names, the way
    /// the Functions host does.
    HostJson,
    /// Start this program instead (relative paths resolve against the app root when
    /// such a file exists, else on `PATH`); the working directory defaults to the app root.
    Spawn {
        /// The executable.
        program: PathBuf,
        /// Its arguments.
        args: Vec<String>,
        /// Its working directory.
        working_dir: Option<PathBuf>,
    },
    /// An already-running handler at this base URL (e.g. `http://127.0.0.1:4242`),
    /// such as a server the caller started in-process. Start-up waits until it answers
    /// `GET /`.
    Url(String),
}

/// The handler's state as invocations see it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Endpoint {
    /// Starting or restarting.
    Starting,
    /// Ready at this base URL (no trailing slash).
    Ready(String),
    /// Given up: the reason.
    Failed(String),
}
