//! Renders an [`ApprovalCard`] in a [`CardState`] as Adaptive Card JSON.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::model::{ApprovalCard, CardState, Verb};
use super::sign::CardSigner;

/// The Adaptive Card for `card` in `state`, with signed action data when pending.
pub fn render(card: &ApprovalCard, state: &CardState, signer: &CardSigner) -> Value {
    todo!("{card:?} {state:?} {signer:?}")
}

/// A small card for an approver who clicks after someone else decided.
pub fn already_decided(by: &str, verb: Verb, at: DateTime<Utc>) -> Value {
    todo!("{by} {verb} {at}")
}
