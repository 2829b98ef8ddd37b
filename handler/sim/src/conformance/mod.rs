//! Holding the tenant to Graph itself: every Graph request the sim receives and every answer it
//! gives is checked against Graph's published metadata (the `graph-conformance` crate), and,
//! when a test names them, only the Graph calls listed in the repository's table
//! (`docs/graph.md`) may be made by the application's identities.
//!
//! In [`ConformanceMode::Strict`] (the default, for tests) a request that does not conform is
//! refused with 400 `ConformanceViolation` naming what is wrong, an answer of the sim's that
//! does not conform is replaced by a 500 of the same code (a bug in the sim), and the
//! [`TenantSim`](crate::TenantSim) that saw either fails the test that owns it when it is
//! dropped. [`ConformanceMode::Record`] only records and logs (for `jitadmin dev`).
//!
//! Members of evolvable enums that come after `unknownFutureValue` are sent only to clients
//! that ask with `Prefer: include-unknown-enum-members`; the others get `unknownFutureValue`,
//! as Graph does (<https://learn.microsoft.com/graph/best-practices-concept>).

mod calls;

use std::sync::Mutex;

pub use calls::GraphCallTable;

/// How strictly the sim holds Graph traffic to the metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConformanceMode {
    /// Refuse what does not conform, and fail the owning test.
    #[default]
    Strict,
    /// Record and log only.
    Record,
    /// Check nothing.
    Off,
}

/// The calls a test allows, and whose calls they are.
#[derive(Debug, Clone)]
pub(crate) struct ExpectedCalls {
    table: GraphCallTable,
    principals: Vec<String>,
}

/// What the sim found.
#[derive(Debug, Default)]
pub(crate) struct Conformance {
    mode: ConformanceMode,
    violations: Mutex<Vec<String>>,
    expected: Mutex<Option<ExpectedCalls>>,
}

impl Conformance {
    pub fn new(mode: ConformanceMode) -> Conformance {
        Conformance {
            mode,
            ..Conformance::default()
        }
    }

    pub fn mode(&self) -> ConformanceMode {
        self.mode
    }

    /// Note a violation (and log it).
    pub fn record(&self, violation: String) {
        tracing::warn!(%violation, "Graph conformance");
        self.violations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(violation);
    }

    /// Every violation so far.
    pub fn violations(&self) -> Vec<String> {
        self.violations.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Allow the application identities `principals` (client ids) only the calls of `table`.
    pub fn expect_calls(&self, table: GraphCallTable, principals: Vec<String>) {
        *self.expected.lock().unwrap_or_else(|p| p.into_inner()) = Some(ExpectedCalls { table, principals });
    }

    /// Why `method path` by `principal` is not allowed, if it is not.
    pub fn unlisted(&self, method: &str, path: &str, principal: Option<&str>) -> Option<String> {
        let expected = self.expected.lock().unwrap_or_else(|p| p.into_inner());
        let expected = expected.as_ref()?;
        let principal = principal?;
        if !expected.principals.iter().any(|p| p.eq_ignore_ascii_case(principal)) {
            return None;
        }
        (!expected.table.allows(method, path)).then(|| {
            format!("{method} {path} by the application {principal} is not in the table of Graph calls (docs/graph.md)")
        })
    }
}
