//! The string formats of OData's primitive types in JSON: `Edm.Guid`, `Edm.DateTimeOffset`,
//! `Edm.Date`, `Edm.TimeOfDay` and `Edm.Duration` (a day-time duration such as `PT8H` or `P14D`).

/// `Ok` when `s` is in the format of `Edm.{edm}`, else why not.
pub(crate) fn check(edm: &str, s: &str) -> Result<(), &'static str> {
    let ok = match edm {
        "Guid" => guid(s),
        "DateTimeOffset" => date_time(s),
        "Date" => date(s),
        "TimeOfDay" => time(s),
        "Duration" => duration(s),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(match edm {
            "Guid" => "is not a GUID (8-4-4-4-12 hex digits)",
            "DateTimeOffset" => "is not a date-time with an offset (2025-07-20T10:00:00Z)",
            "Date" => "is not a date (2025-07-20)",
            "TimeOfDay" => "is not a time of day (10:00:00)",
            _ => "is not an ISO 8601 day-time duration (PT8H, P14D)",
        })
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn date(s: &str) -> bool {
    let p: Vec<&str> = s.split('-').collect();
    p.len() == 3 && digits(p[0], 4) && digits(p[1], 2) && digits(p[2], 2)
}

fn time(s: &str) -> bool {
    let (main, frac) = match s.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (s, None),
    };
    let p: Vec<&str> = main.split(':').collect();
    (p.len() == 2 || p.len() == 3)
        && p.iter().all(|x| digits(x, 2))
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

fn date_time(s: &str) -> bool {
    let Some((d, rest)) = s.split_once(['T', 't']) else {
        return false;
    };
    if !date(d) {
        return false;
    }
    let (t, zone_ok) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, true)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let zone = &rest[i + 1..];
        (&rest[..i], zone.len() == 5 && time(zone))
    } else {
        (rest, false)
    };
    zone_ok && time(t)
}

fn duration(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let days_ok = days.is_empty() || (days.ends_with('D') && number(&days[..days.len() - 1], false));
    let time_ok = time.is_none_or(|t| !t.is_empty() && units(t, &['H', 'M', 'S']));
    days_ok && time_ok && !(days.is_empty() && time.is_none())
}

/// `8H30M15.5S`: numbers each followed by the next of `order`.
fn units(mut t: &str, order: &[char]) -> bool {
    let mut allowed = order;
    while !t.is_empty() {
        let Some(i) = t.find(|c: char| c.is_ascii_alphabetic()) else {
            return false;
        };
        let (n, unit) = (&t[..i], t[i..].chars().next().unwrap_or(' '));
        let Some(pos) = allowed.iter().position(|u| *u == unit) else {
            return false;
        };
        if !number(n, unit == 'S') {
            return false;
        }
        allowed = &allowed[pos + 1..];
        t = &t[i + 1..];
    }
    true
}

fn number(n: &str, fraction: bool) -> bool {
    let (whole, frac) = match n.split_once('.') {
        Some((w, f)) if fraction => (w, Some(f)),
        Some(_) => return false,
        None => (n, None),
    };
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_and_bad_values_of_each_format() {
        assert!(check("Guid", "87d349ed-44d7-43e1-9a83-5f2406dee5bd").is_ok());
        assert!(check("Guid", "i-1").is_err());
        assert!(check("DateTimeOffset", "2025-07-20T10:00:00.000Z").is_ok());
        assert!(check("DateTimeOffset", "2025-07-20T10:00:00+02:00").is_ok());
        assert!(check("DateTimeOffset", "2025-07-20").is_err());
        assert!(check("Date", "2025-07-20").is_ok());
        for good in ["PT8H", "P14D", "PT1H30M", "P1DT2.5S", "-PT5M"] {
            assert!(check("Duration", good).is_ok(), "{good}");
        }
        for bad in ["P", "PT", "8H", "PT8X", "P1Y", "PT1M1H"] {
            assert!(check("Duration", bad).is_err(), "{bad}");
        }
    }
}
