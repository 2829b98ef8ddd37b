//! Errors of the simulator's Rust API.

use std::io;

/// What can go wrong while starting or driving a [`TenantSim`](crate::TenantSim).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The scenario is not valid; the message names the source and the field.
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    /// The loopback listener could not be bound or inspected.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address we tried.
        addr: String,
        /// The operating system's error.
        source: io::Error,
    },
    /// A token could not be signed.
    #[error("cannot sign token: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
    /// An RSA key could not be generated or encoded.
    #[error("signing key: {0}")]
    Key(String),
    /// A seeded or looked-up entity does not exist.
    #[error("{kind} '{id}' does not exist in the simulated tenant")]
    NotFound {
        /// What kind of entity (`user`, `group`, ...).
        kind: &'static str,
        /// The id that was asked for.
        id: String,
    },
    /// A seeded entity conflicts with an existing one.
    #[error("{kind} '{id}' already exists in the simulated tenant")]
    Conflict {
        /// What kind of entity.
        kind: &'static str,
        /// The conflicting id.
        id: String,
    },
    /// A wait for the simulated tenant to reach some state ran out of time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// Entitlement management would refuse the request (who may file it, for whom).
    #[error("refused: {0}")]
    Refused(String),
    /// The operation is not possible in the key ring's current state.
    #[error("key rotation: {0}")]
    Rotation(String),
}

/// Result alias for the simulator's API.
pub type Result<T, E = SimError> = std::result::Result<T, E>;
