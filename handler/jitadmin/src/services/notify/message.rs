//! What a notice says: granted, extended (with the new end) or removed (with why, as far as
//! the request type tells: Graph has no other field that says why an assignment ended,
//! <https://learn.microsoft.com/graph/api/resources/accesspackageassignmentrequest>).

use chrono::{DateTime, Utc};
use jitadmin_events::callout::RequestType;

/// The notice's occasion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// A new elevation: devices were asked to sync; sign out and in.
    Granted,
    /// An elevation that continues longer; nothing to do.
    Extended {
        /// The new end, when known.
        until: Option<DateTime<Utc>>,
    },
    /// The elevation ended.
    Removed(Removal),
}

/// Why an elevation ended, from the removal's request type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// `userRemove`: the user gave it back.
    ByUser,
    /// `adminRemove`: an administrator removed it.
    ByAdmin,
    /// `approverRemove`: an approver or access reviewer removed it.
    ByApprover,
    /// `systemRemove`: Entra ID removed it (an expiry; possibly an applied access review).
    BySystem,
    /// No type, or one that does not say.
    Unknown,
}

impl Removal {
    /// The reason a removal request's type gives.
    pub fn of(request_type: Option<&RequestType>) -> Removal {
        match request_type {
            Some(RequestType::UserRemove) => Removal::ByUser,
            Some(RequestType::AdminRemove) => Removal::ByAdmin,
            Some(RequestType::ApproverRemove) => Removal::ByApprover,
            Some(RequestType::SystemRemove) => Removal::BySystem,
            _ => Removal::Unknown,
        }
    }

    /// For the audit trail: `user`, `admin`, `approver`, `system`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Removal::ByUser => "user",
            Removal::ByAdmin => "admin",
            Removal::ByApprover => "approver",
            Removal::BySystem => "system",
            Removal::Unknown => "unknown",
        }
    }

    fn sentence(self) -> &'static str {
        match self {
            Removal::ByUser => "You removed your local administrator rights in My Access.",
            Removal::ByAdmin => "An administrator removed your local administrator rights.",
            Removal::ByApprover => "An approver or access reviewer removed your local administrator rights.",
            Removal::BySystem => {
                "Entra ID removed your local administrator rights (their time ran out, or an access review \
                 removed them)."
            }
            Removal::Unknown => "Your local administrator rights were removed.",
        }
    }
}

impl Message {
    /// `granted`, `extended` or `removed`: the ledger key's and the audit trail's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Message::Granted => "granted",
            Message::Extended { .. } => "extended",
            Message::Removed(_) => "removed",
        }
    }

    /// The subject line.
    pub fn subject(self) -> &'static str {
        match self {
            Message::Granted => "Your local administrator rights are granted: sign out and in",
            Message::Extended { .. } => "Your local administrator rights are extended",
            Message::Removed(_) => "Your local administrator rights have ended",
        }
    }

    /// The text, naming the devices asked to sync.
    pub fn body(self, devices: &[String]) -> String {
        let synced = match devices {
            [] => "We found no Windows device managed for you in Intune.".to_string(),
            names => format!(
                "We asked your Windows device(s) to sync with Intune: {}.",
                names.join(", ")
            ),
        };
        let act = "For the change to take effect, sign out of Windows and sign in again \
                   (locking and unlocking is not enough). It can take up to 4 hours before \
                   Windows sees the change.";
        match self {
            Message::Granted => {
                format!("Your request for local administrator rights was granted.\n\n{synced}\n\n{act}\n")
            }
            Message::Removed(why) => format!("{}\n\n{synced}\n\n{act}\n", why.sentence()),
            Message::Extended { until } => {
                let when = until.map_or_else(
                    || "Your local administrator rights were extended.".to_string(),
                    |t| {
                        format!(
                            "Your local administrator rights were extended until {} UTC.",
                            t.format("%Y-%m-%d %H:%M")
                        )
                    },
                );
                format!("{when}\n\nNothing changes on your devices and you need not sign out: the rights you have continue.\n")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_names_the_devices_and_says_to_sign_out_and_in() {
        let text = Message::Granted.body(&["FIN-LT-042".into()]);
        assert!(text.contains("FIN-LT-042") && text.contains("sign out") && text.contains("granted"));
        let text = Message::Removed(Removal::Unknown).body(&[]);
        assert!(text.contains("removed") && text.contains("no Windows device"));
    }

    #[test]
    fn a_removal_says_why_as_far_as_the_request_type_tells() {
        let by = |t| Message::Removed(Removal::of(Some(&t))).body(&[]);
        assert!(by(RequestType::UserRemove).contains("You removed"));
        assert!(by(RequestType::AdminRemove).contains("An administrator"));
        assert!(by(RequestType::ApproverRemove).contains("access reviewer"));
        assert!(by(RequestType::SystemRemove).contains("time ran out"));
        assert_eq!(Removal::of(None), Removal::Unknown);
    }

    #[test]
    fn an_extension_gives_the_new_end_and_asks_nothing() {
        let until = "2026-12-08T17:00:00Z".parse().ok();
        let text = Message::Extended { until }.body(&[]);
        assert!(text.contains("until 2026-12-08 17:00 UTC"), "{text}");
        assert!(text.contains("need not sign out"));
    }
}
