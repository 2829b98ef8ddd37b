//! jitadmin's decisions: facts, CEL rules from `rules.toml`, and explained outcomes.
//!
//! Rules are compiled once ([`RuleSet::from_file`] / [`RuleSet::from_str`]), with every
//! problem reported as `FILE:LINE:COL: message`, then decide requests from plain
//! typed [`Facts`]:
//!
//! ```
//! use jitadmin_decide::{Facts, Outcome, RuleSet};
//!
//! let rules = RuleSet::from_str("rules.toml", r#"
//!     default = "route"
//!
//!     [[rule]]
//!     name = "deny-guests"
//!     when = "requestor.userType == 'Guest'"
//!     decision = "deny"
//!     reason = "Guests cannot be local administrators."
//! "#).expect("valid rules");
//!
//! let mut facts = Facts::default();
//! facts.requestor.user_type = "Guest".into();
//! let decision = rules.decide(&facts);
//! assert_eq!(decision.outcome, Outcome::Deny);
//! assert_eq!(decision.short(), "deny by rule deny-guests: Guests cannot be local administrators.");
//! ```
#![deny(clippy::all)]
#![warn(missing_docs)]

mod check;
mod compile;
mod decision;
mod diagnostic;
mod eval;
mod explain;
mod facts;
mod facts_value;
mod regex_cache;
mod rules_file;
pub mod schema;
mod split;
mod summary;
mod template;
mod toml_string;

pub use compile::{RuleSet, RulesError};
pub use decision::{Decision, Outcome};
pub use diagnostic::{Diagnostic, Diagnostics};
pub use explain::{Explanation, Fallback, RuleTrace, RuleVerdict};
pub use facts::{AccessPackage, Denial, Device, Facts, FactsError, History, Manager, Request, Requestor, Unavailable};
pub use schema::{FactsSchema, FACTS_SCHEMA};
pub use summary::{check_file, check_str, FallbackSummary, RuleSummary, Summary};
