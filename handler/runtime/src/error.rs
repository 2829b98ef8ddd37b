//! Errors of the runtime.

/// The error a function returns; any error type converts into it.
pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A binding's value could not be read from the invocation.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BindingError {
    /// `Data` has no entry for the trigger binding.
    #[error("the invocation has no input binding named '{0}'")]
    MissingBinding(String),
    /// The binding's value has the wrong shape.
    #[error("malformed binding value: {0}")]
    Malformed(String),
}

/// The runtime could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// `FUNCTIONS_CUSTOMHANDLER_PORT` is not set.
    #[error("FUNCTIONS_CUSTOMHANDLER_PORT is not set; the Functions host sets it when it starts the handler")]
    PortMissing,
    /// `FUNCTIONS_CUSTOMHANDLER_PORT` is not a port number.
    #[error("FUNCTIONS_CUSTOMHANDLER_PORT must be a port number from 1 to 65535, got '{0}'")]
    PortInvalid(String),
    /// Binding the port failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("server error: {0}")]
    Serve(std::io::Error),
}
