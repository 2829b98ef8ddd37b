//! The one placeholder allowed until a function's issue lands: 501 problem+json.

use azfn_runtime::{HttpResponse, Outputs, Problem};

fn problem(function: &str, issue: u32) -> Problem {
    Problem::new("not-implemented", "Not implemented yet", 501)
        .with_detail(format!(
            "the '{function}' function is not implemented yet (tracked by issue {issue})"
        ))
        .with("function", function)
}

/// For an HTTP function: the invocation succeeds and the caller gets 501.
pub fn http(function: &str, issue: u32) -> Outputs {
    Outputs::new().http(
        super::bindings::HTTP_OUT,
        HttpResponse::problem(&problem(function, issue)),
    )
}
