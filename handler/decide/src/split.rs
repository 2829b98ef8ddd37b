//! Splitting a `when` at its top-level `&&` or `||`, so that an explanation can
//! name the first sub-expression that was false.

use cel::common::ast::{operators as op, Expr};
use cel::IdedExpr;
use std::collections::BTreeSet;

/// How a `when` is evaluated for explanations.
#[derive(Debug, Clone)]
pub(crate) enum Chain {
    /// `a && b && c` (a single expression is a chain of one).
    All(Vec<Part>),
    /// `a || b || c`
    Any(Vec<Part>),
}

/// One operand of the top-level chain: its AST and its source text.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub text: String,
    pub expr: IdedExpr,
    /// The fact paths it reads (filled in by the compiler).
    pub paths: BTreeSet<String>,
}

/// The top-level chain of `expr`, compiled from `source`.
pub(crate) fn chain(expr: &IdedExpr, source: &str) -> Chain {
    let whole = || {
        vec![Part {
            text: source.trim().to_string(),
            expr: expr.clone(),
            paths: BTreeSet::new(),
        }]
    };
    let (func, sym) = match &expr.expr {
        Expr::Call(c) if c.func_name == op::LOGICAL_AND => (op::LOGICAL_AND, "&&"),
        Expr::Call(c) if c.func_name == op::LOGICAL_OR => (op::LOGICAL_OR, "||"),
        _ => return Chain::All(whole()),
    };
    let mut exprs = Vec::new();
    flatten(expr, func, &mut exprs);
    let texts = split_top(source, sym);
    if texts.len() != exprs.len() {
        // Should not happen; explain the expression as a whole rather than guess.
        return Chain::All(whole());
    }
    let parts = texts
        .into_iter()
        .zip(exprs)
        .map(|((_, text), expr)| Part {
            text,
            expr,
            paths: BTreeSet::new(),
        })
        .collect();
    if func == op::LOGICAL_AND {
        Chain::All(parts)
    } else {
        Chain::Any(parts)
    }
}

fn flatten(e: &IdedExpr, func: &str, out: &mut Vec<IdedExpr>) {
    match &e.expr {
        Expr::Call(c) if c.func_name == func && c.target.is_none() && c.args.len() == 2 => {
            flatten(&c.args[0], func, out);
            flatten(&c.args[1], func, out);
        }
        _ => out.push(e.clone()),
    }
}

fn leading_ws(s: &str) -> usize {
    s.chars().take_while(|c| c.is_whitespace()).count()
}

/// The (character offset, trimmed text) of each piece of `src` between
/// occurrences of `sym` outside brackets and string literals.
pub(crate) fn split_top(src: &str, sym: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = src.chars().collect();
    let sym: Vec<char> = sym.chars().collect();
    let mut pieces = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' | '"' => {
                i = skip_string(&chars, i);
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ if depth == 0 && chars[i..].starts_with(&sym) => {
                pieces.push(piece(&chars, start, i));
                i += sym.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    pieces.push(piece(&chars, start, chars.len()));
    pieces
}

fn piece(chars: &[char], start: usize, end: usize) -> (usize, String) {
    let text: String = chars[start..end].iter().collect();
    (start + leading_ws(&text), text.trim().to_string())
}

/// The index after the string literal starting at `i` (single, double or triple quoted).
fn skip_string(chars: &[char], i: usize) -> usize {
    let q = chars[i];
    let triple = chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q);
    // A raw string (r'...') has no escapes.
    let raw = i > 0 && matches!(chars[i - 1], 'r' | 'R');
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < chars.len() {
        if chars[j] == '\\' && !raw {
            j += 2;
            continue;
        }
        if chars[j] == q && (!triple || (chars.get(j + 1) == Some(&q) && chars.get(j + 2) == Some(&q))) {
            return j + if triple { 3 } else { 1 };
        }
        j += 1;
    }
    chars.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_operators_split_but_nested_and_quoted_ones_do_not() {
        let pieces = split_top("a && (b && c) && d.matches('x&&y') && [1].exists(i, i && true)", "&&");
        let texts: Vec<&str> = pieces.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            texts,
            ["a", "(b && c)", "d.matches('x&&y')", "[1].exists(i, i && true)"]
        );
        assert_eq!(pieces[1].0, 5);
    }

    #[test]
    fn chains_follow_the_ast() {
        let env = cel::Env::stdlib();
        let src = "a == 1 && (b || c) && d";
        let p = env.compile(src).expect("compiles");
        match chain(p.expression(), src) {
            Chain::All(parts) => {
                assert_eq!(
                    parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(),
                    ["a == 1", "(b || c)", "d"]
                )
            }
            Chain::Any(_) => panic!("expected &&"),
        }
    }
}
