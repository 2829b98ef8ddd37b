//! Timer triggers fire on their NCRONTAB schedule and at start-up when asked.

use std::time::Duration;

use crate::support::*;
use azfn_local::{Handler, LocalHost};
use serde_json::json;

#[tokio::test]
async fn a_timer_fires_at_startup_when_asked_and_then_on_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    write_app(
        dir.path(),
        host_json(),
        &[(
            "tick",
            json!({"bindings": [{"type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "%TICK%", "runOnStartup": true}]}),
        )],
    );
    let url = test_handler::serve_in_process(recorder.clone()).await;
    let started = std::time::Instant::now();
    let host = LocalHost::builder()
        .app_root(dir.path())
        .handler(Handler::Url(url))
        .http_port(0)
        .settings(azfn_local::Settings::new().set("TICK", "*/1 * * * * *"))
        .start()
        .await
        .unwrap();
    let seen = recorder
        .wait_until(Duration::from_secs(3), "the start-up run", |s| !s.is_empty())
        .await;
    assert!(
        seen[0].started - started < Duration::from_millis(900),
        "runOnStartup fires at once"
    );
    let first = seen[0].timer.clone().unwrap();
    assert!(!first.is_past_due);
    use chrono::Datelike;
    assert_eq!(
        first.last.map(|l| l.year()),
        Some(1),
        "no previous run: Last is DateTime.MinValue"
    );
    assert!(first.next.is_some());
    assert_eq!(seen[0].envelope["Metadata"]["sys"]["MethodName"], "tick");

    let seen = recorder
        .wait_until(Duration::from_secs(4), "two scheduled runs", |s| s.len() >= 3)
        .await;
    let third = seen[2].timer.clone().unwrap();
    assert!(third.last.unwrap() > chrono::Utc::now() - chrono::Duration::seconds(10));
    let next = third.next.unwrap();
    assert_eq!(next.timestamp_subsec_millis(), 0, "occurrences are on whole seconds");
    assert!(
        seen[2].started - seen[1].started >= Duration::from_millis(500),
        "scheduled once a second"
    );
    host.shutdown().await;
}

#[tokio::test]
async fn a_timer_without_run_on_startup_waits_for_its_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    write_app(
        dir.path(),
        host_json(),
        &[
            (
                "tick",
                json!({"bindings": [{"type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "0 0 0 1 1 *"}]}),
            ),
            // The same schedule with runOnStartup: its start-up run, recorded by the host (the
            // test handler has no such function), shows that the timers have made their
            // start-up decision.
            (
                "witness",
                json!({"bindings": [{"type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "0 0 0 1 1 *", "runOnStartup": true}]}),
            ),
        ],
    );
    let url = test_handler::serve_in_process(recorder.clone()).await;
    let host = LocalHost::builder()
        .app_root(dir.path())
        .handler(Handler::Url(url))
        .http_port(0)
        .start()
        .await
        .unwrap();
    let start = std::time::Instant::now();
    while host.queues().timer_last_run("witness").unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the witness never ran at start-up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        host.queues().timer_last_run("tick").unwrap(),
        None,
        "no run of tick was recorded"
    );
    assert!(recorder.of("tick").is_empty(), "tick ran before its schedule");
    host.shutdown().await;
}

#[tokio::test]
async fn a_bad_schedule_stops_start_up_naming_the_function() {
    let dir = tempfile::tempdir().unwrap();
    write_app(
        dir.path(),
        host_json(),
        &[(
            "tick",
            json!({"bindings": [{"type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "*/5 * * * *"}]}),
        )],
    );
    let err = LocalHost::builder()
        .app_root(dir.path())
        .handler(Handler::Url("http://127.0.0.1:9".into()))
        .http_port(0)
        .start()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("function 'tick'") && err.to_string().contains("six"),
        "{err}"
    );
}

#[tokio::test]
async fn an_occurrence_missed_while_no_host_ran_fires_at_start_as_past_due() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let recorder = Recorder::default();
    write_app(
        dir.path(),
        host_json(),
        &[(
            "tick",
            json!({"bindings": [{"type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "0 0 0 * * *"}]}),
        )],
    );
    // The last run was two days ago: at least one midnight was missed.
    let two_days_ago = chrono::Utc::now() - chrono::Duration::days(2);
    azfn_local::QueueStore::open_dir(&state)
        .unwrap()
        .record_timer_run("tick", two_days_ago)
        .unwrap();
    let url = test_handler::serve_in_process(recorder.clone()).await;
    let host = LocalHost::builder()
        .app_root(dir.path())
        .handler(Handler::Url(url))
        .http_port(0)
        .state(azfn_local::State::Dir(state))
        .start()
        .await
        .unwrap();
    let seen = recorder
        .wait_until(Duration::from_secs(3), "the catch-up run", |s| !s.is_empty())
        .await;
    let info = seen[0].timer.clone().unwrap();
    assert!(info.is_past_due);
    assert_eq!(info.last.unwrap().timestamp(), two_days_ago.timestamp());
    let recorded = host.queues().timer_last_run("tick").unwrap().unwrap();
    assert!(
        recorded > two_days_ago + chrono::Duration::days(1),
        "the run is recorded"
    );
    host.shutdown().await;
}
