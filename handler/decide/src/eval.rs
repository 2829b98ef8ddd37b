//! Deciding a request: the facts become CEL values once, then each rule is
//! evaluated in order, its top-level `&&`/`||` operands one by one.

use crate::compile::{Fallback, Rule, RuleSet};
use crate::decision::{Decision, Outcome};
use crate::explain::{self, Explanation, RuleTrace, RuleVerdict};
use crate::facts::{overlaps, Facts};
use crate::facts_value::{bind, format_number};
use crate::split::{Chain, Part};
use cel::{Context, Value};
use std::sync::Arc;

/// How one rule came out.
enum Verdict {
    Matched(Option<String>),
    NotMatched { failed: String, detail: String },
    Error { failed: String, detail: String },
}

impl RuleSet {
    /// Decides a request. Never approves when a fact is unavailable: an operand that
    /// reads one is an error (so the rule errors unless another operand is false, as
    /// in CEL), and an approval while any fact is missing becomes `on_error`.
    pub fn decide(&self, facts: &Facts) -> Decision {
        let mut ctx = Context::with_env(Arc::clone(&self.env));
        bind(&mut ctx, facts, self.time_zone);
        let vars = &ctx;
        let mut explanation = Explanation {
            unavailable: facts.unavailable.clone(),
            ..Explanation::default()
        };
        for rule in &self.rules {
            let verdict = evaluate(rule, &ctx, facts);
            match verdict {
                Verdict::Matched(detail) => {
                    let detail = detail.map_or_else(|| "matched".to_string(), |d| format!("matched: {d}"));
                    explanation.rules.push(trace(rule, RuleVerdict::Matched, None, detail));
                    if rule.decision == Outcome::Approve && !facts.unavailable.is_empty() {
                        return self.withheld(explanation, vars, Some(&rule.name));
                    }
                    return Decision {
                        outcome: rule.decision,
                        rule: Some(rule.name.clone()),
                        reason: rule.reason.render(vars),
                        route_to: rule.route_to.clone(),
                        explanation,
                    };
                }
                Verdict::NotMatched { failed, detail } => {
                    explanation
                        .rules
                        .push(trace(rule, RuleVerdict::NotMatched, Some(failed), detail));
                }
                Verdict::Error { failed, detail } => {
                    explanation
                        .rules
                        .push(trace(rule, RuleVerdict::Error, Some(failed), detail));
                    return fall_back(&self.on_error, explain::Fallback::OnError, explanation, vars);
                }
            }
        }
        if self.default.decision == Outcome::Approve && !facts.unavailable.is_empty() {
            return self.withheld(explanation, vars, None);
        }
        fall_back(&self.default, explain::Fallback::Default, explanation, vars)
    }

    fn withheld(&self, mut explanation: Explanation, vars: &Context<'_, '_>, rule: Option<&str>) -> Decision {
        let missing: Vec<&str> = explanation.unavailable.iter().map(|u| u.fact.as_str()).collect();
        let by = rule.map_or_else(|| "the default".to_string(), |r| format!("rule `{r}`"));
        explanation.note = Some(format!(
            "{by} would approve, but facts are unavailable: {}",
            missing.join(", ")
        ));
        fall_back(&self.on_error, explain::Fallback::OnError, explanation, vars)
    }
}

fn fall_back(f: &Fallback, which: explain::Fallback, mut explanation: Explanation, vars: &Context<'_, '_>) -> Decision {
    explanation.fell_back = Some(which);
    Decision {
        outcome: f.decision,
        rule: None,
        reason: f.reason.render(vars),
        route_to: f.route_to.clone(),
        explanation,
    }
}

fn trace(rule: &Rule, verdict: RuleVerdict, failed: Option<String>, detail: String) -> RuleTrace {
    RuleTrace {
        rule: rule.name.clone(),
        verdict,
        failed,
        detail,
    }
}

/// Evaluates one part: `Ok(bool)` or an error message. A part that reads a fact
/// that could not be fetched is an error, as a missing key would be.
fn eval_part(part: &Part, ctx: &Context<'_, '_>, facts: &Facts) -> Result<bool, String> {
    let missing = facts
        .unavailable
        .iter()
        .find(|u| part.paths.iter().any(|p| overlaps(&u.fact, p)));
    if let Some(u) = missing {
        return Err(format!("reads `{}`, which could not be fetched: {}", u.fact, u.error));
    }
    match ctx.resolve(&part.expr) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!("gave {other:?}, not a bool")),
        Err(e) => Err(e.to_string()),
    }
}

fn evaluate(rule: &Rule, ctx: &Context<'_, '_>, facts: &Facts) -> Verdict {
    let verdict = match &rule.chain {
        Chain::All(parts) => {
            // CEL's `&&`: false wins over an error, wherever it is.
            let mut error: Option<(&Part, String)> = None;
            let mut result = None;
            for part in parts {
                match eval_part(part, ctx, facts) {
                    Ok(true) => {}
                    Ok(false) => {
                        result = Some(Verdict::NotMatched {
                            failed: part.text.clone(),
                            detail: format!("false: {}", part.text),
                        });
                        break;
                    }
                    Err(e) => {
                        error.get_or_insert((part, e));
                    }
                }
            }
            match (result, error) {
                (Some(v), _) => v,
                (None, Some((part, e))) => Verdict::Error {
                    failed: part.text.clone(),
                    detail: format!("error in {}: {e}", part.text),
                },
                (None, None) => Verdict::Matched(None),
            }
        }
        Chain::Any(parts) => {
            // CEL's `||`: true wins over an error, wherever it is.
            let mut error: Option<(&Part, String)> = None;
            let mut matched = None;
            for part in parts {
                match eval_part(part, ctx, facts) {
                    Ok(true) => {
                        matched = Some(part.text.clone());
                        break;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        error.get_or_insert((part, e));
                    }
                }
            }
            match (matched, error) {
                (Some(text), _) => Verdict::Matched(Some(text)),
                (None, Some((part, e))) => Verdict::Error {
                    failed: part.text.clone(),
                    detail: format!("error in {}: {e}", part.text),
                },
                (None, None) => Verdict::NotMatched {
                    failed: rule.when.trim().to_string(),
                    detail: format!("false: none of {} alternatives held", parts.len()),
                },
            }
        }
    };
    match (verdict, rule.max_duration_hours) {
        (Verdict::Matched(d), Some(max)) => limit(max, facts).unwrap_or(Verdict::Matched(d)),
        (v, _) => v,
    }
}

/// `max_duration_hours`: a longer (or open-ended) request does not match the rule.
fn limit(max: f64, facts: &Facts) -> Option<Verdict> {
    let max_s = format_number(max);
    match facts.request.duration_hours() {
        Some(h) if h <= max => None,
        Some(h) => Some(Verdict::NotMatched {
            failed: format!("max_duration_hours = {max_s}"),
            detail: format!(
                "the request is for {}h, over this rule's limit of {max_s}h",
                format_number(h)
            ),
        }),
        None => Some(Verdict::NotMatched {
            failed: format!("max_duration_hours = {max_s}"),
            detail: format!("the request has no end, and this rule approves at most {max_s}h"),
        }),
    }
}
