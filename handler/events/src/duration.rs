//! ISO 8601 durations as entitlement management writes them: `PT8H`, `P1D`, `P1DT2H30M`,
//! `P2W`, `PT0.5H`. Only weeks, days, hours, minutes and seconds have a fixed length, so
//! years and months are refused rather than guessed.
//!
//! Entitlement management documents its schedule and callback timeouts as ISO 8601
//! durations: <https://learn.microsoft.com/graph/api/resources/expirationpattern> and
//! <https://learn.microsoft.com/graph/api/resources/customextensioncallbackconfiguration>.

use chrono::Duration;

/// The length of `P[nW][nD][T[nH][nM][nS]]` (fractions allowed, units in that order);
/// `None` for years, months or anything malformed.
pub fn parse(text: &str) -> Option<Duration> {
    let rest = text.trim().strip_prefix(['P', 'p'])?;
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut millis = 0f64;
    let mut any = false;
    for (part, units) in [
        (date, &[('W', 604_800_000.0), ('D', 86_400_000.0)][..]),
        (
            time.unwrap_or(""),
            &[('H', 3_600_000.0), ('M', 60_000.0), ('S', 1_000.0)][..],
        ),
    ] {
        let mut number = String::new();
        let mut next_unit = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let c = c.to_ascii_uppercase();
            let position = units[next_unit..].iter().position(|(u, _)| *u == c)?;
            next_unit += position + 1;
            let value: f64 = number.parse().ok()?;
            millis += value * units[next_unit - 1].1;
            number.clear();
            any = true;
        }
        if !number.is_empty() {
            return None;
        }
    }
    (any && millis.is_finite() && millis < i64::MAX as f64 / 2.0).then(|| Duration::milliseconds(millis.round() as i64))
}

/// Whether two durations have the same length (`P1D` and `PT24H` do); texts are compared
/// when either cannot be read.
pub fn same_length(a: &str, b: &str) -> bool {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.trim().eq_ignore_ascii_case(b.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_days_hours_minutes_and_seconds_are_read() {
        assert_eq!(parse("PT8H"), Some(Duration::hours(8)));
        assert_eq!(parse("P1DT2H30M"), Some(Duration::minutes(24 * 60 + 150)));
        assert_eq!(parse("P2W"), Some(Duration::days(14)));
        assert_eq!(parse("PT0.5H"), Some(Duration::minutes(30)));
        assert_eq!(parse("PT5M30S"), Some(Duration::seconds(330)));
        assert_eq!(parse("PT1.5H"), Some(Duration::minutes(90)));
    }

    #[test]
    fn years_months_and_malformed_texts_are_refused() {
        for text in [
            "", "P", "PT", "8H", "P1M", "P1Y", "PT8", "PT8H8H", "PTH", "PT1M1H", "PTxH", "P1e400D",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn lengths_compare_across_spellings() {
        assert!(same_length("P1D", "PT24H"));
        assert!(!same_length("P1D", "PT23H"));
        assert!(same_length("odd", "ODD"));
        assert!(same_length("P1D", "PT24H"));
        assert!(!same_length("PT1H", "PT2H"));
        assert_eq!(parse("P1DT30M"), Some(Duration::seconds(86_400 + 1800)));
    }
}
