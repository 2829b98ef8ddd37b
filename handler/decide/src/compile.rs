//! Compiling a rules file once: structure, CEL parsing, static checks.

use crate::decision::Outcome;
use crate::diagnostic::{Diagnostic, Diagnostics, Locator};
use crate::rules_file::{self, Located, RawFallback};
use crate::schema::{Ty, FACTS_SCHEMA};
use crate::split::{chain, Chain};
use crate::template::Template;
use cel::Env;
use chrono_tz::Tz;
use std::path::Path;
use std::sync::Arc;

/// A compiled rules file, ready to decide. Cheap to share (`Send + Sync`).
pub struct RuleSet {
    pub(crate) name: String,
    pub(crate) rules: Vec<Rule>,
    pub(crate) default: Fallback,
    pub(crate) on_error: Fallback,
    pub(crate) time_zone: Tz,
    pub(crate) env: Arc<Env>,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("name", &self.name)
            .field("rules", &self.rules.iter().map(|r| &r.name).collect::<Vec<_>>())
            .field("time_zone", &self.time_zone)
            .finish()
    }
}

/// One compiled rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub name: String,
    pub when: String,
    pub chain: Chain,
    pub decision: Outcome,
    pub reason: Template,
    pub max_duration_hours: Option<f64>,
    pub route_to: Option<String>,
}

/// The `default` or `on_error` decision.
#[derive(Debug, Clone)]
pub(crate) struct Fallback {
    pub decision: Outcome,
    pub reason: Template,
    pub route_to: Option<String>,
}

/// A rules file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file has problems, each as `FILE:LINE:COL: message`.
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl RulesError {
    /// The problems as diagnostics (an unreadable file is one at 1:1).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            RulesError::Io { path, source } => {
                vec![Diagnostic {
                    file: path.clone(),
                    line: 1,
                    col: 1,
                    message: source.to_string(),
                }]
            }
            RulesError::Invalid(d) => d.0.clone(),
        }
    }
}

impl RuleSet {
    /// Loads and compiles a rules file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<RuleSet, RulesError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Io {
            path: name.clone(),
            source,
        })?;
        RuleSet::from_str(&name, &text).map_err(RulesError::Invalid)
    }

    /// Compiles rules from `text`; `name` is the file name used in diagnostics.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(name: &str, text: &str) -> Result<RuleSet, Diagnostics> {
        let loc = Locator::new(name, text);
        let mut diags = Vec::new();
        let raw = rules_file::read(text, &loc, &mut diags);
        let mut env = Env::stdlib();
        crate::regex_cache::register(&mut env);
        let env = Arc::new(env);
        let Some(raw) = raw else {
            return Err(Diagnostics(diags));
        };
        let mut rules = Vec::new();
        let mut warnings = Vec::new();
        let mut seen: Vec<(String, usize)> = Vec::new();
        for r in raw.rules {
            let name_at = r.name.at(0);
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == r.name.value) {
                let line = loc.line_col(*first).0;
                diags.push(loc.at(
                    name_at,
                    format!("duplicate rule name `{}` (first used on line {line})", r.name.value),
                ));
            } else {
                seen.push((r.name.value.clone(), name_at));
            }
            let Some(compiled) = compile_when(&env, &r.name.value, &r.when, &loc, &mut diags) else {
                continue;
            };
            let reason = template(&r.reason, &loc, &mut diags);
            older_names(&r.when, false, &loc, &mut warnings);
            older_names(&r.reason, true, &loc, &mut warnings);
            let chain = compiled;
            if let Some(reason) = reason {
                rules.push(Rule {
                    name: r.name.value,
                    when: r.when.value,
                    chain,
                    decision: r.decision,
                    reason,
                    max_duration_hours: r.max_duration_hours,
                    route_to: r.route_to,
                });
            }
        }
        let default = fallback(raw.default, "No rule matched.", &loc, &mut diags);
        let on_error = fallback(raw.on_error, "The facts could not all be checked.", &loc, &mut diags);
        diags.sort_by_key(|d| (d.line, d.col));
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }
        Ok(RuleSet {
            name: name.to_string(),
            rules,
            default,
            on_error,
            time_zone: raw.time_zone,
            env,
            warnings,
        })
    }

    /// What compiles but should change: reads of `requestor`, the older name of `target`.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The file name the rules came from.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The IANA name of the time zone of `now.weekday` and `now.hour`.
    pub fn time_zone(&self) -> &'static str {
        self.time_zone.name()
    }
}

