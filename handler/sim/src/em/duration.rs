//! ISO 8601 durations as EM writes them (`PT1H`, `P14D`, `PT5M30S`): days, hours, minutes, seconds.

use std::time::Duration;

/// Formats a duration as `P{d}DT{h}H{m}M{s}S`, leaving out zero parts (`PT0S` for zero).
pub(crate) fn to_iso8601(d: Duration) -> String {
    let mut secs = d.as_secs();
    let days = secs / 86_400;
    secs %= 86_400;
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if h > 0 || m > 0 || s > 0 || days == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || (h == 0 && m == 0) {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_in_em_spelling() {
        for (text, secs) in [
            ("PT1H", 3600),
            ("P14D", 14 * 86_400),
            ("PT5M30S", 330),
            ("P1DT2H", 93_600),
        ] {
            assert_eq!(to_iso8601(Duration::from_secs(secs)), text);
        }
        assert_eq!(to_iso8601(Duration::ZERO), "PT0S");
    }
}
