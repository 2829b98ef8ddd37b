//! The device loop's settings, in three parts: the watch on the admin groups, Intune syncs
//! on grant and removal with their check-ins, and the user's notice.

use std::time::Duration;

use jitadmin_graph::RateLimits;

use super::{invalid, list, number, Lookup};
use crate::config::ConfigError;

/// The shortest `JITADMIN_CLIENT_STATE` accepted.
pub const CLIENT_STATE_MIN_LEN: usize = 16;

/// How the user is told that their devices were asked to sync (`JITADMIN_NOTIFY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyMode {
    /// `teams`: a Teams chat where the bot can reach them, otherwise mail.
    Teams,
    /// `mail`: mail through Graph from `JITADMIN_NOTIFY_MAILBOX`.
    Mail,
    /// `none`: nobody is told (the audit trail says so).
    None,
}

/// What a drift finding leads to (`JITADMIN_DRIFT_ACTION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftAction {
    /// `report`: audit entry and log only.
    Report,
    /// `remove`: also remove the member from the group.
    Remove,
}

/// The watch on the admin groups: which groups, how drift is judged and handled, and the
/// Graph subscriptions that report their changes.
#[derive(Clone, PartialEq, Eq)]
pub struct WatchSettings {
    /// `JITADMIN_WATCH_GROUPS`: the admin groups watched for drift (object ids).
    pub groups: Vec<String>,
    /// `JITADMIN_NOTIFICATION_URL`: the public URL of `notifications` (with its `?code=` key),
    /// used as both the notification and the lifecycle URL of our subscriptions.
    pub notification_url: Option<String>,
    /// `JITADMIN_CLIENT_STATE`: the secret our subscriptions carry (never printed).
    pub client_state: Option<String>,
    /// `JITADMIN_SUBSCRIPTION_RENEW_HOURS`: renew when less than this is left.
    pub renew_before: Duration,
    /// `JITADMIN_DRIFT_ACTION`.
    pub drift_action: DriftAction,
}

impl std::fmt::Debug for WatchSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchSettings")
            .field("groups", &self.groups)
            .field("notification_url", &self.notification_url.as_ref().map(|_| "(set)"))
            .field("client_state", &self.client_state.as_ref().map(|_| "***"))
            .field("renew_before", &self.renew_before)
            .field("drift_action", &self.drift_action)
            .finish()
    }
}

impl WatchSettings {
    /// Whether group watching is configured (groups, a URL and a clientState).
    pub fn watching(&self) -> bool {
        !self.groups.is_empty() && self.notification_url.is_some() && self.client_state.is_some()
    }

    /// The admin group, when exactly one is watched (what `provision` and `doctor` default to).
    pub fn only_group(&self) -> Option<&str> {
        match self.groups.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }
}

/// Intune syncs on grant and removal, and their check-ins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    /// `JITADMIN_SYNC_COALESCE_MINS`: syncs of one device for one reason within this window are one.
    pub window: Duration,
    /// `JITADMIN_INTUNE_WRITES`, `JITADMIN_INTUNE_REQUESTS`, `JITADMIN_INTUNE_WINDOW_SECS`.
    pub intune_limits: RateLimits,
    /// `JITADMIN_CHECKIN_TIMEOUT_MINS`: after this, a synced device that has not checked in is reported.
    pub checkin_timeout: Duration,
}

/// How the user is told what to do after a grant or removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySettings {
    /// `JITADMIN_NOTIFY`.
    pub mode: NotifyMode,
    /// `JITADMIN_NOTIFY_MAILBOX`: the mailbox user notifications are sent from.
    pub mailbox: Option<String>,
}