/// Reads of `requestor` (a whole word, not `requestorX` or `x.requestor`; in a reason, only
/// as a `{placeholder}`), each a warning: it still means the target, which is not always who
/// asked.
fn older_names(text: &Located, placeholders_only: bool, loc: &Locator<'_>, warnings: &mut Vec<Diagnostic>) {
    const OLD: &str = "requestor";
    let chars: Vec<char> = text.value.chars().collect();
    let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric() || *c == '_');
    let old: Vec<char> = OLD.chars().collect();
    let mut i = 0;
    while i + old.len() <= chars.len() {
        let before = i.checked_sub(1).and_then(|b| chars.get(b));
        let starts = if placeholders_only {
            before == Some(&'{')
        } else {
            !word(before) && before != Some(&'.')
        };
        if starts && chars[i..i + old.len()] == old[..] && !word(chars.get(i + old.len())) {
            warnings.push(
                loc.at(
                    text.at(i),
                    "`requestor` is the older name of `target` (who gets the right); write `target`, or \
                 `requestedBy` for who asked"
                        .to_string(),
                ),
            );
            i += old.len();
        } else {
            i += 1;
        }
    }
}

fn template(text: &Located, loc: &Locator<'_>, diags: &mut Vec<Diagnostic>) -> Option<Template> {
    match Template::parse(&text.value, &FACTS_SCHEMA) {
        Ok(t) => Some(t),
        Err(problems) => {
            diags.extend(problems.into_iter().map(|(i, m)| loc.at(text.at(i), m)));
            None
        }
    }
}

fn fallback(raw: RawFallback, default_reason: &str, loc: &Locator<'_>, diags: &mut Vec<Diagnostic>) -> Fallback {
    let reason = match &raw.reason {
        Some(r) => template(r, loc, diags).unwrap_or_else(|| Template::text(&r.value)),
        None => Template::text(default_reason),
    };
    Fallback {
        decision: raw.decision,
        reason,
        route_to: raw.route_to,
    }
}

/// Parses and checks a `when`; reports problems at their place in the file.
fn compile_when(
    env: &Env,
    rule: &str,
    when: &Located,
    loc: &Locator<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Chain> {
    let program = match env.compile(&when.value) {
        Ok(p) => p,
        Err(errors) => {
            // The first error is the cause; later ones tend to be its echoes.
            if let Some(e) = errors.errors.first() {
                let at = char_index(&when.value, e.pos.0, e.pos.1);
                let msg = e.msg.strip_prefix("Syntax error: ").unwrap_or(&e.msg);
                diags.push(loc.at(when.at(at), format!("CEL syntax error in rule `{rule}`: {msg}")));
            }
            return None;
        }
    };
    let checked = crate::check::check(program.expression(), program.source_info(), &FACTS_SCHEMA);
    let mut ok = checked.problems.is_empty();
    for p in checked.problems {
        diags.push(loc.at(when.at(p.offset), p.message));
    }
    if ok && !matches!(checked.ty, Ty::Bool | Ty::Dyn) {
        let lead = when.value.chars().take_while(|c| c.is_whitespace()).count();
        diags.push(loc.at(
            when.at(lead),
            format!("`when` of rule `{rule}` must be a bool, found {}", checked.ty),
        ));
        ok = false;
    }
    ok.then(|| {
        let mut chain = chain(program.expression(), &when.value);
        let (Chain::All(parts) | Chain::Any(parts)) = &mut chain;
        for part in parts {
            part.paths = crate::check::check(&part.expr, program.source_info(), &FACTS_SCHEMA).paths;
            crate::regex_cache::rewrite(&mut part.expr);
        }
        chain
    })
}

/// The character index of a 1-based (line, column) in `text`.
fn char_index(text: &str, line: isize, col: isize) -> usize {
    let line = usize::try_from(line.max(1)).unwrap_or(1);
    let col = usize::try_from(col.max(1)).unwrap_or(1);
    let before: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(|l| l.chars().count())
        .sum();
    before + col - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_sets_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<RuleSet>();
    }

    #[test]
    fn parse_positions_become_character_indexes() {
        assert_eq!(char_index("ab\ncd", 2, 2), 4);
        assert_eq!(char_index("abc", 1, 1), 0);
    }
}
