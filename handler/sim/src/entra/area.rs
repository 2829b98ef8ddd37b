//! What Entra's routes (OpenID metadata, the JWKS, the token endpoints and the managed-identity
//! endpoint) work on, extracted from the router's state: the authority that signs, the directory
//! that names applications and identities, and the lifetime of the tokens issued.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;

use crate::authority::Authority;
use crate::directory::Directory;
use crate::shared::Shared;

/// The Entra routes' state.
#[derive(Debug, Clone)]
pub(crate) struct EntraArea {
    /// Base URL, tenant, issuers, identity header, signing keys.
    pub authority: Arc<Authority>,
    /// Applications (and their secrets), managed identities, resources' app roles.
    pub directory: Arc<Directory>,
    /// How long issued tokens live (`SimConfig::token_lifetime`).
    pub token_lifetime: Duration,
}

impl FromRef<Arc<Shared>> for EntraArea {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        EntraArea {
            authority: sim.authority.clone(),
            directory: sim.directory.clone(),
            token_lifetime: sim.config.token_lifetime,
        }
    }
}
