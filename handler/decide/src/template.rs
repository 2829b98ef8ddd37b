//! Reasons with `{placeholders}`: fact paths filled in when deciding.

use crate::facts_value::{display, lookup};
use crate::schema::{FactsSchema, Ty};
use cel::Context;

/// A reason text with `{fact.path}` placeholders. `{{` and `}}` are literal braces.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Template {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Text(String),
    Fact(String),
}

impl Template {
    /// Parses `text`; problems are (character offset, message).
    pub(crate) fn parse(text: &str, schema: &FactsSchema) -> Result<Template, Vec<(usize, String)>> {
        let mut segments = Vec::new();
        let mut problems = Vec::new();
        let mut lit = String::new();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match (chars[i], chars.get(i + 1)) {
                ('{', Some('{')) | ('}', Some('}')) => {
                    lit.push(chars[i]);
                    i += 2;
                }
                ('{', _) => {
                    let Some(len) = chars[i + 1..].iter().position(|&c| c == '}') else {
                        problems.push((i, "unclosed `{` in reason (write `{{` for a brace)".to_string()));
                        break;
                    };
                    let path: String = chars[i + 1..i + 1 + len].iter().collect();
                    let path = path.trim().to_string();
                    match schema.path(&path) {
                        Some(Ty::Object(_) | Ty::List(_) | Ty::Map(..)) => problems.push((
                            i + 1,
                            format!("placeholder `{{{path}}}` is not a single value (string, number, time)"),
                        )),
                        Some(_) => {
                            if !lit.is_empty() {
                                segments.push(Segment::Text(std::mem::take(&mut lit)));
                            }
                            segments.push(Segment::Fact(path));
                        }
                        None => problems.push((i + 1, format!("unknown fact `{path}` in reason placeholder"))),
                    }
                    i += len + 2;
                }
                (c, _) => {
                    lit.push(c);
                    i += 1;
                }
            }
        }
        if !lit.is_empty() {
            segments.push(Segment::Text(lit));
        }
        if problems.is_empty() {
            Ok(Template { segments })
        } else {
            Err(problems)
        }
    }

    /// A template of plain text.
    pub(crate) fn text(s: &str) -> Template {
        Template {
            segments: vec![Segment::Text(s.to_string())],
        }
    }

    /// The text with placeholders filled from the facts (`?` for an absent fact).
    pub(crate) fn render(&self, vars: &Context<'_, '_>) -> String {
        let mut out = String::new();
        for s in &self.segments {
            match s {
                Segment::Text(t) => out.push_str(t),
                Segment::Fact(p) => out.push_str(&lookup(vars, p).map_or_else(|| "?".to_string(), |v| display(&v))),
            }
        }
        out
    }

    /// The text with placeholders as written (for summaries).
    pub(crate) fn source(&self) -> String {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Text(t) => t.replace('{', "{{").replace('}', "}}"),
                Segment::Fact(p) => format!("{{{p}}}"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::FACTS_SCHEMA;

    #[test]
    fn placeholders_must_name_single_facts() {
        assert!(Template::parse("Hi {requestor.displayName}, {{literal}}", &FACTS_SCHEMA).is_ok());
        let errs = Template::parse("x {requestor.nme} {devices}", &FACTS_SCHEMA).unwrap_err();
        assert_eq!(
            errs[0],
            (3, "unknown fact `requestor.nme` in reason placeholder".to_string())
        );
        assert_eq!(errs[1].0, 19);
    }
}
