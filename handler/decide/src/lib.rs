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
//! facts.target.user_type = "Guest".into();
//! let decision = rules.decide(&facts);
//! assert_eq!(decision.outcome, Outcome::Deny);
//! assert_eq!(decision.short(), "deny by rule deny-guests: Guests cannot be local administrators.");
//! ```
//!
//! # `rules.toml`
//!
//! - `time_zone` (optional, IANA name, default `UTC`): the zone of `now.weekday` / `now.hour`.
//! - `default` (required): the decision when no rule matches; `"route"` or a table
//!   `{ decision, reason, route_to }`.
//! - `on_error` (optional, default `route`): the decision when a rule cannot be evaluated or
//!   facts are missing; same forms; `approve` is refused.
//! - `[[rule]]`, in order, first match wins: `name` (unique), `when` (a CEL expression,
//!   bool), `decision` (`approve`/`deny`/`route`), `reason` (what the requestor sees on deny;
//!   `{fact.path}` placeholders, `{{`/`}}` for braces), optional `description`,
//!   `max_duration_hours` (approve only: a longer or open-ended request does **not match**
//!   the rule and the next rules are tried), `route_to` (route only).
//!
//! Every problem is reported as `FILE:LINE:COL: message`, pointing into the TOML file:
//! TOML syntax, unknown keys, missing or mistyped fields, unknown decisions, duplicate
//! names, CEL syntax, unknown variables/fields/functions (with a suggestion), type
//! mismatches, a non-bool `when`, bad regex/`duration`/`timestamp` literals, bad placeholders.
//!
//! # Facts
//!
//! [`Facts`] is plain data the gatherer fills; its JSON form (camelCase, unknown fields
//! refused) is what `jitadmin decide --facts FILE` reads: see `testdata/facts-*.json`.
//! [`FACTS_SCHEMA`] gives the static type of every variable and field
//! ([`FactsSchema::describe`] lists them). Optional facts are absent keys in CEL (test them
//! with `has()`); Graph nulls for strings read as `""`. A fact that could not be fetched is
//! listed in [`Facts::unavailable`]: an operand reading it is an error, an error makes the
//! decision `on_error`, and no approval is made while any fact is unavailable.
//!
//! # Decisions
//!
//! [`Decision`] carries the outcome, the deciding rule, the reason, `route_to`, and an
//! [`Explanation`]: for every rule evaluated, whether it matched and why not (the first
//! false top-level `&&` operand, with its source text) or the error. [`Decision::short`] is
//! the one-line form for the resume's detail text, [`Decision::to_text`] the human form,
//! and the serde form (also [`Decision::to_json`]) goes to the audit trail and Teams card.
#![deny(clippy::all)]
#![warn(missing_docs)]

mod answers;
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
pub use facts::{
    AccessPackage, AnswerFact, Denial, Device, Facts, FactsError, History, Manager, Person, Request, Requestor,
    Unavailable,
};
pub use schema::{FactsSchema, FACTS_SCHEMA};
pub use summary::{check_file, check_str, FallbackSummary, RuleSummary, Summary};
