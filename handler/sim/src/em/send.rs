//! One HTTP attempt of a callout: authentication header, POST with EM's timeout, the outcome;
//! and the connection test EM sends to check an endpoint when an extension is saved.

use bytes::Bytes;
use chrono::Utc;
use serde_json::json;

use crate::em::auth::authorization;
use crate::em::service::EmService;
use crate::em::types::{CalloutAttempt, StageSetting};

/// POSTs `body` to the setting's endpoint once, with a fresh `Authorization` (new `ts`/nonce).
pub(crate) async fn send_once(sim: &EmService, setting: &StageSetting, body: Bytes) -> CalloutAttempt {
    let at = Utc::now();
    let header = match url::Url::parse(&setting.endpoint) {
        Ok(u) => authorization(sim, &setting.auth, &u).map_err(|e| e.to_string()),
        Err(e) => Err(format!("invalid endpoint URL: {e}")),
    };
    let header = match header {
        Ok(h) => h,
        Err(error) => {
            return CalloutAttempt {
                at,
                elapsed: Default::default(),
                status: None,
                error: Some(error),
                auth_scheme: None,
            }
        }
    };
    let scheme = header.as_deref().and_then(|h| h.split(' ').next()).map(str::to_owned);
    let mut headers = vec![("content-type", "application/json; charset=utf-8".to_owned())];
    if let Some(h) = header {
        headers.push(("authorization", h));
    }
    let sent = sim
        .outbound
        .send(
            http::Method::POST,
            &setting.endpoint,
            &headers,
            body,
            setting.client.map_or(sim.config.callout_timeout, |c| c.timeout),
        )
        .await;
    match sent {
        Ok(a) => CalloutAttempt {
            at,
            elapsed: a.elapsed,
            status: Some(a.status),
            error: None,
            auth_scheme: scheme,
        },
        Err(e) => CalloutAttempt {
            at,
            elapsed: e.elapsed(),
            status: None,
            error: Some(e.to_string()),
            auth_scheme: scheme,
        },
    }
}

/// The connection test: `{"Stage": "CustomExtensionConnectionTest", ...}` (the shape Microsoft's
/// Logic App template checks; when EM sends it is UNCONFIRMED), one attempt.
pub(crate) async fn connection_test(sim: &EmService, setting: &StageSetting) -> CalloutAttempt {
    let body = json!({
        "Stage": "CustomExtensionConnectionTest",
        "CustomExtensionStageInstanceId": "00000000-0000-0000-0000-000000000000",
        "AccessPackageAssignmentRequestId": null,
        "CallbackUriPath": null,
    });
    send_once(sim, setting, Bytes::from(body.to_string())).await
}
