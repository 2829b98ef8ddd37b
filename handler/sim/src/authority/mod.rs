//! The tenant's identity as its Entra authority presents it: base URL, tenant id, issuers, the
//! App Service identity header, and the signing keys. Shared by everything that mints or checks
//! tokens (`keys`: signing keys and the key ring; `verify`: checking bearer tokens it issued);
//! a leaf that depends on no area.

pub(crate) mod keys;
pub(crate) mod verify;

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use keys::{KeyRing, SigningKey};

/// Who the simulated authority is and the keys it signs with.
#[derive(Debug)]
pub(crate) struct Authority {
    /// `http://127.0.0.1:<port>`: the authority, Graph and every other simulated service.
    pub base_url: String,
    /// The tenant id.
    pub tenant_id: String,
    /// The issuer of v1.0 tokens.
    pub issuer_v1: String,
    /// The issuer of v2.0 tokens.
    pub issuer_v2: String,
    /// The secret the App Service identity endpoint expects in `X-IDENTITY-HEADER`.
    pub identity_header: String,
    keys: RwLock<KeyRing>,
}

impl Authority {
    pub fn new(
        base_url: String,
        tenant_id: String,
        issuer_v1: String,
        issuer_v2: String,
        identity_header: String,
        keys: KeyRing,
    ) -> Self {
        Self {
            base_url,
            tenant_id,
            issuer_v1,
            issuer_v2,
            identity_header,
            keys: RwLock::new(keys),
        }
    }

    pub fn keys(&self) -> RwLockReadGuard<'_, KeyRing> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn keys_mut(&self) -> RwLockWriteGuard<'_, KeyRing> {
        self.keys.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn signing_key(&self) -> Arc<SigningKey> {
        self.keys().current()
    }

    /// Whether `tenant` (a path segment) names this tenant: its id, `common` or `organizations`.
    pub fn is_our_tenant(&self, tenant: &str) -> bool {
        tenant.eq_ignore_ascii_case(&self.tenant_id)
            || tenant.eq_ignore_ascii_case("common")
            || tenant.eq_ignore_ascii_case("organizations")
    }
}
