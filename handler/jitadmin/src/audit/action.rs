//! What an audit entry records, as a typed action. Written and read here only: the text
//! form (`callout.created.approved.resumed`, `teams.card.posted`, ...) is what the store keeps,
//! and every text written since the first release parses back to the same action.

use std::fmt;

use jitadmin_events::callout::Stage;

/// Whether a resume reached Entra now or found the stage no longer waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resumed {
    /// Graph accepted the resume.
    Resumed,
    /// The request no longer waited for us (resumed, decided, expired or gone).
    AlreadyDone,
}

/// The callout stage an action is about, in the short spelling of the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageName {
    /// `assignmentRequestCreated`.
    Created,
    /// `assignmentRequestApproved`.
    Approved,
    /// `assignmentRequestGranted`.
    Granted,
    /// `assignmentRequestRemoved`.
    Removed,
    /// `assignmentFourteenDaysBeforeExpiration`.
    Expiring14d,
    /// `assignmentOneDayBeforeExpiration`.
    Expiring1d,
    /// Any other stage.
    Other,
}

/// What handling a callout's stage came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalloutStep {
    /// Recorded; nothing was sent to Entra.
    Recorded,
    /// Continued in Entra (or found already done).
    Resumed(Resumed),
    /// The rules approved it, and the resume went so.
    RuleApproved(Resumed),
    /// The rules denied it, and the resume went so.
    RuleDenied(Resumed),
    /// The rules routed it to approvers: it waits.
    Routed,
    /// Not decided: Entra does not hold the request as one of ours waiting at this stage.
    NotDecided,
    /// Pre-screened: the rules did not deny, and entitlement management's own approver decides.
    PreScreened(Resumed),
}

/// Why `callout` refused a callout at acknowledgement (nothing was queued).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The callout is for an access package jitadmin does not manage.
    UnmanagedPackage,
    /// `callbackUriPath` is not the documented shape or names another request.
    CallbackPath,
}

const REFUSALS: [(Refusal, &str); 2] = [
    (Refusal::UnmanagedPackage, "unmanaged-package"),
    (Refusal::CallbackPath, "callback-path"),
];

/// An action of the device loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceAction {
    /// A device was asked to sync.
    SyncRequested,
    /// A device could not be synced and will not be retried (gone, retired, not MDM).
    SyncSkipped,
    /// A synced device checked in after the sync request.
    CheckedIn,
    /// A synced device had not checked in within the check-in timeout.
    NotCheckedIn,
}

/// An action of the Teams side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TeamsAction {
    /// A card was posted into the approvers' channel.
    CardPosted,
    /// An earlier attempt may have posted a card whose reference was lost: posted again.
    CardReposted,
    /// The card could not be posted (the event is retried).
    CardPostFailed,
    /// The posted card could not be updated (everyone else still sees the old state).
    CardUpdateFailed,
    /// The card was closed: Entra no longer waits (expired, cancelled, decided elsewhere).
    CardExpired,
    /// An approver clicked Approve or Deny.
    Clicked,
    /// The decision was approve and Entra accepted it.
    Approved,
    /// The decision was deny and Entra accepted it.
    Denied,
    /// A decision is recorded; the resume failed transiently and is retried through the queue.
    Applying,
    /// A click was refused (not an approver, own request, already decided, bad card...).
    Refused,
    /// Entra refused the decision for good: the card shows an error.
    Failed,
    /// A drift finding was posted into the approvers' channel.
    DriftPosted,
    /// A drift finding could not be posted.
    DriftPostFailed,
}

/// An audit action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    /// A callout's stage was handled.
    Callout(StageName, CalloutStep),
    /// The connection test (never queued; kept for old trails).
    CalloutConnectionTest,
    /// Handling a callout failed (retried, then dead-lettered).
    CalloutFailed,
    /// A duplicate delivery or replay of a callout already handled.
    CalloutDuplicate,
    /// `callout` refused a callout and queued nothing.
    CalloutRefused(Refusal),
    /// A device-loop step.
    Device(DeviceAction),
    /// The user was told (or, with notices off, not told) what to do.
    UserNotified,
    /// The user was not told, and why.
    UserNotNotified,
    /// A Teams step.
    Teams(TeamsAction),
    /// A member of a watched group without an active assignment.
    WatchDrift,
    /// That member was removed from the group.
    WatchDriftRemoved,
    /// An action this version does not know (written by a later one), as stored.
    Other(String),
}

const DEVICE: [(DeviceAction, &str); 4] = [
    (DeviceAction::SyncRequested, "sync-requested"),
    (DeviceAction::SyncSkipped, "sync-skipped"),
    (DeviceAction::CheckedIn, "checked-in"),
    (DeviceAction::NotCheckedIn, "not-checked-in"),
];

