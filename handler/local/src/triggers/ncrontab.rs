//! Timer schedules: six-field NCRONTAB (`{second} {minute} {hour} {day} {month}
//! {day-of-week}`) or a `TimeSpan` interval.
//!
//! The `cron` crate has the same field order (plus an optional year) but numbers days
//! of the week 1–7 from Sunday, where NCRONTAB numbers them 0–6 from Sunday; numeric
//! days of the week are shifted by one before parsing (names are the same in both).

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::app::parse_timespan;

/// A parsed timer schedule.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// An NCRONTAB expression.
    Cron(Box<cron::Schedule>),
    /// A fixed interval (`hh:mm:ss`).
    Every(Duration),
}

impl Schedule {
    /// Parse a six-field NCRONTAB expression or a `TimeSpan`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() == 1 && text.contains(':') {
            return match parse_timespan(text)? {
                Some(d) if !d.is_zero() => Ok(Schedule::Every(d)),
                _ => Err("an interval schedule must be positive".into()),
            };
        }
        if fields.len() != 6 {
            return Err(format!(
                "expected six NCRONTAB fields {{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}, got {}",
                fields.len()
            ));
        }
        let day_of_week = shift_days_of_week(fields[5])?;
        let expression = format!(
            "{} {} {} {} {} {}",
            fields[0], fields[1], fields[2], fields[3], fields[4], day_of_week
        );
        cron::Schedule::from_str(&expression)
            .map(|s| Schedule::Cron(Box::new(s)))
            .map_err(|e| e.to_string())
    }

    /// The first occurrence strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Cron(s) => s.after(&after).next(),
            Schedule::Every(d) => chrono::Duration::from_std(*d).ok().map(|d| after + d),
        }
    }
}

/// NCRONTAB 0–6 (0 = Sunday; 7 accepted as Sunday) → cron 1–7 (1 = Sunday).
fn shift_days_of_week(field: &str) -> Result<String, String> {
    let shift = |n: &str| -> Result<String, String> {
        match n.parse::<u8>() {
            Ok(d @ 0..=6) => Ok((d + 1).to_string()),
            Ok(7) => Ok("1".into()),
            Ok(d) => Err(format!("day of week {d} is out of range 0-6")),
            Err(_) => Ok(n.to_owned()),
        }
    };
    field
        .split(',')
        .map(|item| {
            let (range, step) = match item.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (item, None),
            };
            let range = match range.split_once('-') {
                Some((a, b)) => format!("{}-{}", shift(a)?, shift(b)?),
                None => shift(range)?,
            };
            Ok(match step {
                Some(s) => format!("{range}/{s}"),
                None => range,
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map(|items| items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Weekday};

    #[test]
    fn zero_is_sunday_as_in_ncrontab() {
        let s = Schedule::parse("0 0 9 * * 0").unwrap();
        let monday = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap();
        assert_eq!(s.next_after(monday).unwrap().weekday(), Weekday::Sun);
        let weekdays = Schedule::parse("0 30 9 * * 1-5").unwrap();
        let saturday = Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap();
        assert_eq!(
            weekdays.next_after(saturday).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 12, 9, 30, 0).unwrap()
        );
        assert!(Schedule::parse("0 0 9 * * Sat").is_ok());
    }

    #[test]
    fn seconds_come_first() {
        let s = Schedule::parse("*/2 * * * * *").unwrap();
        let t = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 1).unwrap();
        assert_eq!(
            s.next_after(t).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 2).unwrap()
        );
    }

    #[test]
    fn five_fields_and_bad_days_are_rejected_and_intervals_accepted() {
        assert!(Schedule::parse("*/5 * * * *").unwrap_err().contains("six"));
        assert!(Schedule::parse("0 0 0 * * 9").is_err());
        assert!(matches!(Schedule::parse("00:00:01").unwrap(), Schedule::Every(d) if d == Duration::from_secs(1)));
    }
}
