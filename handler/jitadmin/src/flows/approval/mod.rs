//! Approvals in Teams: an approver's click ([`click`]) is authorised, claimed and applied in
//! Entra ([`apply`]); a decision Entra did not take in time comes back through the queue
//! ([`retry`]); `maintain` closes the approvals Entra no longer waits on ([`expire`]).

pub mod apply;
pub mod click;
pub mod expire;
pub mod retry;
