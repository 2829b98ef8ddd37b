//! What Entra's routes (OpenID metadata, the JWKS, the token endpoints and the managed-identity
//! endpoint) work on, extracted from the router's state: the authority that signs, the directory
//! that names applications and identities, and the lifetime of the tokens issued.

use std::sync::Arc;
use std::time::Duration;

use crate::authority::Authority;
use crate::directory::Directory;

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
