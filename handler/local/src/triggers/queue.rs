//! Feeding a Service Bus-triggered function from the queue store: peek-lock,
//! invoke, complete on success, abandon on failure (retry, then dead-letter past the maximum
//! delivery count:
//! <https://learn.microsoft.com/azure/service-bus-messaging/service-bus-dead-letter-queues#maximum-delivery-count>);
//! the lock is renewed while the invocation runs, up to `maxAutoLockRenewalDuration`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::app::{FunctionDef, Trigger};
use crate::envelope::service_bus_invocation;
use crate::invoke::Shared;
use crate::store::{Abandoned, Locked};

/// Deliver messages of the function's queue until `shutdown`, then wait for deliveries
/// in flight. `concurrency` bounds deliveries in flight (sessions in flight for a
/// session-enabled trigger, each session having at most one message in flight).
pub(crate) async fn run_queue_trigger(
    shared: Arc<Shared>,
    function: FunctionDef,
    concurrency: usize,
    renewal: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let Trigger::ServiceBus {
        queue_name, sessions, ..
    } = &function.trigger
    else {
        return;
    };
    let queue_name = queue_name.clone();
    let sessions = *sessions;
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let poll = (shared.store.options().lock_duration / 4).clamp(Duration::from_millis(10), Duration::from_millis(500));
    let mut in_flight = JoinSet::new();
    tracing::info!(function = %function.name, queue = %queue_name, sessions, concurrency, "queue trigger listening");
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit { Ok(p) => p, Err(_) => break },
            _ = crate::stopped(&mut shutdown) => break,
        };
        let notified = shared.store.changes().notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        match shared.store.receive(&queue_name, sessions) {
            Ok(Some(locked)) => {
                let (shared, function) = (shared.clone(), function.clone());
                in_flight.spawn(async move {
                    deliver(&shared, &function, locked, renewal).await;
                    drop(permit);
                });
            }
            Ok(None) => {
                drop(permit);
                tokio::select! {
                    _ = notified => {}
                    _ = tokio::time::sleep(poll) => {}
                    _ = crate::stopped(&mut shutdown) => break,
                }
            }
            Err(error) => {
                drop(permit);
                tracing::error!(function = %function.name, queue = %queue_name, %error, "receiving failed");
                tokio::time::sleep(poll).await;
            }
        }
        while in_flight.try_join_next().is_some() {}
    }
    while in_flight.join_next().await.is_some() {}
}

async fn deliver(shared: &Shared, function: &FunctionDef, locked: Locked, renewal: Duration) {
    let Trigger::ServiceBus { name, binary, .. } = &function.trigger else {
        return;
    };
    let seq = locked.message.sequence_number;
    let token = locked.lock_token.clone();
    tracing::debug!(
        function = %function.name,
        message_id = %locked.message.message_id,
        sequence_number = seq,
        delivery_count = locked.message.delivery_count,
        "delivering message"
    );
    let envelope = service_bus_invocation(&function.name, name, *binary, &locked, chrono::Utc::now());
    let store = &shared.store;
    let renew = async {
        let started = Instant::now();
        let every = (store.options().lock_duration / 3).max(Duration::from_millis(5));
        loop {
            tokio::time::sleep(every).await;
            if started.elapsed() >= renewal {
                std::future::pending::<()>().await;
            }
            if !matches!(store.renew_lock(seq, &token), Ok(true)) {
                tracing::warn!(function = %function.name, sequence_number = seq, "message lock lost during the invocation");
                std::future::pending::<()>().await;
            }
        }
    };
    let result = tokio::select! {
        result = shared.invoke(function, envelope) => result,
        _ = renew => return,
    };
    let settled = match &result {
        Ok(_) => store
            .complete(seq, &token)
            .map(|done| if done { "completed" } else { "lock lost" }),
        Err(error) => store.abandon(seq, &token, &error.to_string()).map(|a| match a {
            Abandoned::Retry => "abandoned",
            Abandoned::DeadLettered => "dead-lettered",
            Abandoned::LockLost => "lock lost",
        }),
    };
    match settled {
        Ok(outcome) => tracing::info!(function = %function.name, sequence_number = seq, outcome, "message settled"),
        Err(error) => tracing::error!(function = %function.name, sequence_number = seq, %error, "settling failed"),
    }
}
