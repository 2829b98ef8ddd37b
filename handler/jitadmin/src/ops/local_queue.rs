//! The local host's queue (`jitadmin dev` state): dead letters read and resent through
//! azfn-local's SQLite store, safe to use while the host runs (another process).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use azfn_local::{Message, NewMessage, QueueStore};
use chrono::Utc;
use serde_json::Value;

use super::dead_letters::{replay_count, replay_marker, summarise, DeadLetter, REPLAY_PROPERTY};
use super::replay::{OpsError, Outcome};

/// The events queue of a local state directory.
#[derive(Debug, Clone)]
pub struct LocalQueue {
    store: QueueStore,
    queue: String,
    dir: PathBuf,
}

impl LocalQueue {
    /// Open `queue` in the state directory of `jitadmin dev` (`<dir>/queues`), or a
    /// directory that holds the store file itself.
    pub fn open(dir: &Path, queue: &str) -> Result<Self, OpsError> {
        let queues = dir.join("queues");
        let store_dir = if dir.join(azfn_local::store::STORE_FILE).is_file() {
            dir.to_path_buf()
        } else if queues.join(azfn_local::store::STORE_FILE).is_file() {
            queues
        } else {
            return Err(OpsError::NoLocalState(dir.to_path_buf()));
        };
        let store = QueueStore::open_dir(&store_dir).map_err(|e| OpsError::Local(e.to_string()))?;
        Ok(LocalQueue {
            store,
            queue: queue.to_string(),
            dir: store_dir,
        })
    }

    /// Where the store lives.
    pub fn describe(&self) -> String {
        format!("local queue '{}' in {}", self.queue, self.dir.display())
    }

    fn dead(&self) -> Result<Vec<Message>, OpsError> {
        self.store
            .dead_letters(&self.queue)
            .map_err(|e| OpsError::Local(e.to_string()))
    }

    /// The dead letters, oldest first.
    pub fn list(&self) -> Result<Vec<DeadLetter>, OpsError> {
        Ok(self.dead()?.iter().map(view).collect())
    }

    /// Resend each selected message to the queue, then delete it from the dead letters.
    pub fn replay(&self, selected: &[DeadLetter], mut step: impl FnMut(i64, &Outcome)) -> Result<(), OpsError> {
        let mut by_seq: HashMap<i64, Message> = self.dead()?.into_iter().map(|m| (m.sequence_number, m)).collect();
        for d in selected {
            let outcome = match by_seq.remove(&d.sequence_number) {
                None => Outcome::Gone,
                Some(message) => self.replay_one(message),
            };
            step(d.sequence_number, &outcome);
        }
        Ok(())
    }

    fn replay_one(&self, message: Message) -> Outcome {
        let seq = message.sequence_number;
        let previous = replay_count(
            message
                .application_properties
                .get(REPLAY_PROPERTY)
                .and_then(Value::as_str),
        );
        let marker = replay_marker(previous, Utc::now());
        let mut copy = NewMessage::bytes(mark_envelope(&message.body, &marker));
        copy.message_id = Some(message.message_id.clone());
        copy.session_id = message.session_id.clone();
        copy.correlation_id = message.correlation_id.clone();
        copy.content_type = message.content_type.clone();
        copy.subject = message.subject.clone();
        copy.application_properties = message.application_properties.clone();
        copy.application_properties
            .insert(REPLAY_PROPERTY.into(), Value::String(marker));
        // Send first; delete only once the copy is stored: a crash in between replays twice.
        if let Err(e) = self.store.send(&self.queue, copy) {
            return Outcome::SendFailed(e.to_string());
        }
        match self.store.remove_dead_letter(&self.queue, seq) {
            Ok(true) => Outcome::Replayed,
            Ok(false) => Outcome::SentButNotRemoved("it was no longer in the dead-letter queue".into()),
            Err(e) => Outcome::SentButNotRemoved(e.to_string()),
        }
    }
}

/// The replay marker in the `azfnMessage` envelope's application properties, when enveloped.
fn mark_envelope(body: &[u8], marker: &str) -> Vec<u8> {
    let key = azfn_runtime::service_bus::ENVELOPE_KEY;
    let Ok(Value::Object(mut outer)) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    if outer.len() != 1 {
        return body.to_vec();
    }
    let Some(Value::Object(envelope)) = outer.get_mut(key) else {
        return body.to_vec();
    };
    let props = envelope
        .entry("applicationProperties")
        .or_insert_with(|| Value::Object(Default::default()));
    if let Value::Object(props) = props {
        props.insert(REPLAY_PROPERTY.into(), Value::String(marker.to_string()));
    }
    Value::Object(outer).to_string().into_bytes()
}

fn view(m: &Message) -> DeadLetter {
    DeadLetter {
        sequence_number: m.sequence_number,
        message_id: m.message_id.clone(),
        session_id: m.session_id.clone(),
        enqueued_at: Some(m.enqueued_time_utc),
        delivery_count: m.delivery_count,
        reason: m.dead_letter_reason.clone(),
        description: m.dead_letter_error_description.clone(),
        replays: replay_count(m.application_properties.get(REPLAY_PROPERTY).and_then(Value::as_str)),
        event: summarise(&m.body),
    }
}
