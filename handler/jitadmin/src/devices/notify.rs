//! Telling the user what happened and what to do: their devices were asked to sync, and the
//! change takes effect after they sign out and in (spec §9.3: group SIDs reach the token
//! only with a new sign-in, and the new PRT can take up to 4 hours).
//!
//! `JITADMIN_NOTIFY`: `mail` sends from `JITADMIN_NOTIFY_MAILBOX`; `teams` chats where the
//! bot can reach the user and otherwise mails (the bot is issue 7: until it lands, mail when
//! a mailbox is configured); `none` tells nobody. Every outcome is in the audit trail, and a
//! notice is sent once per request and reason (ledger key `notify:{request}:{reason}`).

use jitadmin_graph::mail::Mail;
use jitadmin_store::{LedgerOutcome, LedgerStatus};
use serde_json::json;

use super::{actions, trail, DeviceError, SyncReason, SyncReport};
use crate::app::App;
use crate::config::NotifyMode;

/// What became of the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Sent through this channel.
    Sent(&'static str),
    /// Not sent, and why.
    NotSent(String),
    /// Already sent for this request and reason.
    AlreadySent,
}

impl Notice {
    /// One line for logs and the ledger.
    pub fn describe(&self) -> String {
        match self {
            Notice::Sent(channel) => format!("user told by {channel}"),
            Notice::NotSent(why) => format!("user not told: {why}"),
            Notice::AlreadySent => "user already told".into(),
        }
    }
}

/// Tell `user` about `reason` for request `request_id`, once.
pub async fn notify_user(
    app: &App,
    user: &str,
    reason: SyncReason,
    request_id: &str,
    report: &SyncReport,
) -> Result<Notice, DeviceError> {
    let store = app.store();
    let key = format!("notify:{request_id}:{}", reason.as_str());
    if store.ledger_begin(&key).await?.status == LedgerStatus::Done {
        return Ok(Notice::AlreadySent);
    }
    let settings = &app.config().devices;
    let notice = match (settings.notify, settings.notify_mailbox.as_deref()) {
        (NotifyMode::None, _) => Notice::NotSent("JITADMIN_NOTIFY=none".into()),
        (NotifyMode::Teams, None) => {
            Notice::NotSent("the Teams bot cannot reach users yet and no mailbox is set".into())
        }
        (NotifyMode::Mail | NotifyMode::Teams, Some(mailbox)) => send_mail(app, mailbox, user, reason, report).await?,
        (NotifyMode::Mail, None) => Notice::NotSent("no JITADMIN_NOTIFY_MAILBOX".into()),
    };
    let (action, detail) = match &notice {
        Notice::Sent(channel) => (
            actions::USER_NOTIFIED,
            json!({"channel": channel, "reason": reason.as_str(), "devices": report.reached()}),
        ),
        Notice::NotSent(why) => (
            actions::USER_NOT_NOTIFIED,
            json!({"why": why, "reason": reason.as_str(), "devices": report.reached()}),
        ),
        Notice::AlreadySent => return Ok(notice),
    };
    trail::record(store, request_id, user, action, detail).await?;
    store
        .ledger_finish(&key, LedgerOutcome::Done(notice.describe()))
        .await?;
    Ok(notice)
}

async fn send_mail(
    app: &App,
    mailbox: &str,
    user: &str,
    reason: SyncReason,
    report: &SyncReport,
) -> Result<Notice, DeviceError> {
    let graph_error = |source| DeviceError::Notify {
        user: user.to_string(),
        source,
    };
    let person = app.graph().get_user(user).await.map_err(graph_error)?;
    let Some(address) = person.mail.or(person.user_principal_name) else {
        return Ok(Notice::NotSent("the user has no mail address".into()));
    };
    let mail = Mail {
        subject: subject(reason).into(),
        body: body(reason, &report.reached()),
        html: false,
        to: vec![address],
    };
    app.graph().send_mail(mailbox, &mail).await.map_err(graph_error)?;
    Ok(Notice::Sent("mail"))
}

fn subject(reason: SyncReason) -> &'static str {
    match reason {
        SyncReason::Granted => "Your local administrator rights are granted: sign out and in",
        SyncReason::Removed => "Your local administrator rights have ended",
    }
}

/// The notice's text.
pub(crate) fn body(reason: SyncReason, devices: &[String]) -> String {
    let what = match reason {
        SyncReason::Granted => "Your request for local administrator rights was granted.",
        SyncReason::Removed => "Your local administrator rights have ended.",
    };
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
    format!("{what}\n\n{synced}\n\n{act}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_names_the_devices_and_says_to_sign_out_and_in() {
        let text = body(SyncReason::Granted, &["FIN-LT-042".into()]);
        assert!(text.contains("FIN-LT-042") && text.contains("sign out") && text.contains("granted"));
        let text = body(SyncReason::Removed, &[]);
        assert!(text.contains("ended") && text.contains("no Windows device"));
    }
}
