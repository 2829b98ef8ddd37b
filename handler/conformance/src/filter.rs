//! A best-effort reading of `$filter` and `$orderby` expressions: the property paths they name
//! (`accessPackage/id`, `target/objectId`, lambda variables `m/id` inside `members/any(m: ...)`)
//! are resolved against the addressed type. Literals, operators (`eq`, `ne`, `gt`, `ge`, `lt`,
//! `le`, `in`, `has`, `and`, `or`, `not`), and function names (`startswith(`, `contains(`...) are
//! skipped; nothing else of the grammar is checked
//! (<https://learn.microsoft.com/graph/filter-query-parameter>).

use crate::model::Model;
use crate::report::{FindingKind, Place, Sink};

const KEYWORDS: [&str; 20] = [
    "eq", "ne", "gt", "ge", "lt", "le", "in", "has", "and", "or", "not", "add", "sub", "mul", "div", "mod", "true",
    "false", "null", "$it",
];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Literal,
    Open,
    Close,
    Colon,
    Other,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == ',' {
            i += 1;
        } else if c == '\'' {
            // A quote inside a literal is doubled.
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("a string literal is not closed".into()),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => i += 2,
                    Some('\'') => break,
                    Some(_) => i += 1,
                }
            }
            i += 1;
            out.push(Token::Literal);
        } else if c == '(' {
            out.push(Token::Open);
            i += 1;
        } else if c == ')' {
            out.push(Token::Close);
            i += 1;
        } else if c == ':' {
            out.push(Token::Colon);
            i += 1;
        } else if c.is_ascii_digit() || c == '-' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "-.:+".contains(chars[i])) {
                i += 1;
            }
            out.push(Token::Literal);
        } else if c.is_alphabetic() || c == '_' || c == '$' || c == '@' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || "_./$@".contains(chars[i])) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // An enum literal such as microsoft.graph.color'red' is a value, not a path.
            if chars.get(i) == Some(&'\'') {
                continue;
            }
            out.push(Token::Ident(word));
        } else {
            out.push(Token::Other);
            i += 1;
        }
    }
    Ok(out)
}

/// Checks the property paths of `$filter` (`option` names it in findings) against `root`.
pub(crate) fn check(model: &Model, root: &str, option: &str, text: &str, sink: &mut Sink) {
    let tokens = match tokenize(text) {
        Ok(t) => t,
        Err(why) => {
            sink.push(
                FindingKind::BadQueryValue,
                Place::Query,
                option,
                Some(root),
                Some(option),
                format!("{option} cannot be read: {why}"),
            );
            return;
        }
    };
    // Lambda variables in scope: (name, element type, parenthesis depth).
    let mut scopes: Vec<(String, String, i32)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                scopes.retain(|(_, _, d)| *d <= depth);
            }
            Token::Ident(word) => {
                let called = tokens.get(i + 1) == Some(&Token::Open);
                let lambda = word
                    .strip_suffix("/any")
                    .or_else(|| word.strip_suffix("/all"))
                    .filter(|_| called);
                if let Some(path) = lambda {
                    let element = resolve(model, root, &scopes, path, option, sink);
                    if let (Some(Token::Ident(var)), Some(Token::Colon), Some(element)) =
                        (tokens.get(i + 2), tokens.get(i + 3), element)
                    {
                        scopes.push((var.clone(), element, depth + 1));
                        i += 3;
                    }
                } else if !called && !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
                    resolve(model, root, &scopes, word, option, sink);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Checks `$orderby` (`path [asc|desc], ...`).
pub(crate) fn check_orderby(model: &Model, root: &str, text: &str, sink: &mut Sink) {
    for item in text.split(',') {
        if let Some(path) = item.split_whitespace().next() {
            resolve(model, root, &[], path, "$orderby", sink);
        }
    }
}

/// Resolves a property path; answers the (element) type it ends on when that is structured.
fn resolve(
    model: &Model,
    root: &str,
    scopes: &[(String, String, i32)],
    path: &str,
    option: &str,
    sink: &mut Sink,
) -> Option<String> {
    let mut segments = path.split('/');
    let first = segments.next()?;
    let mut cur = root.to_string();
    let mut rest: Vec<&str> = segments.collect();
    match scopes.iter().rev().find(|(v, _, _)| v == first) {
        Some((_, t, _)) => cur = t.clone(),
        None => rest.insert(0, first),
    }
    for seg in rest {
        if seg == "$count" {
            return None;
        }
        if seg.contains('.') {
            if model.types.contains_key(seg) {
                cur = seg.to_string();
                continue;
            }
            return None;
        }
        let prop = model
            .chain(&cur)
            .into_iter()
            .find_map(|t| t.properties.iter().find(|p| p.name.eq_ignore_ascii_case(seg)))
            .or_else(|| model.derived_property(&cur, seg).map(|(_, p)| p));
        match prop {
            Some(p) => cur = p.ty.name.clone(),
            None => {
                let names = model.property_names(&cur).unwrap_or_default();
                let hint = crate::path::suggest(names.into_iter(), seg);
                sink.push(
                    FindingKind::UnknownFilterProperty,
                    Place::Query,
                    option,
                    Some(&cur),
                    Some(seg),
                    format!("{option} names \"{seg}\", which is not a property of {cur}{hint}"),
                );
                return None;
            }
        }
    }
    model.structured(&cur).map(|t| t.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_operators_are_not_paths() {
        let t = tokenize("id eq 'O''Brien' and x ge 2025-01-01T00:00:00Z").expect("tokens");
        let idents: Vec<_> = t
            .iter()
            .filter_map(|t| match t {
                Token::Ident(w) => Some(w.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(idents, vec!["id", "eq", "and", "x", "ge"]);
        assert!(tokenize("id eq 'open").is_err());
    }
}
