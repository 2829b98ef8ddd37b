//! Reading `rules.toml` into located values, with every structural problem
//! reported (CEL is compiled and checked afterwards, in `compile.rs`).

use crate::decision::Outcome;
use crate::diagnostic::{suggestion, Diagnostic, Locator};
use crate::toml_string::char_offsets;
use chrono_tz::Tz;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A string from the file with the file offset of each of its characters.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub value: String,
    /// File byte offset of each character, plus one for the end.
    pub offsets: Vec<usize>,
}

impl Located {
    /// File byte offset of character `i` of the value.
    pub(crate) fn at(&self, i: usize) -> usize {
        self.offsets.get(i).or(self.offsets.last()).copied().unwrap_or(0)
    }
}

/// One `[[rule]]` as written.
#[derive(Debug)]
pub(crate) struct RawRule {
    pub name: Located,
    pub when: Located,
    pub decision: Outcome,
    pub reason: Located,
    pub max_duration_hours: Option<f64>,
    pub route_to: Option<String>,
}

/// `default` or `on_error`.
#[derive(Debug, Clone)]
pub(crate) struct RawFallback {
    pub decision: Outcome,
    pub reason: Option<Located>,
    pub route_to: Option<String>,
}

/// The whole file as written.
#[derive(Debug)]
pub(crate) struct RawFile {
    pub rules: Vec<RawRule>,
    pub default: RawFallback,
    pub on_error: RawFallback,
    pub time_zone: Tz,
}

const TOP_KEYS: [&str; 4] = ["rule", "default", "on_error", "time_zone"];
const RULE_KEYS: [&str; 7] = [
    "name",
    "description",
    "when",
    "decision",
    "reason",
    "max_duration_hours",
    "route_to",
];
const FALLBACK_KEYS: [&str; 3] = ["decision", "reason", "route_to"];

struct Reader<'a> {
    text: &'a str,
    loc: &'a Locator<'a>,
    diags: Vec<Diagnostic>,
}

/// Reads the file's structure. Problems are appended to `diags`; `None` when
/// the file is too broken to go on.
pub(crate) fn read(text: &str, loc: &Locator<'_>, diags: &mut Vec<Diagnostic>) -> Option<RawFile> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let at = e.span().map_or(0, |s| s.start);
            let mut msg = e.message().trim_end().to_string();
            if msg == "duplicate key" {
                if let Some(key) = e.span().and_then(|s| text.get(s)) {
                    msg = format!("duplicate key `{key}`");
                }
            }
            diags.push(loc.at(at, format!("TOML syntax: {msg}")));
        }
        return None;
    }
    let mut r = Reader {
        text,
        loc,
        diags: Vec::new(),
    };
    let file = r.file(doc.get_ref());
    diags.append(&mut r.diags);
    file
}

