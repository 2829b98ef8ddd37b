//! The decision table's harness: base facts, cases, and the runner.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use jitadmin_decide::{Decision, Facts, Outcome, RuleSet, RuleVerdict};
use std::path::Path;

pub fn base_facts() -> Facts {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    Facts::from_json_file(dir.join("facts-it-staff-ticket.json")).expect("base facts")
}

pub fn table_rules() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    std::fs::read_to_string(dir.join("rules-table.toml")).expect("rules")
}

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("time")
}

/// Rules for cases that need their own: the `default` and `on_error` lines and one rule.
pub fn own(rule_when: &str, decision: &str) -> String {
    format!(
        "default = \"route\"\non_error = \"deny\"\n[[rule]]\nname = \"r\"\nwhen = \"{rule_when}\"\n\
         decision = \"{decision}\"\nreason = \"by r, {{requestor.displayName}}\"\n"
    )
}

pub struct Case {
    pub name: &'static str,
    /// `None`: the table rules.
    pub rules: Option<String>,
    pub facts: fn(&mut Facts),
    pub outcome: Outcome,
    pub rule: Option<&'static str>,
    /// (rule, verdict, exact detail) that must be in the explanation.
    pub explains: Vec<(&'static str, RuleVerdict, &'static str)>,
    /// Further checks.
    pub check: fn(&Decision),
}

pub fn case(name: &'static str, facts: fn(&mut Facts), outcome: Outcome, rule: Option<&'static str>) -> Case {
    Case {
        name,
        rules: None,
        facts,
        outcome,
        rule,
        explains: Vec::new(),
        check: |_| {},
    }
}

impl Case {
    pub fn explains(mut self, rule: &'static str, verdict: RuleVerdict, detail: &'static str) -> Self {
        self.explains.push((rule, verdict, detail));
        self
    }
    pub fn rules(mut self, rules: String) -> Self {
        self.rules = Some(rules);
        self
    }
    pub fn check(mut self, check: fn(&Decision)) -> Self {
        self.check = check;
        self
    }
}

/// Runs every case; a failure lists every case that failed with its decision.
pub fn run(cases: Vec<Case>) {
    let table = RuleSet::from_str("rules-table.toml", &table_rules()).unwrap_or_else(|e| panic!("{e}"));
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let mut failures = Vec::new();
    for c in cases {
        let own_rules = c
            .rules
            .as_ref()
            .map(|r| RuleSet::from_str("own.toml", r).unwrap_or_else(|e| panic!("{}: {e}", c.name)));
        let rules = own_rules.as_ref().unwrap_or(&table);
        let mut facts = base_facts();
        (c.facts)(&mut facts);
        let d = rules.decide(&facts);
        let mut problems = Vec::new();
        if d.outcome != c.outcome {
            problems.push(format!("outcome {:?}, expected {:?}", d.outcome, c.outcome));
        }
        if d.rule.as_deref() != c.rule {
            problems.push(format!("rule {:?}, expected {:?}", d.rule, c.rule));
        }
        for (rule, verdict, detail) in &c.explains {
            let found = d
                .explanation
                .rules
                .iter()
                .any(|t| t.rule == *rule && t.verdict == *verdict && t.detail == *detail);
            if !found {
                problems.push(format!("no trace {rule} {verdict:?} {detail:?}"));
            }
        }
        if problems.is_empty() {
            if let Err(e) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (c.check)(&d))) {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| "check failed".into());
                problems.push(msg);
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}\n{}", c.name, problems.join("\n  "), d.to_text()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
