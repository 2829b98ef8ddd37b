//! Approval Adaptive Cards.
//!
//! [`render`] turns an [`ApprovalCard`] and its [`CardState`] into Adaptive Card 1.5 JSON
//! with `Action.Execute` buttons whose data is signed by a [`CardSigner`]; the `teams`
//! function reads a click with [`ActionData::from_invoke`] and checks it with
//! [`CardSigner::verify`].

mod model;
mod render;
mod sign;

pub use model::{Answer, ApprovalCard, CardState, DeviceLine, HistoryLine, Requestor, Verb};
pub use render::{already_decided, render};
pub use sign::{ActionData, CardError, CardSigner, REASON_MAX_CHARS};