impl Reader<'_> {
    fn err(&mut self, at: usize, msg: impl Into<String>) {
        self.diags.push(self.loc.at(at, msg));
    }

    fn unknown_keys(&mut self, table: &DeTable<'_>, known: &[&'static str], what: &str) {
        for key in table.keys() {
            if !known.contains(&key.get_ref().as_ref()) {
                let name = key.get_ref().as_ref();
                let hint = suggestion(name, known.iter().copied());
                self.err(key.span().start, format!("unknown key `{name}` in {what}{hint}"));
            }
        }
    }

    fn file(&mut self, doc: &DeTable<'_>) -> Option<RawFile> {
        self.unknown_keys(doc, &TOP_KEYS, "the rules file");
        let time_zone = match doc.get("time_zone") {
            None => Tz::UTC,
            Some(v) => self.time_zone(v).unwrap_or(Tz::UTC),
        };
        let default = match doc.get("default") {
            None => {
                self.err(0, "missing `default` (the decision when no rule matches)");
                None
            }
            Some(v) => self.fallback(v, "default"),
        };
        let on_error = match doc.get("on_error") {
            None => Some(RawFallback {
                decision: Outcome::Route,
                reason: None,
                route_to: None,
            }),
            Some(v) => self.fallback(v, "on_error"),
        };
        if let Some(RawFallback {
            decision: Outcome::Approve,
            ..
        }) = on_error
        {
            if let Some(v) = doc.get("on_error").map(decision_value) {
                let at = self.value_at(v);
                self.err(
                    at,
                    "`on_error` cannot be `approve`: jitadmin never approves when facts are missing",
                );
            }
        }
        let mut rules = Vec::new();
        match doc.get("rule") {
            None => {}
            Some(v) => match v.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        if let Some(rule) = self.rule(item) {
                            rules.push(rule);
                        }
                    }
                }
                _ => self.err(
                    v.span().start,
                    "`rule` must be an array of tables: write each rule under `[[rule]]`",
                ),
            },
        }
        Some(RawFile {
            rules,
            default: default?,
            on_error: on_error?,
            time_zone,
        })
    }

    fn time_zone(&mut self, v: &Spanned<DeValue<'_>>) -> Option<Tz> {
        let Some(name) = v.get_ref().as_str() else {
            self.err(
                v.span().start,
                format!("`time_zone` must be a string, found {}", v.get_ref().type_str()),
            );
            return None;
        };
        match name.parse::<Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                let hint = suggestion(name, chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()));
                let msg = format!("unknown time zone `{name}` (use an IANA name such as `Europe/Paris`){hint}");
                self.err(self.value_at(v), msg);
                None
            }
        }
    }

    /// Where a value starts: inside the quotes for a string.
    fn value_at(&self, v: &Spanned<DeValue<'_>>) -> usize {
        let span = v.span();
        match v.get_ref() {
            DeValue::String(_) => span.start + char_offsets(&self.text[span.clone()]).first().copied().unwrap_or(0),
            _ => span.start,
        }
    }

    fn located(&self, v: &Spanned<DeValue<'_>>, value: &str) -> Located {
        let span = v.span();
        let raw = &self.text[span.clone()];
        let offsets = char_offsets(raw).into_iter().map(|o| span.start + o).collect();
        Located {
            value: value.to_string(),
            offsets,
        }
    }

    fn string(&mut self, table: &DeTable<'_>, key: &str, what: &str) -> Option<Option<Located>> {
        let v = table.get(key)?;
        match v.get_ref().as_str() {
            Some(s) => Some(Some(self.located(v, s))),
            None => {
                let found = v.get_ref().type_str();
                self.err(
                    v.span().start,
                    format!("`{key}` in {what} must be a string, found {found}"),
                );
                Some(None)
            }
        }
    }

    fn decision(&mut self, v: &Spanned<DeValue<'_>>, what: &str) -> Option<Outcome> {
        let Some(s) = v.get_ref().as_str() else {
            let found = v.get_ref().type_str();
            self.err(
                v.span().start,
                format!("`decision` in {what} must be a string, found {found}"),
            );
            return None;
        };
        let parsed = Outcome::parse(s);
        if parsed.is_none() {
            let hint = suggestion(s, Outcome::NAMES);
            let msg = format!("unknown decision `{s}` in {what}: expected `approve`, `deny` or `route`{hint}");
            self.err(self.value_at(v), msg);
        }
        parsed
    }

    fn fallback(&mut self, v: &Spanned<DeValue<'_>>, key: &'static str) -> Option<RawFallback> {
        let what = format!("`{key}`");
        match v.get_ref() {
            DeValue::String(_) => Some(RawFallback {
                decision: self.decision(v, &what)?,
                reason: None,
                route_to: None,
            }),
            DeValue::Table(t) => {
                self.unknown_keys(t, &FALLBACK_KEYS, &what);
                let decision = match t.get("decision") {
                    Some(d) => self.decision(d, &what),
                    None => {
                        self.err(v.span().start, format!("missing `decision` in {what}"));
                        None
                    }
                };
                let reason = self.string(t, "reason", &what).flatten();
                let route_to = self.string(t, "route_to", &what).flatten().map(|l| l.value);
                let decision = decision?;
                if route_to.is_some() && decision != Outcome::Route {
                    let at = t.get("route_to").map_or(v.span().start, |r| self.value_at(r));
                    self.err(at, format!("`route_to` in {what} needs `decision = \"route\"`"));
                }
                Some(RawFallback {
                    decision,
                    reason,
                    route_to,
                })
            }
            other => {
                let msg = format!("{what} must be a decision or a table, found {}", other.type_str());
                self.err(v.span().start, msg);
                None
            }
        }
    }

    fn rule(&mut self, item: &Spanned<DeValue<'_>>) -> Option<RawRule> {
        let DeValue::Table(t) = item.get_ref() else {
            self.err(item.span().start, "each `rule` must be a table");
            return None;
        };
        let at = item.span().start;
        let name = self.string(t, "name", "a rule").flatten();
        let what = match &name {
            Some(n) => format!("rule `{}`", n.value),
            None => "a rule".to_string(),
        };
        if t.get("name").is_none() {
            self.err(at, "missing `name` in a rule");
        }
        self.unknown_keys(t, &RULE_KEYS, &what);
        let when = self.required_string(t, "when", &what, at);
        let reason = self.required_string(t, "reason", &what, at);
        let decision = match t.get("decision") {
            Some(d) => self.decision(d, &what),
            None => {
                self.err(at, format!("missing `decision` in {what}"));
                None
            }
        };
        let route_to = self.string(t, "route_to", &what).flatten().map(|l| l.value);
        let max_duration_hours = self.max_duration(t, &what);
        let (name, when, reason, decision) = (name?, when?, reason?, decision?);
        if let (Some(_), Some(v)) = (max_duration_hours, t.get("max_duration_hours")) {
            if decision != Outcome::Approve {
                let msg = format!("`max_duration_hours` in {what} applies only to `decision = \"approve\"`");
                self.err(v.span().start, msg);
            }
        }
        if let (Some(_), Some(v)) = (&route_to, t.get("route_to")) {
            if decision != Outcome::Route {
                let at = self.value_at(v);
                self.err(at, format!("`route_to` in {what} needs `decision = \"route\"`"));
            }
        }
        if decision == Outcome::Deny && reason.value.trim().is_empty() {
            self.err(
                reason.at(0),
                format!("empty `reason` in {what}: the requestor sees it when denied"),
            );
        }
        if when.value.trim().is_empty() {
            self.err(when.at(0), format!("empty `when` in {what}"));
            return None;
        }
        Some(RawRule {
            name,
            when,
            decision,
            reason,
            max_duration_hours,
            route_to,
        })
    }

    fn required_string(&mut self, t: &DeTable<'_>, key: &str, what: &str, at: usize) -> Option<Located> {
        match self.string(t, key, what) {
            None => {
                self.err(at, format!("missing `{key}` in {what}"));
                None
            }
            Some(v) => v,
        }
    }

    fn max_duration(&mut self, t: &DeTable<'_>, what: &str) -> Option<f64> {
        let v = t.get("max_duration_hours")?;
        let n = match v.get_ref() {
            DeValue::Integer(i) => i.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match n {
            Some(n) if n > 0.0 && n.is_finite() => Some(n),
            _ => {
                self.err(
                    v.span().start,
                    format!("`max_duration_hours` in {what} must be a positive number of hours"),
                );
                None
            }
        }
    }
}

/// Where a fallback's decision is written (the string, or the table's `decision`).
fn decision_value<'a, 'i>(v: &'a Spanned<DeValue<'i>>) -> &'a Spanned<DeValue<'i>> {
    match v.get_ref() {
        DeValue::Table(t) => t.get("decision").unwrap_or(v),
        _ => v,
    }
}
