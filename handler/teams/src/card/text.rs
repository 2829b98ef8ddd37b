//! Text that goes on a card: user strings made inert and bounded, times in one format.
//!
//! Markdown: text from users (names, justification, answers, device names, reasons, the
//! rule explanation) only ever goes into `TextRun`s, which Adaptive Cards never treat as
//! Markdown, so `**`, `[link](…)` or list markers show as typed. `TextBlock`s (which do
//! process Markdown) hold only our own fixed words and formatted times. TextRuns still
//! expand `{{DATE(…)}}`/`{{TIME(…)}}` macros in the official renderer, so [`inert`] breaks
//! `{{` with a zero-width space. Control characters other than line feeds become spaces,
//! and each string is cut to a length that keeps the card well under Teams' message size.

use chrono::{DateTime, Utc};

/// Longest name, UPN, department, device name (characters).
pub const NAME_MAX: usize = 200;
/// Longest justification, answer, explanation (characters).
pub const LONG_MAX: usize = 1000;
/// Longest history line, reason, state message (characters).
pub const LINE_MAX: usize = 500;

const ZERO_WIDTH_SPACE: char = '\u{200B}';

/// `s` made safe to show in a `TextRun`: control characters replaced, `{{` broken, trimmed,
/// cut to `max` characters (with `…`).
pub fn inert(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4));
    let mut prev = '\0';
    for c in s.trim().chars() {
        let c = match c {
            '\n' => '\n',
            c if c.is_control() => ' ',
            c => c,
        };
        if c == '{' && prev == '{' {
            out.push(ZERO_WIDTH_SPACE);
        }
        out.push(c);
        prev = c;
    }
    truncate(&out, max)
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some(_) => {
            let cut: String = s.chars().take(max.saturating_sub(1)).collect();
            format!("{}…", cut.trim_end())
        }
    }
}

/// A time as the cards show it: `2026-11-28 09:30 UTC`.
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_kept_as_typed_and_macros_are_broken() {
        assert_eq!(inert("**bold** [x](https://e.vil)", 100), "**bold** [x](https://e.vil)");
        assert_eq!(
            inert("{{DATE(2026-01-01T00:00:00Z)}}", 100),
            "{\u{200B}{DATE(2026-01-01T00:00:00Z)}}"
        );
        assert_eq!(inert("{{{", 100), "{\u{200B}{\u{200B}{");
    }

    #[test]
    fn control_characters_become_spaces_and_line_feeds_stay() {
        assert_eq!(inert(" a\u{0}b\r\nc\t ", 100), "a b \nc");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(inert("abcdef", 6), "abcdef");
        assert_eq!(inert("abcdefg", 6), "abcde…");
        assert_eq!(inert("ééééééé", 3), "éé…");
    }

    #[test]
    fn times_are_utc_to_the_minute() {
        let at = DateTime::parse_from_rfc3339("2026-11-28T09:30:59Z").unwrap().to_utc();
        assert_eq!(when(at), "2026-11-28 09:30 UTC");
    }
}
