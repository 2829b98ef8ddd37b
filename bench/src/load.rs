//! A closed-loop load generator: `concurrency` workers POST the same invocation envelope
//! to a handler until `requests` have been sent, each timing its own requests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use serde::Serialize;

use crate::envelope::reply_status;
use crate::stats::Percentiles;

/// What one load run measured.
#[derive(Debug, Clone, Default)]
pub struct LoadRun {
    /// One latency per request (send to the last byte of the reply).
    pub latencies: Vec<Duration>,
    /// Wall-clock time of the whole run.
    pub elapsed: Duration,
    /// Requests that failed: transport error, non-200 invocation, or an HTTP output other
    /// than the expected one.
    pub errors: usize,
}

/// The figures of one side of an acknowledgement row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LoadFigures {
    /// Latency median, ms.
    pub p50_ms: f64,
    /// Latency 99th percentile, ms.
    pub p99_ms: f64,
    /// Slowest request, ms.
    pub max_ms: f64,
    /// Invocations per second.
    pub per_sec: f64,
    /// Failed requests (should be 0).
    pub errors: usize,
}

impl LoadRun {
    /// Percentiles and throughput.
    pub fn figures(&self) -> LoadFigures {
        let p = Percentiles::of(&self.latencies);
        let secs = self.elapsed.as_secs_f64();
        LoadFigures {
            p50_ms: p.p50_ms,
            p99_ms: p.p99_ms,
            max_ms: p.max_ms,
            per_sec: if secs > 0.0 {
                self.latencies.len() as f64 / secs
            } else {
                0.0
            },
            errors: self.errors,
        }
    }
}

/// What a good reply is: the invocation answered 200 and its HTTP output has this status
/// (`None`: no HTTP output is expected, as from the baseline).
#[derive(Debug, Clone, Copy)]
pub struct Expect(pub Option<u16>);

/// One load run.
#[derive(Debug, Clone)]
pub struct Load {
    /// The function's URL on the handler (`http://127.0.0.1:PORT/callout`).
    pub url: String,
    /// The envelope.
    pub body: Bytes,
    /// Concurrent workers.
    pub concurrency: usize,
    /// Requests in all.
    pub requests: usize,
    /// What a good reply is.
    pub expect: Expect,
}

impl Load {
    /// Runs the load.
    pub async fn run(&self, client: &reqwest::Client) -> anyhow::Result<LoadRun> {
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..self.concurrency.max(1) {
            let (client, next, load) = (client.clone(), next.clone(), self.clone());
            workers.push(tokio::spawn(async move { load.worker(&client, &next).await }));
        }
        let mut run = LoadRun::default();
        for worker in workers {
            let (latencies, errors) = worker.await.context("a load worker panicked")?;
            run.latencies.extend(latencies);
            run.errors += errors;
        }
        run.elapsed = started.elapsed();
        Ok(run)
    }

    async fn worker(&self, client: &reqwest::Client, next: &AtomicUsize) -> (Vec<Duration>, usize) {
        let mut latencies = Vec::new();
        let mut errors = 0;
        while next.fetch_add(1, Ordering::Relaxed) < self.requests {
            let started = Instant::now();
            let reply = self.send(client).await;
            latencies.push(started.elapsed());
            match reply {
                Some(bytes) if self.is_good(&bytes) => {}
                _ => errors += 1,
            }
        }
        (latencies, errors)
    }

    async fn send(&self, client: &reqwest::Client) -> Option<Vec<u8>> {
        let response = client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("x-azure-functions-invocationid", "bench-invocation")
            .body(self.body.clone())
            .send()
            .await
            .ok()?;
        if response.status() != reqwest::StatusCode::OK {
            return None;
        }
        response.bytes().await.ok().map(|b| b.to_vec())
    }

    fn is_good(&self, reply: &[u8]) -> bool {
        match self.expect.0 {
            Some(status) => reply_status(reply) == Some(status),
            None => serde_json::from_slice::<serde_json::Value>(reply).is_ok(),
        }
    }
}

/// A pooled client for load: keep-alive connections, as the host keeps to its handler.
pub fn load_client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency.max(1))
        .timeout(Duration::from_secs(30))
        .build()
        .context("building the load client")
}
