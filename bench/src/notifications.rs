//! Notification acknowledgement: `POST /notifications` with a 100-item change-notification
//! batch: every item's clientState is checked and one event per group change is queued, then
//! 202. A handler whose `notifications` answers 501 (a build without the function) is
//! measured all the same, and the row says so.

use bytes::Bytes;

use crate::ack::AckTarget;
use crate::envelope;

/// Items in the batch.
pub const ITEMS: usize = 100;
/// What the placeholder answers.
pub const NOT_IMPLEMENTED: u16 = 501;
/// The clientState the bench's `jitadmin serve` is configured with (`JITADMIN_CLIENT_STATE`)
/// and signs its notifications with, so every item passes the check and is queued.
pub const CLIENT_STATE: &str = "bench-client-state-5b0e6a2f";
/// Said next to the row while it measures the placeholder.
pub const PLACEHOLDER_NOTE: &str = "placeholder: notifications not implemented";

/// The notifications target, expecting the HTTP status a probe invocation got (`status`):
/// 501 means the function is still the placeholder.
pub fn target(status: u16, tenant_id: &str) -> anyhow::Result<AckTarget> {
    Ok(AckTarget {
        function: "notifications",
        envelope: Bytes::from(envelope::notifications(ITEMS, tenant_id, CLIENT_STATE)?),
        items: ITEMS,
        jitadmin_status: status,
        placeholder: status == NOT_IMPLEMENTED,
        queued: 0,
    })
}
