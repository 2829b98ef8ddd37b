//! The baseline custom handler: what any handler must do and nothing more. It binds
//! `127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT`, answers `GET /` for readiness, and answers
//! every `POST /{function}` by reading the envelope and replying
//! `{"Outputs":{},"Logs":[]}`. No parsing, no auth, no logging: the floor jitadmin's
//! figures are measured against.

use std::net::{Ipv4Addr, SocketAddr};

use anyhow::Context;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

const REPLY: &str = r#"{"Outputs":{},"Logs":[]}"#;

async fn ready() -> &'static str {
    "ready"
}

async fn invoke(body: Bytes) -> impl IntoResponse {
    std::hint::black_box(body.len());
    ([(CONTENT_TYPE, "application/json")], REPLY)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port: u16 = std::env::var("FUNCTIONS_CUSTOMHANDLER_PORT")
        .context("FUNCTIONS_CUSTOMHANDLER_PORT is not set")?
        .parse()
        .context("FUNCTIONS_CUSTOMHANDLER_PORT is not a port number")?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let app = Router::new().route("/", get(ready)).route("/{function}", post(invoke));
    axum::serve(listener, app).await.context("serving")?;
    Ok(())
}
