//! Approval Adaptive Cards.
//!
//! [`render`] turns an [`ApprovalCard`] and its [`CardState`] into Adaptive Card 1.5 JSON
//! (built from the typed structs in `adaptive.rs`) with `Action.Execute` buttons whose data
//! is signed by a [`CardSigner`]. The `teams` function reads a click with
//! [`ActionData::from_invoke`] and checks it with [`CardSigner::verify`]; a second approver
//! is answered with [`already_decided`].
//!
//! Text from users never reaches Markdown: see `text.rs` for what is done to it.

mod adaptive;
mod model;
mod render;
mod sections;
mod sign;
mod text;

pub use model::{Answer, ApprovalCard, CardState, DeviceLine, HistoryLine, Requestor, Verb};
pub use render::{already_decided, render, REASON_INPUT_ID};
pub use sign::{ActionData, CardError, CardSigner, REASON_MAX_CHARS};
