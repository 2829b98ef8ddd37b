//! [`TenantSim`]'s Service Bus API: the namespace's URL, connection string and key; create
//! queues, seed and inspect messages.

use chrono::Utc;

use super::TenantSim;
use crate::error::{Result, SimError};
use crate::service_bus::api::{split_entity, stored};
use crate::service_bus::{Queue, QueueSettings, SbMessage, StoredMessage, SAS_KEY_NAME};

impl TenantSim {
    /// The namespace's REST endpoint: `{base}/servicebus/`.
    pub fn service_bus_url(&self) -> String {
        format!("{}/servicebus/", self.base_url())
    }

    /// A connection string for the namespace (`RootManageSharedAccessKey`, http endpoint).
    pub fn service_bus_connection_string(&self) -> String {
        format!(
            "Endpoint={};SharedAccessKeyName={SAS_KEY_NAME};SharedAccessKey={}",
            self.service_bus_url(),
            self.service_bus_key()
        )
    }

    /// The namespace's shared access key.
    pub fn service_bus_key(&self) -> String {
        self.shared().service_bus().sas_key.clone()
    }

    /// Create (or replace) a queue.
    pub fn create_queue(&self, settings: QueueSettings) {
        let name = settings.name.clone();
        self.shared().service_bus().queues.insert(name, Queue::new(settings));
    }

    /// Put a message straight into `queue`'s dead-letter sub-queue, as if it had been
    /// delivered `delivery_count` times and dead-lettered with `reason` and `description`.
    pub fn dead_letter(
        &self,
        queue: &str,
        message: SbMessage,
        delivery_count: u32,
        reason: &str,
        description: &str,
    ) -> Result<i64> {
        let mut sb = self.shared().service_bus();
        let seq = sb.next_sequence_number();
        let q = sb.queues.get_mut(queue).ok_or_else(|| SimError::NotFound {
            kind: "queue",
            id: queue.to_string(),
        })?;
        let mut stored = stored(seq, message, delivery_count);
        stored.properties.insert("DeadLetterReason".into(), reason.into());
        stored
            .properties
            .insert("DeadLetterErrorDescription".into(), description.into());
        q.dead.push(stored);
        Ok(seq)
    }

    /// The active messages of `queue` (or of `{queue}/$DeadLetterQueue`), oldest first,
    /// after releasing expired locks.
    pub fn queue_messages(&self, entity: &str) -> Vec<StoredMessage> {
        let (queue, dead) = split_entity(entity);
        let mut sb = self.shared().service_bus();
        sb.expire_locks(queue, Utc::now());
        sb.queues
            .get(queue)
            .map(|q| if dead { q.dead.clone() } else { q.active.clone() })
            .unwrap_or_default()
    }
}
