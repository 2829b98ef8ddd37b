//! Where each character of a decoded TOML string sits in the file, so that a
//! position inside a CEL expression becomes a position in `rules.toml`.

/// For a TOML string value written at `raw` (its quotes included), the byte
/// offset in `raw` of every character of the decoded string, plus one entry
/// for the end. Escapes (`\\`, `\n`, `\u00e9`, a line-ending backslash) map
/// to where they start.
pub(crate) fn char_offsets(raw: &str) -> Vec<usize> {
    let (body_start, body_end, basic) = match delimiters(raw) {
        Some(d) => d,
        None => return (0..=raw.chars().count()).collect(),
    };
    let mut start = body_start;
    let multiline = body_start == 3;
    if multiline {
        // A newline right after the opening delimiter is trimmed.
        if raw[start..].starts_with("\r\n") {
            start += 2;
        } else if raw[start..].starts_with('\n') {
            start += 1;
        }
    }
    let body = &raw[start..body_end.max(start)];
    let mut out = Vec::with_capacity(body.len() + 1);
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !(basic && c == '\\') {
            out.push(start + i);
            continue;
        }
        match chars.peek().map(|&(_, n)| n) {
            Some('u') => skip_then_push(&mut chars, &mut out, start + i, 5),
            Some('U') => skip_then_push(&mut chars, &mut out, start + i, 9),
            Some('x') => skip_then_push(&mut chars, &mut out, start + i, 3),
            Some(n) if multiline && (n == '\n' || n == '\r' || n == ' ' || n == '\t') => {
                // Line-ending backslash: drop all whitespace up to the next character.
                while chars.peek().is_some_and(|&(_, n)| n.is_whitespace()) {
                    chars.next();
                }
            }
            Some(_) => skip_then_push(&mut chars, &mut out, start + i, 1),
            None => out.push(start + i),
        }
    }
    out.push(body_end);
    out
}

fn skip_then_push(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    out: &mut Vec<usize>,
    at: usize,
    n: usize,
) {
    for _ in 0..n {
        chars.next();
    }
    out.push(at);
}

/// (start of body, end of body, is a basic string) for a quoted TOML string.
fn delimiters(raw: &str) -> Option<(usize, usize, bool)> {
    for (delim, basic) in [("\"\"\"", true), ("'''", false), ("\"", true), ("'", false)] {
        if raw.len() >= 2 * delim.len() && raw.starts_with(delim) && raw.ends_with(delim) {
            return Some((delim.len(), raw.len() - delim.len(), basic));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_strings_map_one_to_one_after_the_quote() {
        assert_eq!(char_offsets("'a.b'"), vec![1, 2, 3, 4]);
    }

    #[test]
    fn escapes_in_basic_strings_map_to_their_backslash() {
        // "a\\b\u00e9c" decodes to a \ b é c
        let offs = char_offsets(r#""a\\b\u00e9c""#);
        assert_eq!(offs, vec![1, 2, 4, 5, 11, 12]);
    }

    #[test]
    fn multiline_strings_skip_the_first_newline() {
        let offs = char_offsets("'''\nab\nc'''");
        assert_eq!(offs, vec![4, 5, 6, 7, 8]);
    }
}
