//! The audit trail: typed actions ([`Action`]) and details ([`detail`]), written through
//! [`append`] and read back as steps for people ([`trail`]). No other module spells an
//! action or a detail field.

mod action;
pub mod detail;
pub mod trail;
mod write;

pub use action::{Action, CalloutStep, DeviceAction, Refusal, Resumed, StageName, TeamsAction};
pub use write::{append, append_logged, Entry, ACTOR};
