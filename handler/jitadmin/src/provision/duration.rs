//! ISO 8601 durations as entitlement management writes them (`PT1H`, `P1D`, `PT5M30S`), compared by
//! length so `P1D` and `PT24H` are the same timeout.

/// Seconds of `P[nW][nD][T[nH][nM][nS]]`; `None` if it is not that form (years and months are refused).
pub(crate) fn seconds(text: &str) -> Option<u64> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total = 0u64;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let (_, factor) = units.iter().find(|(u, _)| u.eq_ignore_ascii_case(&c))?;
            total = total.checked_add(num.parse::<u64>().ok()?.checked_mul(*factor)?)?;
            num.clear();
            any = true;
        }
        num.is_empty().then_some(())
    };
    take(date, &[('W', 604_800), ('D', 86_400)])?;
    if let Some(t) = time {
        if t.is_empty() {
            return None;
        }
        take(t, &[('H', 3600), ('M', 60), ('S', 1)])?;
    }
    any.then_some(total)
}

/// Whether two durations are the same length (texts compared when either is unreadable).
pub(crate) fn same(a: &str, b: &str) -> bool {
    match (seconds(a), seconds(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.eq_ignore_ascii_case(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_compared_by_length() {
        assert_eq!(seconds("PT1H"), Some(3600));
        assert_eq!(seconds("P1DT30M"), Some(86_400 + 1800));
        assert!(same("P1D", "PT24H"));
        assert!(!same("PT1H", "PT2H"));
        assert_eq!(seconds("P1Y"), None);
        assert_eq!(seconds("PT"), None);
        assert_eq!(seconds("1H"), None);
    }
}
