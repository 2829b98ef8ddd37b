//! The user's notice by mail (`JITADMIN_NOTIFY=mail`, and `teams` falling back to mail when
//! the bot cannot reach the user): one mail from the configured mailbox to the user's
//! address, naming the devices and saying to sign out and in; recorded in the audit trail.
//! The Teams chat itself is tested end to end in `tests/device_loop.rs`.

use std::sync::{Arc, Mutex};

use crate::harness::Harness;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Json;
use jitadmin::app::App;
use jitadmin::services::devices::SyncReport;
use jitadmin::services::notify::{notify_user, Message, Notice, Removal};
use serde_json::{json, Value};

const USER: &str = "11111111-0000-4000-8000-000000000005";
const MAILBOX: &str = "jitadmin@contoso.example";

type Sent = Arc<Mutex<Vec<(String, Value)>>>;

async fn fake_graph() -> (String, Sent) {
    let sent: Sent = Arc::default();
    let router = axum::Router::new()
        .route(
            "/v1.0/users/{id}",
            get(|Path(id): Path<String>| async move {
                Json(json!({"id": id, "userPrincipalName": "alex@contoso.example", "mail": "alex.w@contoso.example"}))
            }),
        )
        .route(
            "/v1.0/users/{mailbox}/sendMail",
            post(
                |State(sent): State<Sent>, Path(mailbox): Path<String>, Json(body): Json<Value>| async move {
                    sent.lock().unwrap().push((mailbox, body));
                    StatusCode::ACCEPTED
                },
            ),
        )
        .with_state(sent.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, sent)
}

async fn app(graph: &str, notify: &str) -> Arc<App> {
    // No tenant-sim: the authority is a closed port (nothing here validates a token).
    Harness::new("8f6a1c2e-4b3d-4e5f-9a7b-1c2d3e4f5a6b", "http://127.0.0.1:9", graph)
        .setting("JITADMIN_NOTIFY", notify)
        .setting("JITADMIN_NOTIFY_MAILBOX", MAILBOX)
        .build()
        .await
        .app
}

fn report() -> SyncReport {
    SyncReport {
        requested: vec!["FIN-LT-042".into()],
        ..SyncReport::default()
    }
}

#[tokio::test]
async fn granted_user_is_mailed_once_from_the_mailbox_with_what_to_do() {
    let (graph, sent) = fake_graph().await;
    let app = app(&graph, "mail").await;
    let notice = notify_user(app.context().notifier(), USER, Message::Granted, "req-1", &report())
        .await
        .unwrap();
    assert_eq!(notice, Notice::Sent("mail"));
    let again = notify_user(app.context().notifier(), USER, Message::Granted, "req-1", &report())
        .await
        .unwrap();
    assert_eq!(again, Notice::AlreadySent);

    let sent = sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let (mailbox, body) = &sent[0];
    assert_eq!(mailbox, MAILBOX);
    let message = &body["message"];
    assert_eq!(
        message["toRecipients"][0]["emailAddress"]["address"],
        "alex.w@contoso.example"
    );
    let text = message["body"]["content"].as_str().unwrap();
    assert!(text.contains("FIN-LT-042") && text.contains("sign out"), "{text}");

    let trail = app.store().audit_by_user(USER).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].event.action, "user.notified");
    assert_eq!(trail[0].event.detail["channel"], "mail");
}

#[tokio::test]
async fn teams_mode_without_the_bot_mails_and_says_why() {
    let (graph, sent) = fake_graph().await;
    let app = app(&graph, "teams").await;
    let notice = notify_user(
        app.context().notifier(),
        USER,
        Message::Removed(Removal::Unknown),
        "req-2",
        &report(),
    )
    .await
    .unwrap();
    assert_eq!(notice, Notice::Sent("mail"));
    let body = sent.lock().unwrap()[0].1.clone();
    assert!(body["message"]["subject"].as_str().unwrap().contains("ended"));
    let trail = app.store().audit_by_user(USER).await.unwrap();
    assert_eq!(trail[0].event.detail["channel"], "mail");
    let why = trail[0].event.detail["notInTeams"].as_str().unwrap();
    assert!(why.contains("JITADMIN_BOT_APP_ID"), "{why}");
}