pub(in crate::config) fn load(get: Lookup<'_>) -> Result<(WatchSettings, SyncSettings, NotifySettings), ConfigError> {
    let watch_groups = list(get, "JITADMIN_WATCH_GROUPS");
    let notification_url = notification_url(get)?;
    let client_state = get("JITADMIN_CLIENT_STATE");
    if let Some(state) = &client_state {
        // Never repeat the value: only its length.
        if state.len() > jitadmin_graph::subscriptions::CLIENT_STATE_MAX_LEN {
            return Err(invalid(
                "JITADMIN_CLIENT_STATE",
                format!("is {} characters; Graph accepts at most 128", state.len()),
            ));
        }
        // The only proof a notification comes from our subscription: not guessable.
        if state.chars().count() < CLIENT_STATE_MIN_LEN {
            return Err(invalid(
                "JITADMIN_CLIENT_STATE",
                format!(
                    "is {} characters; use at least {CLIENT_STATE_MIN_LEN} random ones (azd generates 32)",
                    state.chars().count()
                ),
            ));
        }
    }
    if !watch_groups.is_empty() {
        if notification_url.is_none() {
            return Err(ConfigError::Missing {
                name: "JITADMIN_NOTIFICATION_URL",
                hint: "watching groups needs the public URL of /api/notifications (with its ?code= key)",
            });
        }
        if client_state.is_none() {
            return Err(ConfigError::Missing {
                name: "JITADMIN_CLIENT_STATE",
                hint: "watching groups needs a random secret of up to 128 characters (a Key Vault reference)",
            });
        }
    }
    let notify = match get("JITADMIN_NOTIFY").map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("none") => NotifyMode::None,
        Some("mail") => NotifyMode::Mail,
        Some("teams") => NotifyMode::Teams,
        Some(other) => {
            return Err(invalid(
                "JITADMIN_NOTIFY",
                format!("{other:?} is not teams, mail or none"),
            ))
        }
    };
    let notify_mailbox = get("JITADMIN_NOTIFY_MAILBOX");
    if notify == NotifyMode::Mail && notify_mailbox.is_none() {
        return Err(ConfigError::Missing {
            name: "JITADMIN_NOTIFY_MAILBOX",
            hint: "JITADMIN_NOTIFY=mail needs the mailbox (UPN or id) to send from",
        });
    }
    let drift_action = match get("JITADMIN_DRIFT_ACTION").map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("report") => DriftAction::Report,
        Some("remove") => DriftAction::Remove,
        Some(other) => {
            return Err(invalid(
                "JITADMIN_DRIFT_ACTION",
                format!("{other:?} is not report or remove"),
            ))
        }
    };
    let watch = WatchSettings {
        groups: watch_groups,
        notification_url,
        client_state,
        renew_before: Duration::from_secs(3600 * number(get, "JITADMIN_SUBSCRIPTION_RENEW_HOURS", 72, 1..=720)?),
        drift_action,
    };
    let sync = SyncSettings {
        window: Duration::from_secs(60 * number(get, "JITADMIN_SYNC_COALESCE_MINS", 10, 0..=1440)?),
        intune_limits: RateLimits {
            writes: number(get, "JITADMIN_INTUNE_WRITES", 150, 1..=400)? as usize,
            requests: number(get, "JITADMIN_INTUNE_REQUESTS", 1_500, 1..=4_000)? as usize,
            window: window(get)?,
        },
        checkin_timeout: Duration::from_secs(60 * number(get, "JITADMIN_CHECKIN_TIMEOUT_MINS", 240, 1..=10_080)?),
    };
    let notify = NotifySettings {
        mode: notify,
        mailbox: notify_mailbox,
    };
    Ok((watch, sync, notify))
}

/// The effective value of one of these settings (secrets masked), `None` if not ours.
pub(in crate::config) fn describe(
    (w, s, n): (&WatchSettings, &SyncSettings, &NotifySettings),
    name: &str,
) -> Option<String> {
    let join = |v: &[String]| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.join(",")
        }
    };
    Some(match name {
        "JITADMIN_WATCH_GROUPS" => join(&w.groups),
        "JITADMIN_NOTIFICATION_URL" => w
            .notification_url
            .as_deref()
            .map_or_else(|| "(none)".into(), mask_query),
        "JITADMIN_CLIENT_STATE" => w.client_state.as_ref().map_or("(none)", |_| "*** (set)").into(),
        "JITADMIN_SUBSCRIPTION_RENEW_HOURS" => (w.renew_before.as_secs() / 3600).to_string(),
        "JITADMIN_SYNC_COALESCE_MINS" => (s.window.as_secs() / 60).to_string(),
        "JITADMIN_INTUNE_WRITES" => s.intune_limits.writes.to_string(),
        "JITADMIN_INTUNE_REQUESTS" => s.intune_limits.requests.to_string(),
        "JITADMIN_INTUNE_WINDOW_SECS" => s.intune_limits.window.as_secs_f64().to_string(),
        "JITADMIN_NOTIFY" => match n.mode {
            NotifyMode::Teams => "teams",
            NotifyMode::Mail => "mail",
            NotifyMode::None => "none",
        }
        .into(),
        "JITADMIN_NOTIFY_MAILBOX" => n.mailbox.clone().unwrap_or_else(|| "(none)".into()),
        "JITADMIN_DRIFT_ACTION" => match w.drift_action {
            DriftAction::Report => "report",
            DriftAction::Remove => "remove",
        }
        .into(),
        "JITADMIN_CHECKIN_TIMEOUT_MINS" => (s.checkin_timeout.as_secs() / 60).to_string(),
        _ => return None,
    })
}