const TEAMS: [(TeamsAction, &str); 13] = [
    (TeamsAction::CardPosted, "card.posted"),
    (TeamsAction::CardReposted, "card.reposted"),
    (TeamsAction::CardPostFailed, "card.post-failed"),
    (TeamsAction::CardUpdateFailed, "card.update-failed"),
    (TeamsAction::CardExpired, "card.expired"),
    (TeamsAction::Clicked, "clicked"),
    (TeamsAction::Approved, "approved"),
    (TeamsAction::Denied, "denied"),
    (TeamsAction::Applying, "applying"),
    (TeamsAction::Refused, "refused"),
    (TeamsAction::Failed, "failed"),
    (TeamsAction::DriftPosted, "drift.posted"),
    (TeamsAction::DriftPostFailed, "drift.post-failed"),
];

const STAGES: [(StageName, &str); 7] = [
    (StageName::Created, "created"),
    (StageName::Approved, "approved"),
    (StageName::Granted, "granted"),
    (StageName::Removed, "removed"),
    (StageName::Expiring14d, "expiring-14d"),
    (StageName::Expiring1d, "expiring-1d"),
    (StageName::Other, "other"),
];

impl StageName {
    /// The short name of `stage`.
    pub fn of(stage: &Stage) -> StageName {
        match stage {
            Stage::AssignmentRequestCreated => StageName::Created,
            Stage::AssignmentRequestApproved => StageName::Approved,
            Stage::AssignmentRequestGranted => StageName::Granted,
            Stage::AssignmentRequestRemoved => StageName::Removed,
            Stage::AssignmentFourteenDaysBeforeExpiration => StageName::Expiring14d,
            Stage::AssignmentOneDayBeforeExpiration => StageName::Expiring1d,
            _ => StageName::Other,
        }
    }

    /// `created`, `approved`, `granted`, `removed`, `expiring-14d`, `expiring-1d`, `other`.
    pub fn as_str(self) -> &'static str {
        STAGES.iter().find(|(s, _)| *s == self).map_or("other", |(_, t)| t)
    }
}

impl Resumed {
    fn as_str(self) -> &'static str {
        match self {
            Resumed::Resumed => "resumed",
            Resumed::AlreadyDone => "already-done",
        }
    }

    fn parse(text: &str) -> Option<Resumed> {
        match text {
            "resumed" => Some(Resumed::Resumed),
            "already-done" => Some(Resumed::AlreadyDone),
            _ => None,
        }
    }
}

impl CalloutStep {
    fn suffix(self) -> Option<String> {
        match self {
            CalloutStep::Recorded => None,
            CalloutStep::Resumed(r) => Some(r.as_str().to_string()),
            CalloutStep::RuleApproved(r) => Some(format!("approved.{}", r.as_str())),
            CalloutStep::RuleDenied(r) => Some(format!("denied.{}", r.as_str())),
            CalloutStep::Routed => Some("routed".to_string()),
            CalloutStep::NotDecided => Some("not-decided".to_string()),
            CalloutStep::PreScreened(r) => Some(format!("prescreened.{}", r.as_str())),
        }
    }

    fn parse(suffix: Option<&str>) -> Option<CalloutStep> {
        let Some(suffix) = suffix else {
            return Some(CalloutStep::Recorded);
        };
        if suffix == "routed" {
            return Some(CalloutStep::Routed);
        }
        if suffix == "not-decided" {
            return Some(CalloutStep::NotDecided);
        }
        if let Some(r) = Resumed::parse(suffix) {
            return Some(CalloutStep::Resumed(r));
        }
        let (verdict, resumed) = suffix.split_once('.')?;
        let resumed = Resumed::parse(resumed)?;
        match verdict {
            "prescreened" => Some(CalloutStep::PreScreened(resumed)),
            "approved" => Some(CalloutStep::RuleApproved(resumed)),
            "denied" => Some(CalloutStep::RuleDenied(resumed)),
            _ => None,
        }
    }

    /// Whether Entra accepted a resume in this step.
    pub fn resumed(self) -> bool {
        matches!(
            self,
            CalloutStep::Resumed(Resumed::Resumed)
                | CalloutStep::PreScreened(Resumed::Resumed)
                | CalloutStep::RuleApproved(Resumed::Resumed)
                | CalloutStep::RuleDenied(Resumed::Resumed)
        )
    }
}

impl Action {
    /// Every action about a callout's handling is a `callout.` action.
    pub fn is_callout(&self) -> bool {
        matches!(
            self,
            Action::Callout(..)
                | Action::CalloutConnectionTest
                | Action::CalloutFailed
                | Action::CalloutDuplicate
                | Action::CalloutRefused(_)
        )
    }

    /// Read a stored action; unknown texts are kept as [`Action::Other`].
    pub fn parse(text: &str) -> Action {
        Action::known(text).unwrap_or_else(|| Action::Other(text.to_string()))
    }

