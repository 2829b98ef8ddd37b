//! Table Storage client behaviour that Azurite cannot show: Entra bearer tokens and retries,
//! against a scripted HTTP server on loopback.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::time::{Duration, OffsetDateTime};
use jitadmin_store::{Store, StoreConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, Default)]
struct FakeCredential {
    calls: AtomicUsize,
    scopes: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl TokenCredential for FakeCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.scopes.lock().unwrap().extend(scopes.iter().map(|s| s.to_string()));
        Ok(AccessToken::new(
            "fake-entra-token",
            OffsetDateTime::now_utc() + Duration::hours(1),
        ))
    }
}

/// A request as the scripted server saw it.
#[derive(Debug, Clone)]
struct Seen {
    request_line: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves one scripted status per request (the last one repeats), records what it saw.
async fn scripted_server(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/acct", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let status = statuses[n.min(statuses.len() - 1)];
            n += 1;
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read headers, then the body by Content-Length.
            let head_end = loop {
                let Ok(k) = sock.read(&mut chunk).await else { break None };
                if k == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..k]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(i);
                }
            };
            let Some(head_end) = head_end else { continue };
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let mut lines = head.split("\r\n");
            let request_line = lines.next().unwrap_or_default().to_string();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                .collect();
            let length: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < head_end + 4 + length {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                }
            }
            log.lock().unwrap().push(Seen { request_line, headers });
            let body = if status >= 400 {
                r#"{"odata.error":{"code":"ServerBusy","message":{"lang":"en-US","value":"busy"}}}"#
            } else {
                ""
            };
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: application/json\r\nx-ms-request-id: rid-{n}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(reply.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (endpoint, seen)
}

#[tokio::test]
async fn identity_backend_sends_an_entra_bearer_token_for_storage() {
    let (endpoint, seen) = scripted_server(vec![204]).await;
    let credential = Arc::new(FakeCredential::default());
    let config = StoreConfig::parse(&format!("table+identity:{endpoint}")).unwrap();
    Store::open(&config, Some(credential.clone())).await.unwrap();

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 8, "one create-table call per table");
    for s in &seen {
        assert_eq!(s.request_line, "POST /acct/Tables HTTP/1.1");
        assert_eq!(s.header("authorization"), Some("Bearer fake-entra-token"));
        assert_eq!(s.header("x-ms-version"), Some("2019-02-02"));
    }
    assert_eq!(credential.calls.load(Ordering::SeqCst), 1, "the token is cached");
    assert_eq!(
        credential.scopes.lock().unwrap()[0],
        "https://storage.azure.com/.default"
    );
}

#[tokio::test]
async fn identity_backend_without_a_credential_is_a_clear_error() {
    let err = Store::open_setting("table+identity:https://acct.table.core.windows.net", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("needs a token credential"), "{err}");
}

#[tokio::test]
async fn busy_answers_are_retried_until_success() {
    let (endpoint, seen) = scripted_server(vec![503, 500, 204]).await;
    let setting = format!(
        "table:AccountName=acct;AccountKey={};TableEndpoint={endpoint}",
        "c2VjcmV0"
    );
    Store::open_setting(&setting, None).await.unwrap();
    // 3 attempts for the first table, then one each for the other seven.
    assert_eq!(seen.lock().unwrap().len(), 10);
    assert!(seen.lock().unwrap()[0]
        .header("authorization")
        .is_some_and(|a| a.starts_with("SharedKey acct:")));
}

#[tokio::test]
async fn persistent_busy_answers_end_in_an_error_with_the_service_code() {
    let (endpoint, seen) = scripted_server(vec![503]).await;
    let setting = format!("table:AccountName=acct;AccountKey=c2VjcmV0;TableEndpoint={endpoint}");
    let err = Store::open_setting(&setting, None).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("503") && text.contains("ServerBusy") && text.contains("rid-5"),
        "{text}"
    );
    assert_eq!(seen.lock().unwrap().len(), 5, "five attempts in all");
}

#[tokio::test]
async fn store_debug_and_description_never_show_the_account_key() {
    let (endpoint, _seen) = scripted_server(vec![204]).await;
    let key = "c3VwZXItc2VjcmV0LWFjY291bnQta2V5";
    let store = Store::open_setting(
        &format!("table:AccountName=acct;AccountKey={key};TableEndpoint={endpoint}"),
        None,
    )
    .await
    .unwrap();
    for text in [format!("{store:?}"), store.describe().to_string()] {
        assert!(!text.contains(key) && !text.contains("super-secret"), "{text}");
    }
    assert_eq!(store.backend_kind(), "table");
}
