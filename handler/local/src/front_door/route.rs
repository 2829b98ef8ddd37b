//! Route templates (`items/{id}`, `{id:int}`, `{name?}`, `{*rest}`) and matching.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Param {
        name: String,
        constraint: Option<String>,
        optional: bool,
        catch_all: bool,
    },
}

/// A parsed route template.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTemplate {
    segments: Vec<Segment>,
}

impl RouteTemplate {
    /// Parse a template (without the route prefix).
    pub fn parse(template: &str) -> Result<Self, String> {
        let mut segments = Vec::new();
        for part in template.trim_matches('/').split('/').filter(|s| !s.is_empty()) {
            if let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                let (inner, catch_all) = match inner.strip_prefix('*') {
                    Some(rest) => (rest, true),
                    None => (inner, false),
                };
                let (inner, optional) = match inner.strip_suffix('?') {
                    Some(rest) => (rest, true),
                    None => (inner, false),
                };
                let (name, constraint) = match inner.split_once(':') {
                    Some((n, c)) => (n, Some(c.to_ascii_lowercase())),
                    None => (inner, None),
                };
                if name.is_empty() || name.contains(['{', '}']) {
                    return Err(format!("bad route parameter '{part}'"));
                }
                segments.push(Segment::Param {
                    name: name.to_owned(),
                    constraint,
                    optional,
                    catch_all,
                });
            } else if part.contains(['{', '}']) {
                return Err(format!(
                    "route segment '{part}' mixes text and parameters (not supported locally)"
                ));
            } else {
                segments.push(Segment::Literal(part.to_ascii_lowercase()));
            }
        }
        Ok(RouteTemplate { segments })
    }

    /// Literal segments count: more specific routes are tried first.
    pub fn specificity(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }

    /// Match decoded path segments; returns the route parameters.
    pub fn matches(&self, path: &[String]) -> Option<BTreeMap<String, String>> {
        let mut params = BTreeMap::new();
        let mut i = 0;
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => {
                    if !path.get(i).is_some_and(|p| p.eq_ignore_ascii_case(text)) {
                        return None;
                    }
                    i += 1;
                }
                Segment::Param {
                    name, catch_all: true, ..
                } => {
                    let rest = path[i.min(path.len())..].join("/");
                    params.insert(name.clone(), rest);
                    i = path.len();
                }
                Segment::Param {
                    name,
                    constraint,
                    optional,
                    ..
                } => match path.get(i) {
                    Some(value) => {
                        if !satisfies(constraint.as_deref(), value) {
                            return None;
                        }
                        params.insert(name.clone(), value.clone());
                        i += 1;
                    }
                    None if *optional => {}
                    None => return None,
                },
            }
        }
        (i == path.len()).then_some(params)
    }
}

fn satisfies(constraint: Option<&str>, value: &str) -> bool {
    let digits = |v: &str| {
        let v = v.strip_prefix('-').unwrap_or(v);
        !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
    };
    match constraint {
        Some("int") => digits(value) && value.parse::<i32>().is_ok(),
        Some("long") => digits(value) && value.parse::<i64>().is_ok(),
        Some("alpha") => !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphabetic()),
        Some("bool") => value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false"),
        Some("guid") => uuid::Uuid::parse_str(value).is_ok(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('/').filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }

    #[test]
    fn parameters_constraints_optionals_and_catch_alls_match() {
        let t = RouteTemplate::parse("items/{tenant}/{id:int}").unwrap();
        let p = t.matches(&path("Items/contoso/42")).unwrap();
        assert_eq!(p["tenant"], "contoso");
        assert_eq!(p["id"], "42");
        assert!(t.matches(&path("items/contoso/x")).is_none());
        assert!(t.matches(&path("items/contoso")).is_none());
        let t = RouteTemplate::parse("files/{name?}").unwrap();
        assert!(t.matches(&path("files")).unwrap().is_empty());
        let t = RouteTemplate::parse("blob/{*rest}").unwrap();
        assert_eq!(t.matches(&path("blob/a/b/c")).unwrap()["rest"], "a/b/c");
    }
}
