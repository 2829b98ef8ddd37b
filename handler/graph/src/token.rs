//! Token sources: azure_identity credentials built from configuration, and a static token for tests.
//!
//! The client asks its `Arc<dyn TokenCredential>` for a token before every attempt (azure_identity's
//! credentials cache tokens and refresh them before expiry), for one scope, by default
//! [`GRAPH_SCOPE`]. Tokens are never logged: not by this crate, and `azure_core::credentials::Secret`
//! does not print its value in `Debug`.
//!
//! Client-certificate credentials are not offered: azure_identity's `client_certificate` feature
//! needs OpenSSL, which this workspace refuses (rustls only). Use a managed identity, workload
//! identity federation or a client secret instead.

use async_trait::async_trait;
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::time::{Duration as CoreDuration, OffsetDateTime};
use azure_identity::{
    AzureCliCredential, ClientSecretCredential, ClientSecretCredentialOptions, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::GraphError;

/// The scope of an app-only token for Microsoft Graph in the global cloud.
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

/// Which azure_identity credential to build (see [`credential_from_config`]).
#[derive(Clone, PartialEq, Eq)]
pub enum CredentialConfig {
    /// The Function App's managed identity: system-assigned when `client_id` is `None`.
    ManagedIdentity {
        /// Client id of a user-assigned identity.
        client_id: Option<String>,
    },
    /// An app registration with a client secret.
    ClientSecret {
        /// Tenant id (GUID or domain).
        tenant: String,
        /// The app's client id.
        client_id: String,
        /// The secret (never printed by `Debug`).
        secret: String,
        /// Login authority, e.g. `https://login.microsoftonline.us`; `None` = public cloud (or
        /// `AZURE_AUTHORITY_HOST`). azure_identity accepts HTTPS authorities only.
        authority_host: Option<String>,
    },
    /// Workload identity federation; reads `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
    /// `AZURE_FEDERATED_TOKEN_FILE` when the fields are `None`.
    WorkloadIdentity {
        /// Tenant id.
        tenant: Option<String>,
        /// Client id.
        client_id: Option<String>,
    },
    /// The signed-in Azure CLI user (operators' commands).
    AzureCli,
}

impl fmt::Debug for CredentialConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialConfig::ManagedIdentity { client_id } => {
                f.debug_struct("ManagedIdentity").field("client_id", client_id).finish()
            }
            CredentialConfig::ClientSecret {
                tenant,
                client_id,
                authority_host,
                ..
            } => f
                .debug_struct("ClientSecret")
                .field("tenant", tenant)
                .field("client_id", client_id)
                .field("secret", &"***")
                .field("authority_host", authority_host)
                .finish(),
            CredentialConfig::WorkloadIdentity { tenant, client_id } => f
                .debug_struct("WorkloadIdentity")
                .field("tenant", tenant)
                .field("client_id", client_id)
                .finish(),
            CredentialConfig::AzureCli => f.write_str("AzureCli"),
        }
    }
}

/// Builds the azure_identity credential a [`CredentialConfig`] names.
pub fn credential_from_config(config: &CredentialConfig) -> Result<Arc<dyn TokenCredential>, GraphError> {
    let fail = |e: azure_core::Error| GraphError::InvalidRequest(format!("credential configuration: {e}"));
    let credential: Arc<dyn TokenCredential> = match config {
        CredentialConfig::ManagedIdentity { client_id } => {
            let options = ManagedIdentityCredentialOptions {
                user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                ..Default::default()
            };
            ManagedIdentityCredential::new(Some(options)).map_err(fail)?
        }
        CredentialConfig::ClientSecret {
            tenant,
            client_id,
            secret,
            authority_host,
        } => {
            let mut options = ClientSecretCredentialOptions::default();
            if let Some(host) = authority_host {
                let mut custom = azure_core::cloud::CustomConfiguration::default();
                custom.authority_host = host.clone();
                options.client_options.cloud = Some(Arc::new(custom.into()));
            }
            ClientSecretCredential::new(tenant, client_id.clone(), Secret::new(secret.clone()), Some(options))
                .map_err(fail)?
        }
        CredentialConfig::WorkloadIdentity { tenant, client_id } => {
            let options = WorkloadIdentityCredentialOptions {
                tenant_id: tenant.clone(),
                client_id: client_id.clone(),
                ..Default::default()
            };
            WorkloadIdentityCredential::new(Some(options)).map_err(fail)?
        }
        CredentialConfig::AzureCli => AzureCliCredential::new(None).map_err(fail)?,
    };
    Ok(credential)
}

/// A fixed token, for tests and tenant-sim. Records the scopes it was asked for.
pub struct StaticToken {
    token: Secret,
    requested_scopes: Mutex<Vec<String>>,
}

impl StaticToken {
    /// A source that always answers `token`.
    pub fn new(token: impl Into<String>) -> Arc<Self> {
        Arc::new(StaticToken {
            token: Secret::new(token.into()),
            requested_scopes: Mutex::new(Vec::new()),
        })
    }

    /// Every scope asked for so far, in order.
    pub fn requested_scopes(&self) -> Vec<String> {
        self.requested_scopes.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken")
    }
}

#[async_trait]
impl TokenCredential for StaticToken {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.requested_scopes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(scopes.iter().map(|s| s.to_string()));
        Ok(AccessToken::new(
            self.token.clone(),
            OffsetDateTime::now_utc() + CoreDuration::hours(1),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_config_debug_masks_the_secret() {
        let c = CredentialConfig::ClientSecret {
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "app".into(),
            secret: "hunter2-very-secret".into(),
            authority_host: None,
        };
        let text = format!("{c:?}");
        assert!(!text.contains("hunter2"));
        assert!(text.contains("***"));
    }

    #[test]
    fn client_secret_credential_is_built_for_a_sovereign_authority() {
        let c = CredentialConfig::ClientSecret {
            tenant: "00000000-0000-0000-0000-000000000001".into(),
            client_id: "app".into(),
            secret: "s".into(),
            authority_host: Some("https://login.microsoftonline.us".into()),
        };
        assert!(credential_from_config(&c).is_ok());
    }

    #[test]
    fn client_secret_credential_refuses_a_plain_http_authority() {
        let c = CredentialConfig::ClientSecret {
            tenant: "00000000-0000-0000-0000-000000000001".into(),
            client_id: "app".into(),
            secret: "s".into(),
            authority_host: Some("http://127.0.0.1:1".into()),
        };
        assert!(credential_from_config(&c).is_err());
    }

    #[test]
    fn managed_identity_and_cli_credentials_are_built() {
        assert!(credential_from_config(&CredentialConfig::ManagedIdentity {
            client_id: Some("c".into())
        })
        .is_ok());
        assert!(credential_from_config(&CredentialConfig::AzureCli).is_ok());
    }

    #[tokio::test]
    async fn static_token_records_scopes_and_hides_itself() {
        let t = StaticToken::new("eyJ-secret");
        let got = t.get_token(&[GRAPH_SCOPE], None).await.expect("token");
        assert_eq!(got.token.secret(), "eyJ-secret");
        assert_eq!(t.requested_scopes(), vec![GRAPH_SCOPE.to_string()]);
        assert!(!format!("{t:?} {:?}", got.token).contains("eyJ"));
    }
}
