//! `matches()` with compiled regexes kept, instead of compiling the pattern on
//! every call as the `cel` crate does. Rules' `x.matches(re)` (and `matches(x, re)`)
//! are rewritten to the member function `@matches`, which is registered here.

use cel::common::ast::{CallExpr, EntryExpr, Expr};
use cel::common::types::{CelBool, CelString};
use cel::{Env, ExecutionError, IdedExpr};
use regex::Regex;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

/// The name the rewritten calls use; not writable in a rule.
const CACHED: &str = "@matches";

/// Patterns from rules files plus up to this many others (patterns built from facts).
const MAX_EXTRA: usize = 256;

static CACHE: LazyLock<RwLock<HashMap<String, Regex>>> = LazyLock::new(|| RwLock::new(HashMap::new()));

/// Compiles `pattern` (once) and keeps it; the error is the regex crate's message.
pub(crate) fn precompile(pattern: &str) -> Result<(), String> {
    if CACHE.read().map(|c| c.contains_key(pattern)).unwrap_or(false) {
        return Ok(());
    }
    let re = Regex::new(pattern).map_err(|e| e.to_string())?;
    if let Ok(mut c) = CACHE.write() {
        c.insert(pattern.to_string(), re);
    }
    Ok(())
}

fn is_match(text: &str, pattern: &str) -> Result<bool, String> {
    if let Some(hit) = CACHE
        .read()
        .ok()
        .and_then(|c| c.get(pattern).map(|re| re.is_match(text)))
    {
        return Ok(hit);
    }
    let re = Regex::new(pattern).map_err(|e| e.to_string())?;
    let hit = re.is_match(text);
    if let Ok(mut c) = CACHE.write() {
        if c.len() < MAX_EXTRA * 2 {
            c.insert(pattern.to_string(), re);
        }
    }
    Ok(hit)
}

fn cached_matches(this: &CelString<'_>, re: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    is_match(this.inner(), re.inner())
        .map(CelBool::from)
        .map_err(|message| ExecutionError::FunctionError {
            function: "matches".to_string(),
            message: format!("'{}' is not a valid regex: {message}", re.inner()),
        })
}

/// Registers `@matches` on `env`.
pub(crate) fn register(env: &mut Env) {
    // Registering a fresh name on a fresh environment cannot clash.
    let _ = cel::add_member_overload!(env, fn cached_matches: (CelString, CelString) -> Result<CelBool>,
        name = CACHED, id = "jitadmin_cached_matches");
}

/// Rewrites `x.matches(re)` and `matches(x, re)` in `e` to `x.@matches(re)`.
pub(crate) fn rewrite(e: &mut IdedExpr) {
    match &mut e.expr {
        Expr::Call(call) => {
            if call.func_name == "matches" {
                retarget(call);
            }
            if let Some(t) = call.target.as_deref_mut() {
                rewrite(t);
            }
            call.args.iter_mut().for_each(rewrite);
        }
        Expr::Select(s) => rewrite(&mut s.operand),
        Expr::Comprehension(c) => {
            for x in [
                &mut c.iter_range,
                &mut c.accu_init,
                &mut c.loop_cond,
                &mut c.loop_step,
                &mut c.result,
            ] {
                rewrite(x);
            }
        }
        Expr::List(l) => l.elements.iter_mut().for_each(rewrite),
        Expr::Map(m) => {
            for entry in &mut m.entries {
                if let EntryExpr::MapEntry(me) = &mut entry.expr {
                    rewrite(&mut me.key);
                    rewrite(&mut me.value);
                }
            }
        }
        _ => {}
    }
}

fn retarget(call: &mut CallExpr) {
    match (call.target.is_some(), call.args.len()) {
        (true, 1) => call.func_name = CACHED.to_string(),
        (false, 2) => {
            let this = call.args.remove(0);
            call.target = Some(Box::new(this));
            call.func_name = CACHED.to_string();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cel::{Context, Value};
    use std::sync::Arc;

    #[test]
    fn rewritten_matches_give_the_same_answers() {
        let mut env = Env::stdlib();
        register(&mut env);
        let env = Arc::new(env);
        let ctx = Context::with_env(Arc::clone(&env));
        for (src, want) in [
            ("'see INC0012345'.matches(r'(?i)\\b(INC|REQ)[0-9]{4,}')", true),
            ("matches('abc', '^b')", false),
            ("['x1', 'y'].exists(s, s.matches('[0-9]'))", true),
        ] {
            let program = env.compile(src).expect("compiles");
            let mut expr = program.expression().clone();
            rewrite(&mut expr);
            assert_eq!(ctx.resolve(&expr), Ok(Value::Bool(want)), "{src}");
        }
    }

    #[test]
    fn a_bad_pattern_is_an_error_not_a_panic() {
        assert!(precompile("(unclosed").is_err());
        assert!(is_match("x", "(unclosed").is_err());
    }
}
