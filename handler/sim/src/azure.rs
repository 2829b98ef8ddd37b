//! Pointing the real `azure_identity` credentials at the simulator (feature `azure`).
//!
//! `azure_identity` 1.0 refuses authority hosts that are not `https`
//! (`get_authority_host` checks the scheme), and the simulator serves plain http on
//! loopback. The supported seam is the credential's `ClientOptions::transport`: a
//! [`LoopbackTransport`] sends every request the credential makes to the simulator,
//! keeping path and query, so the credential can keep its default `https://login.microsoftonline.com`
//! authority. The managed-identity credential needs no transport: `IDENTITY_ENDPOINT`
//! may be `http://` (set it to [`TenantSim::identity_endpoint`](crate::TenantSim::identity_endpoint)).
//!
//! ```no_run
//! # async fn demo(sim: &tenant_sim::TenantSim) -> azure_core::Result<()> {
//! use azure_core::credentials::TokenCredential;
//! use azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};
//!
//! let options = ClientSecretCredentialOptions { client_options: tenant_sim::azure::client_options(sim) };
//! let credential = ClientSecretCredential::new(sim.tenant_id(), "client-id".into(), "secret".into(), Some(options))?;
//! let token = credential.get_token(&["https://graph.microsoft.com/.default"], None).await?;
//! # Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use azure_core::http::{AsyncRawResponse, ClientOptions, HttpClient, Request, Transport, Url};

/// An `azure_core` HTTP client that rewrites every request's scheme, host and port to the simulator's.
#[derive(Debug, Clone)]
pub struct LoopbackTransport {
    target: Url,
    inner: Arc<dyn HttpClient>,
}

impl LoopbackTransport {
    /// Sends requests to `base_url` (e.g. [`TenantSim::base_url`](crate::TenantSim::base_url))
    /// with `azure_core`'s default (reqwest) client.
    pub fn new(base_url: &str) -> azure_core::Result<Self> {
        Ok(Self {
            target: Url::parse(base_url)?,
            inner: azure_core::http::new_http_client(None),
        })
    }

    fn rewrite(&self, request: &Request) -> azure_core::Result<Request> {
        let mut request = request.clone();
        let url = request.url_mut();
        let failed = |what: &str| azure_core::Error::with_message(azure_core::error::ErrorKind::Other, what.to_owned());
        url.set_scheme(self.target.scheme())
            .map_err(|_| failed("cannot set scheme"))?;
        url.set_host(self.target.host_str())
            .map_err(|e| failed(&e.to_string()))?;
        url.set_port(self.target.port())
            .map_err(|_| failed("cannot set port"))?;
        Ok(request)
    }
}

// Written out instead of `#[async_trait]` to avoid a dependency: this is what the macro expands to.
impl HttpClient for LoopbackTransport {
    fn execute_request<'a, 'b, 'async_trait>(
        &'a self,
        request: &'b Request,
    ) -> Pin<Box<dyn Future<Output = azure_core::Result<AsyncRawResponse>> + Send + 'async_trait>>
    where
        'a: 'async_trait,
        'b: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let request = self.rewrite(request)?;
            self.inner.execute_request(&request).await
        })
    }
}

/// `ClientOptions` whose transport is a [`LoopbackTransport`] to `sim`.
///
/// # Panics
/// Never in practice: the simulator's base URL always parses.
pub fn client_options(sim: &crate::TenantSim) -> ClientOptions {
    let transport = LoopbackTransport::new(sim.base_url()).expect("the simulator's base URL is a valid URL");
    ClientOptions {
        transport: Some(Transport::new(Arc::new(transport))),
        ..Default::default()
    }
}
