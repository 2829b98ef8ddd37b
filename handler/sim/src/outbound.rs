//! The sim's own HTTP client, for the calls the tenant makes to the code under test
//! (entitlement-management callouts, Graph change notifications and validation handshakes).
//! Plain `http://` only: endpoints under test listen on loopback.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::work::{Kind, Work};

/// What came back from an outbound request.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub elapsed: Duration,
}

/// Why an outbound request got no answer.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum OutboundError {
    /// No complete answer within the timeout.
    #[error("timeout")]
    Timeout { elapsed: Duration },
    /// The URL or request could not be built.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// Connection refused, reset, or a protocol error.
    #[error("connection error: {message}")]
    Connection { message: String, elapsed: Duration },
}

impl OutboundError {
    pub fn elapsed(&self) -> Duration {
        match self {
            OutboundError::Timeout { elapsed } | OutboundError::Connection { elapsed, .. } => *elapsed,
            OutboundError::Invalid(_) => Duration::ZERO,
        }
    }
}

/// A pooled HTTP/1 client; every exchange counts as the tenant's work while in flight.
#[derive(Debug, Clone)]
pub(crate) struct Outbound {
    client: Client<HttpConnector, Full<Bytes>>,
    work: Work,
}

impl Outbound {
    pub fn new(work: Work) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            work,
        }
    }

    /// Sends `method url` with `headers` and `body`; the whole exchange (body included) must end
    /// within `timeout`.
    pub async fn send(
        &self,
        method: http::Method,
        url: &str,
        headers: &[(&str, String)],
        body: Bytes,
        timeout: Duration,
    ) -> Result<Answer, OutboundError> {
        let mut builder = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            builder = builder.header(*name, value);
        }
        let request = builder
            .body(Full::new(body))
            .map_err(|e| OutboundError::Invalid(e.to_string()))?;
        let _busy = self.work.begin(Kind::Http);
        let started = Instant::now();
        let exchange = async {
            let response = self.client.request(request).await?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await?.to_bytes();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((parts, body))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Err(_) => Err(OutboundError::Timeout {
                elapsed: started.elapsed(),
            }),
            Ok(Err(e)) => Err(OutboundError::Connection {
                message: e.to_string(),
                elapsed: started.elapsed(),
            }),
            Ok(Ok((parts, body))) => Ok(Answer {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body,
                elapsed: started.elapsed(),
            }),
        }
    }
}
