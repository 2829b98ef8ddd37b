//! What `jitadmin doctor` found: each finding in plain words with its fix, and the report's
//! text and JSON forms.

use serde::Serialize;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// As it should be.
    Ok,
    /// How jitadmin will behave with this configuration: a supported combination, explained.
    Note,
    /// Works, but not as well as it could (a fix is suggested).
    Warning,
    /// Would break requests: a request would not be decided, granted or take effect.
    Problem,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Note => "note",
            Severity::Warning => "WARNING",
            Severity::Problem => "PROBLEM",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How much it matters.
    pub severity: Severity,
    /// What it is about: `settings`, `policy`, `extensions`, `approval`, `lifecycle`, `intune`.
    pub area: &'static str,
    /// What was found.
    pub what: String,
    /// What to do, when something should change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    /// A finding without a fix.
    pub fn new(severity: Severity, area: &'static str, what: impl Into<String>) -> Finding {
        Finding {
            severity,
            area,
            what: what.into(),
            fix: None,
        }
    }

    /// The same finding with a fix.
    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }
}

/// Everything `doctor` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The findings, in the order they were checked.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether something would break requests (the exit status is then non-zero).
    pub fn breaks_requests(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Problem)
    }

    /// One line per finding (and its fix), then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&format!("{:<8} {:<10} {}\n", f.severity.label(), f.area, f.what));
            if let Some(fix) = &f.fix {
                out.push_str(&format!("{:<19} fix: {fix}\n", ""));
            }
        }
        let problems = self.findings.iter().filter(|f| f.severity == Severity::Problem).count();
        out.push_str(&match problems {
            0 => "no problem that would break requests\n".to_string(),
            n => format!("{n} problem(s) would break requests\n"),
        });
        out
    }

    /// The findings as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }
}
