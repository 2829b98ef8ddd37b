//! App settings: `%NAME%` expansion and .NET `TimeSpan` values.

use std::collections::BTreeMap;
use std::time::Duration;

/// App settings the host exposes to bindings (`%NAME%`) and to the handler's environment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    values: BTreeMap<String, String>,
    use_process_env: bool,
}

impl Settings {
    /// Settings from explicit values only.
    pub fn new() -> Self {
        Settings::default()
    }

    /// Explicit values, falling back to the process environment like the real host
    /// (where app settings are environment variables).
    pub fn with_process_env(mut self) -> Self {
        self.use_process_env = true;
        self
    }

    /// Add or replace a setting.
    pub fn set(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Look a setting up.
    pub fn get(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned().or_else(|| {
            if self.use_process_env {
                std::env::var(name).ok()
            } else {
                None
            }
        })
    }

    /// The explicit values (passed to a spawned handler's environment).
    pub fn explicit(&self) -> &BTreeMap<String, String> {
        &self.values
    }

    /// Replace every `%NAME%` in `text` by the setting's value. `%%` is kept as is.
    pub fn expand(&self, text: &str) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find('%') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let Some(end) = after.find('%') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = &after[..end];
            if name.is_empty() {
                out.push_str("%%");
            } else {
                let value = self
                    .get(name)
                    .ok_or_else(|| format!("app setting '{name}' (from %{name}%) is not set"))?;
                out.push_str(&value);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Settings {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        Settings {
            values: iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
            use_process_env: false,
        }
    }
}

/// Parse a .NET `TimeSpan` as host.json writes it: `hh:mm:ss`, `d.hh:mm:ss`, optional
/// `.fffffff` fraction. `-1` (and any negative value) means "unbounded" and yields `None`.
pub fn parse_timespan(text: &str) -> Result<Option<Duration>, String> {
    let text = text.trim();
    if text.starts_with('-') {
        return Ok(None);
    }
    let bad = || format!("'{text}' is not a TimeSpan like 00:05:00");
    let (days, clock) = match text.split_once(':') {
        Some((head, _)) if head.contains('.') => {
            let (d, _) = head.split_once('.').ok_or_else(bad)?;
            (d.parse::<u64>().map_err(|_| bad())?, &text[d.len() + 1..])
        }
        Some(_) => (0, text),
        None => return Err(bad()),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.len() != 3 {
        return Err(bad());
    }
    let hours: u64 = parts[0].parse().map_err(|_| bad())?;
    let minutes: u64 = parts[1].parse().map_err(|_| bad())?;
    let seconds: f64 = parts[2].parse().map_err(|_| bad())?;
    if minutes > 59 || !(0.0..60.0).contains(&seconds) {
        return Err(bad());
    }
    let whole = (days * 24 + hours) * 3600 + minutes * 60;
    Ok(Some(Duration::from_secs(whole) + Duration::from_secs_f64(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_names_are_replaced_from_settings() {
        let s = Settings::new().set("QUEUE", "events");
        assert_eq!(s.expand("%QUEUE%-in").unwrap(), "events-in");
        assert_eq!(s.expand("plain").unwrap(), "plain");
        assert!(s.expand("%MISSING%").unwrap_err().contains("MISSING"));
    }

    #[test]
    fn timespans_parse_like_dotnet() {
        assert_eq!(parse_timespan("00:05:00").unwrap(), Some(Duration::from_secs(300)));
        assert_eq!(
            parse_timespan("1.02:00:00").unwrap(),
            Some(Duration::from_secs(26 * 3600))
        );
        assert_eq!(parse_timespan("00:00:00.5").unwrap(), Some(Duration::from_millis(500)));
        assert_eq!(parse_timespan("-1").unwrap(), None);
        assert!(parse_timespan("five minutes").is_err());
    }
}