    fn known(text: &str) -> Option<Action> {
        let (area, rest) = text.split_once('.')?;
        match area {
            "callout" => match rest {
                "connection-test" => Some(Action::CalloutConnectionTest),
                "failed" => Some(Action::CalloutFailed),
                "duplicate" => Some(Action::CalloutDuplicate),
                _ if rest.starts_with("refused.") => REFUSALS
                    .iter()
                    .find(|(_, t)| rest.strip_prefix("refused.") == Some(*t))
                    .map(|(r, _)| Action::CalloutRefused(*r)),
                _ => {
                    let (stage, suffix) = match rest.split_once('.') {
                        Some((s, x)) => (s, Some(x)),
                        None => (rest, None),
                    };
                    let stage = STAGES.iter().find(|(_, t)| *t == stage)?.0;
                    Some(Action::Callout(stage, CalloutStep::parse(suffix)?))
                }
            },
            "device" => DEVICE.iter().find(|(_, t)| *t == rest).map(|(a, _)| Action::Device(*a)),
            "user" => match rest {
                "notified" => Some(Action::UserNotified),
                "not-notified" => Some(Action::UserNotNotified),
                _ => None,
            },
            "teams" => TEAMS.iter().find(|(_, t)| *t == rest).map(|(a, _)| Action::Teams(*a)),
            "watch" => match rest {
                "drift" => Some(Action::WatchDrift),
                "drift-removed" => Some(Action::WatchDriftRemoved),
                _ => None,
            },
            _ => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Callout(stage, step) => match step.suffix() {
                Some(suffix) => write!(f, "callout.{}.{suffix}", stage.as_str()),
                None => write!(f, "callout.{}", stage.as_str()),
            },
            Action::CalloutConnectionTest => f.write_str("callout.connection-test"),
            Action::CalloutFailed => f.write_str("callout.failed"),
            Action::CalloutDuplicate => f.write_str("callout.duplicate"),
            Action::CalloutRefused(r) => {
                let name = REFUSALS.iter().find(|(x, _)| x == r).map_or("", |(_, t)| t);
                write!(f, "callout.refused.{name}")
            }
            Action::Device(a) => {
                let name = DEVICE.iter().find(|(d, _)| d == a).map_or("", |(_, t)| t);
                write!(f, "device.{name}")
            }
            Action::UserNotified => f.write_str("user.notified"),
            Action::UserNotNotified => f.write_str("user.not-notified"),
            Action::Teams(a) => {
                let name = TEAMS.iter().find(|(t, _)| t == a).map_or("", |(_, t)| t);
                write!(f, "teams.{name}")
            }
            Action::WatchDrift => f.write_str("watch.drift"),
            Action::WatchDriftRemoved => f.write_str("watch.drift-removed"),
            Action::Other(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_action() -> Vec<Action> {
        let resumed = [Resumed::Resumed, Resumed::AlreadyDone];
        let mut steps = vec![CalloutStep::Recorded, CalloutStep::Routed, CalloutStep::NotDecided];
        for r in resumed {
            steps.extend([
                CalloutStep::Resumed(r),
                CalloutStep::RuleApproved(r),
                CalloutStep::RuleDenied(r),
                CalloutStep::PreScreened(r),
            ]);
        }
        let mut all: Vec<Action> = STAGES
            .iter()
            .flat_map(|(s, _)| steps.iter().map(move |step| Action::Callout(*s, *step)))
            .collect();
        all.extend([
            Action::CalloutConnectionTest,
            Action::CalloutFailed,
            Action::CalloutDuplicate,
            Action::UserNotified,
            Action::UserNotNotified,
            Action::WatchDrift,
            Action::WatchDriftRemoved,
        ]);
        all.extend(DEVICE.iter().map(|(a, _)| Action::Device(*a)));
        all.extend(REFUSALS.iter().map(|(r, _)| Action::CalloutRefused(*r)));
        all.extend(TEAMS.iter().map(|(a, _)| Action::Teams(*a)));
        all
    }

    #[test]
    fn every_action_reads_back_from_its_text() {
        for action in every_action() {
            assert_eq!(Action::parse(&action.to_string()), action, "{action}");
        }
    }

    #[test]
    fn texts_written_by_earlier_versions_keep_their_meaning() {
        let cases = [
            (
                "callout.created.approved.resumed",
                Action::Callout(StageName::Created, CalloutStep::RuleApproved(Resumed::Resumed)),
            ),
            (
                "callout.created.denied.already-done",
                Action::Callout(StageName::Created, CalloutStep::RuleDenied(Resumed::AlreadyDone)),
            ),
            (
                "callout.created.routed",
                Action::Callout(StageName::Created, CalloutStep::Routed),
            ),
            (
                "callout.granted.resumed",
                Action::Callout(StageName::Granted, CalloutStep::Resumed(Resumed::Resumed)),
            ),
            (
                "callout.removed",
                Action::Callout(StageName::Removed, CalloutStep::Recorded),
            ),
            (
                "callout.expiring-1d",
                Action::Callout(StageName::Expiring1d, CalloutStep::Recorded),
            ),
            ("teams.card.posted", Action::Teams(TeamsAction::CardPosted)),
            ("device.sync-requested", Action::Device(DeviceAction::SyncRequested)),
            ("watch.drift-removed", Action::WatchDriftRemoved),
        ];
        for (text, action) in cases {
            assert_eq!(Action::parse(text), action, "{text}");
            assert_eq!(action.to_string(), text);
        }
        assert_eq!(Action::parse("future.thing"), Action::Other("future.thing".into()));
        assert_eq!(
            Action::parse("callout.created.exploded"),
            Action::Other("callout.created.exploded".into())
        );
    }
}
