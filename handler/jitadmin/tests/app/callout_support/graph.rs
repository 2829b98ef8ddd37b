//! A scripted Graph: the resume endpoint and the request read behind it, with Graph's
//! state machine reduced to what `process` depends on: a stage instance waits until its
//! first resume (204); a later resume is refused (400) and the request then shows the
//! instance as `callbackReceived`. Faults make every call answer a status.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

#[derive(Default)]
struct Inner {
    /// stage instance id -> status (`waitingForCallback` until resumed).
    instances: HashMap<String, String>,
    /// request id -> stage instance ids seen.
    requests: HashMap<String, Vec<String>>,
    resumes: Vec<(String, Value)>,
    gets: usize,
    fault: Option<u16>,
}

/// The scripted Graph server.
#[derive(Clone)]
pub struct ScriptedGraph {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl ScriptedGraph {
    pub async fn start() -> ScriptedGraph {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let base_path = "/v1.0/identityGovernance/entitlementManagement/assignmentRequests";
        let router = Router::new()
            .route(&format!("{base_path}/{{id}}/resume"), post(resume))
            .route(&format!("{base_path}/{{id}}"), get(read))
            // The device loop lists the user's devices after a grant or removal: none here.
            .route("/v1.0/users/{id}/managedDevices", get(no_devices))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        ScriptedGraph { base, inner }
    }

    /// Every resume received: (request id, body).
    pub fn resumes(&self) -> Vec<(String, Value)> {
        self.inner.lock().unwrap().resumes.clone()
    }

    /// GETs of requests received (made after a refused resume).
    pub fn reads(&self) -> usize {
        self.inner.lock().unwrap().gets
    }

    /// Mark a stage instance as already resumed (by someone else, earlier).
    /// Entra holds `request_id` waiting at `instance_id`.
    pub fn waiting(&self, request_id: &str, instance_id: &str) {
        let mut inner = self.inner.lock().unwrap();
        let seen = inner.requests.entry(request_id.to_string()).or_default();
        if !seen.iter().any(|i| i == instance_id) {
            seen.push(instance_id.to_string());
        }
    }

    pub fn already_resumed(&self, request_id: &str, instance_id: &str) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .instances
            .insert(instance_id.to_string(), "callbackReceived".into());
        inner
            .requests
            .entry(request_id.to_string())
            .or_default()
            .push(instance_id.to_string());
    }

    /// Answer every call with `status` (None: behave).
    pub fn fault(&self, status: Option<u16>) {
        self.inner.lock().unwrap().fault = status;
    }
}

fn graph_error(status: u16, code: &str, message: &str) -> Response {
    let body =
        json!({"error": {"code": code, "message": message, "innerError": {"request-id": "scripted-request-id"}}});
    (StatusCode::from_u16(status).unwrap(), Json(body)).into_response()
}

async fn resume(State(inner): State<Arc<Mutex<Inner>>>, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    let mut inner = inner.lock().unwrap();
    inner.resumes.push((id.clone(), body.clone()));
    if let Some(status) = inner.fault {
        return graph_error(status, "ServiceUnavailable", "scripted fault");
    }
    let instance = body["data"]["customExtensionStageInstanceId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let seen = inner.requests.entry(id).or_default();
    if !seen.contains(&instance) {
        seen.push(instance.clone());
    }
    match inner.instances.get(&instance).map(String::as_str) {
        Some("callbackReceived") => graph_error(400, "BadRequest", "The request is not waiting for a callback."),
        _ => {
            inner.instances.insert(instance, "callbackReceived".into());
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

async fn read(State(inner): State<Arc<Mutex<Inner>>>, Path(id): Path<String>) -> Response {
    let mut inner = inner.lock().unwrap();
    inner.gets += 1;
    if let Some(status) = inner.fault {
        return graph_error(status, "ServiceUnavailable", "scripted fault");
    }
    let Some(instances) = inner.requests.get(&id) else {
        return graph_error(404, "NotFound", "no such request");
    };
    let callouts: Vec<Value> = instances
        .iter()
        .map(|i| json!({"id": i, "status": inner.instances.get(i).cloned().unwrap_or_else(|| "waitingForCallback".into())}))
        .collect();
    Json(json!({"id": id, "state": "pendingApproval", "status": "Accepted", "customExtensionCalloutInstances": callouts}))
        .into_response()
}

async fn no_devices() -> Json<Value> {
    Json(serde_json::json!({"value": []}))
}
