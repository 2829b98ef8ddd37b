//! What the mail route works on, extracted from the router's state: the directory (who has a
//! mailbox) and the messages accepted so far.

use std::sync::{Arc, Mutex, MutexGuard};

use super::SentMail;
use crate::directory::Directory;

/// The mail route's state.
#[derive(Debug, Clone)]
pub(crate) struct MailArea {
    /// Users and their mailboxes.
    pub directory: Arc<Directory>,
    sent: Arc<Mutex<Vec<SentMail>>>,
}

impl MailArea {
    pub fn new(directory: Arc<Directory>) -> Self {
        Self {
            directory,
            sent: Arc::default(),
        }
    }

    /// Messages accepted by `sendMail`, in order.
    pub fn sent(&self) -> MutexGuard<'_, Vec<SentMail>> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner())
    }
}
