//! [`TenantSim`]'s mail API: what `sendMail` accepted.

use super::TenantSim;
use crate::mail::SentMail;

impl TenantSim {
    /// Every message accepted by `sendMail`, in order.
    pub fn sent_mail(&self) -> Vec<SentMail> {
        self.shared().mail.sent().clone()
    }
}