/// `JITADMIN_INTUNE_WINDOW_SECS`: seconds, fractions allowed (time-scaled tests use 0.2).
fn window(get: Lookup<'_>) -> Result<Duration, ConfigError> {
    let Some(raw) = get("JITADMIN_INTUNE_WINDOW_SECS") else {
        return Ok(Duration::from_secs(20));
    };
    match raw.parse::<f64>() {
        Ok(secs) if (0.01..=3600.0).contains(&secs) => Ok(Duration::from_secs_f64(secs)),
        _ => Err(invalid(
            "JITADMIN_INTUNE_WINDOW_SECS",
            format!("{raw:?} is not a number of seconds from 0.01 to 3600"),
        )),
    }
}

/// `JITADMIN_NOTIFICATION_URL`: an http(s) URL; its query (the function key) is kept, since
/// Graph echoes it on every POST.
fn notification_url(get: Lookup<'_>) -> Result<Option<String>, ConfigError> {
    let Some(raw) = get("JITADMIN_NOTIFICATION_URL") else {
        return Ok(None);
    };
    let shown = mask_query(&raw);
    let url = url::Url::parse(&raw)
        .map_err(|e| invalid("JITADMIN_NOTIFICATION_URL", format!("{shown:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            "JITADMIN_NOTIFICATION_URL",
            format!("{shown:?} is not an http(s) URL"),
        ));
    }
    Ok(Some(raw))
}

/// A URL with its query (the function key) masked.
fn mask_query(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?***"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn load_from(pairs: &[(&str, &str)]) -> Result<(WatchSettings, SyncSettings, NotifySettings), ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        load(&|name: &str| map.get(name).cloned())
    }

    #[test]
    fn defaults_watch_nothing_and_notify_nobody() {
        let (w, s, n) = load_from(&[]).unwrap();
        assert!(!w.watching());
        assert_eq!(n.mode, NotifyMode::None);
        assert_eq!(w.drift_action, DriftAction::Report);
        assert_eq!(s.window, Duration::from_secs(600));
        assert_eq!(s.intune_limits, RateLimits::INTUNE_RECOMMENDED);
    }

    #[test]
    fn watching_groups_needs_a_url_and_a_client_state() {
        let err = load_from(&[("JITADMIN_WATCH_GROUPS", "g1")]).unwrap_err();
        assert!(err.to_string().contains("JITADMIN_NOTIFICATION_URL"), "{err}");
        let err = load_from(&[
            ("JITADMIN_WATCH_GROUPS", "g1"),
            ("JITADMIN_NOTIFICATION_URL", "https://fn/api/notifications?code=k"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("JITADMIN_CLIENT_STATE"), "{err}");
    }

    #[test]
    fn a_guessable_client_state_is_refused_without_repeating_it() {
        let err = load_from(&[("JITADMIN_CLIENT_STATE", "s3cr3t")]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("at least 16"), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
    }

    #[test]
    fn client_state_is_never_printed_nor_the_function_key() {
        let (w, s, n) = load_from(&[
            ("JITADMIN_WATCH_GROUPS", "g1"),
            ("JITADMIN_NOTIFICATION_URL", "https://fn/api/notifications?code=key-123"),
            ("JITADMIN_CLIENT_STATE", "s3cr3t-state-long-enough"),
        ])
        .unwrap();
        assert!(w.watching());
        let printed = format!(
            "{:?} {:?} {:?}",
            w,
            describe((&w, &s, &n), "JITADMIN_CLIENT_STATE"),
            describe((&w, &s, &n), "JITADMIN_NOTIFICATION_URL")
        );
        assert!(!printed.contains("s3cr3t") && !printed.contains("key-123"), "{printed}");
    }

    #[test]
    fn too_long_client_state_is_refused_without_repeating_it() {
        let long = "x".repeat(129);
        let err = load_from(&[("JITADMIN_CLIENT_STATE", &long)]).unwrap_err();
        assert!(
            !err.to_string().contains(&long) && err.to_string().contains("129"),
            "{err}"
        );
    }
}
