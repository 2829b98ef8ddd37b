#![deny(clippy::all)]
#![warn(missing_docs)]
//! Typed inbound payloads for jitadmin, parsed once at the edge.
//!
//! - [`callout`]: entitlement-management custom-extension callouts, every stage, in the
//!   PascalCase wire form and the camelCase Graph form;
//! - [`resume`]: the resume body we send back to Graph;
//! - [`notification`]: Graph change notifications, lifecycle events and the validation handshake;
//! - [`bot`]: Bot Framework activities from Teams and the invoke response.
//!
//! Unknown fields are ignored; unknown enum values are kept as `Other(String)`; ids are
//! strings. Parse failures are a [`ParseError`] naming the JSON path of the bad field.
//!
//! ```
//! use jitadmin_events::callout::Callout;
//! let err = Callout::from_slice(br#"{"Stage":"assignmentRequestExploded","CustomExtensionStageInstanceId":"i"}"#)
//!     .unwrap_err();
//! assert_eq!(err.path(), Some("stage"));
//! ```

pub mod bot;
pub mod callout;
pub mod duration;
mod error;
mod json;
pub mod notification;
pub mod resume;
mod string_enum;

pub use error::ParseError;
