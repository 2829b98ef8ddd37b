//! [`ConnectionKill`]: how a handler or middleware closes the connection a request arrived on
//! without answering. The server puts one in every request's extensions and drops the connection
//! when it is triggered; the fault middleware triggers it, and `$batch` passes it on to its
//! items. A leaf.

use std::sync::Arc;

use tokio::sync::Notify;

/// Closes the connection a request arrived on, without a response.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectionKill(Arc<Notify>);

impl ConnectionKill {
    /// Asks the connection's task to drop the connection.
    pub(crate) fn trigger(&self) {
        self.0.notify_one();
    }

    /// Completes once [`trigger`](Self::trigger) was called.
    pub(crate) async fn triggered(&self) {
        self.0.notified().await
    }
}
