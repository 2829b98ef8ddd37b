//! Text that goes on a card: user strings made inert and bounded, times in one format.
//!
//! Markdown: text from users (names, justification, answers, device names, reasons, the
//! rule explanation) only ever goes into `TextRun`s, which Adaptive Cards never treat as
//! Markdown, so `**`, `[link](…)` or list markers show as typed. `TextBlock`s (which do
//! process Markdown) hold only our own fixed words and formatted times. TextRuns still
//! expand `{{DATE(…)}}`/`{{TIME(…)}}` macros in the official renderer, so [`inert`] breaks
//! `{{` with a zero-width space. A requestor could otherwise draw fake blocks on the card
//! ("Manager pre-approved ✅" on a line of its own): line feeds, line and paragraph separators
//! and every other control character fold into one space; bidi marks, embeddings, overrides
//! and isolates (no name reading backwards) and zero-width characters are dropped; each string
//! is cut to a length that keeps the card well under Teams' message size.

use chrono::{DateTime, Utc};

/// How much user text a card shows (characters, list entries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Names, UPN, department, device names and OS, ids.
    pub name: usize,
    /// Justification, answers, explanation.
    pub long: usize,
    /// Questions, history lines, reasons, state messages.
    pub line: usize,
    /// Answers, devices and history lines listed; the rest are counted.
    pub list: usize,
}

impl Limits {
    /// What a card shows normally.
    pub const FULL: Limits = Limits {
        name: 200,
        long: 1000,
        line: 500,
        list: 10,
    };
    /// What a card shows when the full one would not fit a Teams message: at most about
    /// 2,800 characters of user text, under 20 KB of JSON even with 4-byte characters.
    pub const COMPACT: Limits = Limits {
        name: 60,
        long: 200,
        line: 100,
        list: 3,
    };
}

/// The largest card JSON (bytes) rendered with [`Limits::FULL`]; larger ones are rendered
/// with [`Limits::COMPACT`]. Teams refuses messages over about 28 KB, and the activity
/// around the card needs room too.
pub const CARD_BUDGET_BYTES: usize = 24_000;

const ZERO_WIDTH_SPACE: char = '\u{200B}';

/// `s` made safe to show in a `TextRun`: control characters replaced, `{{` broken, trimmed,
/// cut to `max` characters (with `…`).
pub fn inert(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4));
    let mut prev = ' ';
    for c in s.chars() {
        let c = match c {
            // Line breaks of every kind, and other controls: one space.
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => ' ',
            // Bidi marks, embeddings, overrides and isolates could make a name read backwards.
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => continue,
            // Zero-width characters hide text or join fake words.
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => continue,
            c => c,
        };
        if c.is_whitespace() && prev.is_whitespace() {
            continue;
        }
        if c == '{' && prev == '{' {
            out.push(ZERO_WIDTH_SPACE);
        }
        out.push(c);
        prev = c;
    }
    truncate(out.trim_end(), max)
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
    fn line_breaks_and_control_characters_fold_into_one_space() {
        assert_eq!(inert(" a\u{0}b\r\nc\t ", 100), "a b c");
        assert_eq!(
            inert("ok\u{2028}\u{2028}Manager pre-approved ✅\u{2029}Risk: low", 100),
            "ok Manager pre-approved ✅ Risk: low"
        );
    }

    #[test]
    fn bidi_marks_and_zero_width_characters_are_dropped() {
        assert_eq!(
            inert("a\u{200E}b\u{200F}c\u{200B}d\u{200D}e\u{FEFF}f\u{2060}g", 100),
            "abcdefg"
        );
        // The zero-width space jitadmin puts between braces is its own, not the input's.
        assert_eq!(inert("{\u{200B}{x}}", 100), "{\u{200B}{x}}");
    }

    #[test]
    fn bidi_overrides_are_dropped() {
        assert_eq!(inert("Alex\u{202E}exe.txt\u{2066}x\u{2069}", 100), "Alexexe.txtx");
        assert_eq!(inert("שלום Alex", 100), "שלום Alex");
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
