//! Approval Adaptive Cards.
//!
//! [`render`] turns an [`ApprovalCard`] and its [`CardState`] into Adaptive Card 1.5 JSON
//! (built from the typed structs in `adaptive.rs`) with `Action.Execute` buttons whose data
//! is signed by a [`CardSigner`]. The `teams` function reads a click with
//! [`ActionData::from_invoke`] and checks it with [`CardSigner::verify`]; a second approver
//! is answered with [`already_decided`].
//!
//! Text from users never reaches Markdown: see `text.rs` for what is done to it.
//!
//! ```
//! use chrono::{Duration, Utc};
//! use jitadmin_teams::card::{render, ActionData, ApprovalCard, CardSigner, CardState, Requestor, Verb};
//!
//! let signer = CardSigner::new(b"32 random bytes kept in Key Vault");
//! let card = ApprovalCard {
//!     stage_instance_id: "5c7b1a2e".into(),
//!     request_id: "a1b2c3d4".into(),
//!     expires_at: Utc::now() + Duration::hours(24),
//!     requestor: Requestor {
//!         display_name: "Alex Wilber".into(),
//!         upn: "AlexW@contoso.example".into(),
//!         department: None,
//!         manager: None,
//!     },
//!     requested_by: None,
//!     access_package: "Local admin".into(),
//!     duration: Some("8 hours".into()),
//!     justification: None,
//!     answers: vec![],
//!     devices: vec![],
//!     history: vec![],
//!     explanation: "Routed because no rule approved it".into(),
//! };
//! let json = render(&card, &CardState::Pending, &signer);
//! assert_eq!(json["version"], "1.5");
//!
//! // A click on Approve: the invoke's `value.action` carries the verb and the button's data.
//! let data = &json["actions"][0]["data"];
//! let click = ActionData::from_invoke(Some("approve"), data)?;
//! signer.verify(&click, Utc::now())?;
//! assert_eq!((click.verb, click.stage_instance_id.as_str()), (Verb::Approve, "5c7b1a2e"));
//! # Ok::<(), jitadmin_teams::card::CardError>(())
//! ```

mod adaptive;
mod model;
mod render;
mod sections;
mod sign;
mod text;

pub use model::{Answer, ApprovalCard, CardState, DeviceLine, HistoryLine, RequestedBy, Requestor, Verb};
pub use render::{already_decided, render, REASON_INPUT_ID};
pub use sign::{ActionData, CardError, CardSigner, REASON_MAX_CHARS};
