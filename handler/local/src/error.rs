//! Errors of the local host.

use std::path::PathBuf;

/// The app (host.json, function.json files) could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not valid JSON.
    #[error("{file}: not valid JSON: {source}")]
    Json {
        /// The file.
        file: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// A field has a missing or bad value.
    #[error("{file}: {field}: {message}")]
    Field {
        /// The file.
        file: PathBuf,
        /// The field's path, e.g. `bindings[0].queueName`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The functions directory holds no `*/function.json`.
    #[error("{dir}: no function definitions (<function>/function.json) found")]
    NoFunctions {
        /// The directory searched.
        dir: PathBuf,
    },
}

impl AppError {
    pub(crate) fn field(file: &std::path::Path, field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Field {
            file: file.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The queue store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("queue store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The state directory could not be created.
    #[error("queue store: cannot create state directory {dir}: {source}")]
    StateDir {
        /// The directory.
        dir: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A stored value could not be read back.
    #[error("queue store: corrupt row {sequence_number}: {message}")]
    Corrupt {
        /// The row.
        sequence_number: i64,
        /// What is wrong.
        message: String,
    },
}

/// The local host could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The app could not be loaded.
    #[error(transparent)]
    App(#[from] AppError),
    /// The queue store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The builder lacks a setting.
    #[error("local host: {0}")]
    Config(String),
    /// A port could not be bound.
    #[error("local host: cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The handler could not be started or never became ready.
    #[error("custom handler: {0}")]
    Handler(String),
    /// A timer schedule is not a valid NCRONTAB expression.
    #[error("function '{function}': schedule '{schedule}': {message}")]
    Schedule {
        /// The function.
        function: String,
        /// The schedule.
        schedule: String,
        /// What is wrong.
        message: String,
    },
}

/// An invocation failed (the host's view: outputs are not written).
#[derive(Debug, Clone, thiserror::Error)]
pub enum InvokeError {
    /// The handler is not running (starting, restarting or given up).
    #[error("the custom handler is not available: {0}")]
    Unavailable(String),
    /// The HTTP call to the handler failed.
    #[error("calling the custom handler failed: {0}")]
    Transport(String),
    /// The handler answered with a non-2xx status.
    #[error("the custom handler answered {status}: {body}")]
    Status {
        /// The status.
        status: u16,
        /// The body (truncated).
        body: String,
    },
    /// The handler's answer is not a valid invocation response.
    #[error("invalid answer from the custom handler: {0}")]
    InvalidAnswer(String),
    /// The invocation exceeded the function timeout.
    #[error("the invocation timed out after {0:?}")]
    Timeout(std::time::Duration),
}

/// The host did not settle within the time [`crate::LocalHost::wait_idle`] was given: what
/// was still in progress when it gave up.
#[derive(Debug, Clone, PartialEq)]
pub struct IdleTimeout {
    /// How long it waited.
    pub waited: std::time::Duration,
    /// Invocations in progress.
    pub invocations: usize,
    /// Timer runs in progress.
    pub timer_runs: usize,
    /// Triggered queues that still held active or locked messages.
    pub queues: Vec<crate::store::QueueCounts>,
    /// The queue store could not be read (the queues' state is then unknown).
    pub store_error: Option<String>,
}

impl std::fmt::Display for IdleTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "local host not idle after {:?}: {} invocation(s) and {} timer run(s) in progress",
            self.waited, self.invocations, self.timer_runs
        )?;
        for q in &self.queues {
            write!(f, "; queue '{}': {} active, {} locked", q.name, q.active, q.locked)?;
        }
        if let Some(error) = &self.store_error {
            write!(f, "; the queues could not be read: {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for IdleTimeout {}
