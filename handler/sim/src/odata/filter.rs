//! The OData system query options entitlement management and provisioning read: `$expand`
//! (which navigation properties to inline) and the small `$filter` dialect jitadmin sends
//! (`a/b eq 'v' and c eq 'w'`).

use crate::odata::errors::GraphError;

/// Which navigation properties to expand (names lower-cased, nested options dropped).
pub(crate) fn expands(raw: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k.trim_start_matches('$').eq_ignore_ascii_case("expand") {
            let mut depth = 0;
            let mut cur = String::new();
            for c in v.chars() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    ',' if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_ascii_lowercase()),
                    _ if depth == 0 => cur.push(c),
                    _ => {}
                }
            }
            out.push(cur.trim().to_ascii_lowercase());
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// `path eq 'value'` clauses joined by `and`: `(path lower-cased, value)`. Anything else is 400.
pub(crate) fn filter_clauses(raw: Option<&str>) -> Result<Vec<(String, String)>, GraphError> {
    let filter = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case("filter"))
        .map(|(_, v)| v.into_owned());
    let Some(filter) = filter else {
        return Ok(Vec::new());
    };
    let invalid = || GraphError::bad_request(format!("Invalid filter clause: '{filter}'."));
    let mut out = Vec::new();
    let mut rest = filter.trim();
    while !rest.is_empty() {
        let (path, after) = rest.split_once(' ').ok_or_else(invalid)?;
        let after = after.trim_start();
        let after = after
            .strip_prefix("eq ")
            .or_else(|| after.strip_prefix("EQ "))
            .ok_or_else(invalid)?
            .trim_start();
        let after = after.strip_prefix('\'').ok_or_else(invalid)?;
        // A quote is escaped by doubling it.
        let mut value = String::new();
        let mut chars = after.char_indices().peekable();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                    value.push('\'');
                    continue;
                }
                end = Some(i + 1);
                break;
            }
            value.push(c);
        }
        let end = end.ok_or_else(invalid)?;
        out.push((path.to_ascii_lowercase(), value));
        rest = after[end..].trim_start();
        if !rest.is_empty() {
            rest = rest
                .strip_prefix("and ")
                .or_else(|| rest.strip_prefix("AND "))
                .ok_or_else(invalid)?
                .trim_start();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_clauses_read_what_jitadmin_sends() {
        let raw = "%24filter=accessPackage%2Fid%20eq%20%27ap%27%27s%27%20and%20target%2FobjectId%20eq%20%27u1%27&%24expand=target";
        assert_eq!(
            filter_clauses(Some(raw)).unwrap(),
            vec![
                ("accesspackage/id".to_owned(), "ap's".to_owned()),
                ("target/objectid".to_owned(), "u1".to_owned())
            ]
        );
        assert_eq!(expands(Some(raw)), vec!["target".to_owned()]);
        assert!(filter_clauses(Some("$filter=state ne 'x'")).is_err());
        assert!(filter_clauses(Some("$filter=state eq 'x")).is_err());
    }

    #[test]
    fn nested_expand_options_are_dropped() {
        assert_eq!(
            expands(Some("$expand=requestor,assignment($expand=target),accessPackage")),
            vec!["requestor", "assignment", "accesspackage"]
        );
    }
}
