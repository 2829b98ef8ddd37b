//! Values from unauthenticated or untrusted input, made fit for a log line: control
//! characters (a line feed would forge a line) escaped, and cut short (a 2 MiB value would
//! flood the log).

/// `value` escaped (`\n`, `\u{202e}`, quotes) and cut to `max` characters.
pub fn untrusted(value: &str, max: usize) -> String {
    let mut out: String = value.chars().take(max).flat_map(char::escape_debug).collect();
    if value.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::untrusted;

    #[test]
    fn line_breaks_are_escaped_and_long_values_cut() {
        assert_eq!(untrusted("msteams\nERROR forged", 100), "msteams\\nERROR forged");
        assert_eq!(untrusted(&"x".repeat(2 << 20), 10), format!("{}…", "x".repeat(10)));
        assert_eq!(untrusted("a\u{202e}b", 10), "a\\u{202e}b");
    }
}
