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

/// Parses `P[nD][T[nH][nM][nS]]` (whole numbers; weeks, months and years are refused).
pub(crate) fn parse_iso8601(text: &str) -> Option<Duration> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut secs = 0u64;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let (_, mult) = units.iter().find(|(u, _)| *u == c.to_ascii_uppercase())?;
            secs = secs.checked_add(num.parse::<u64>().ok()?.checked_mul(*mult)?)?;
            num.clear();
            any = true;
        }
        num.is_empty().then_some(())
    };
    take(date, &[('D', 86_400)])?;
    if let Some(t) = time {
        if t.is_empty() {
            return None;
        }
        take(t, &[('H', 3600), ('M', 60), ('S', 1)])?;
    }
    any.then_some(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_trip_in_em_spelling() {
        for (text, secs) in [
            ("PT1H", 3600),
            ("P14D", 14 * 86_400),
            ("PT5M30S", 330),
            ("P1DT2H", 93_600),
        ] {
            assert_eq!(to_iso8601(Duration::from_secs(secs)), text);
            assert_eq!(parse_iso8601(text), Some(Duration::from_secs(secs)), "{text}");
        }
        assert_eq!(to_iso8601(Duration::ZERO), "PT0S");
    }

    #[test]
    fn malformed_durations_are_refused() {
        for text in ["", "P", "PT", "1H", "P1W", "PT1X", "PT5"] {
            assert_eq!(parse_iso8601(text), None, "{text}");
        }
    }
}
