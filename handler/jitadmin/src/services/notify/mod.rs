//! Telling the user what happened and what to do: their devices were asked to sync, and the
//! change takes effect after they sign out and in (group SIDs reach the token only with a new
//! sign-in, and a new primary refresh token can take up to 4 hours).
//!
//! `JITADMIN_NOTIFY`: `mail` sends from `JITADMIN_NOTIFY_MAILBOX`; `teams` writes in the
//! user's 1:1 chat with the bot where the bot can reach them (they added the app in personal
//! scope, [`crate::services::teams::contacts`]) and otherwise mails from the mailbox, if one is set;
//! `none` tells nobody. Every outcome is in the audit trail (with why Teams was not used), and
//! a notice is sent once per request and reason (ledger key `notify:{request}:{reason}`).

mod message;

pub use message::{Message, Removal};

use jitadmin_graph::mail::Mail;
use jitadmin_store::{LedgerOutcome, LedgerStatus};
use jitadmin_teams::connector::ConnectorError;

use jitadmin_graph::GraphClient;
use jitadmin_store::Store;

use super::devices::SyncReport;
use super::teams::Teams;
use crate::audit::detail::NoticeDetail;
use crate::audit::{self, Action, Entry};
use crate::config::{NotifyMode, NotifySettings};
use crate::error::DeviceError;

/// What telling a user works with.
#[derive(Debug, Clone, Copy)]
pub struct Notifier<'a> {
    /// The ledger (one notice per request and reason), contacts and the audit trail.
    pub store: &'a Store,
    /// Mail and the user's address.
    pub graph: &'a GraphClient,
    /// The bot, when Teams is configured.
    pub teams: Option<&'a Teams>,
    /// `JITADMIN_NOTIFY` and the mailbox.
    pub settings: &'a NotifySettings,
}

/// What came of trying the user's Teams chat.
enum TeamsTry {
    Sent,
    /// Not reachable in Teams, and why (then mail, if a mailbox is set).
    Unreachable(String),
}

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

/// Tell `user` `message` about request `request_id`, once.
pub async fn notify_user(
    notifier: Notifier<'_>,
    user: &str,
    message: Message,
    request_id: &str,
    report: &SyncReport,
) -> Result<Notice, DeviceError> {
    let store = notifier.store;
    let key = format!("notify:{request_id}:{}", message.as_str());
    if store.ledger_begin(&key).await?.status == LedgerStatus::Done {
        return Ok(Notice::AlreadySent);
    }
    let settings = notifier.settings;
    let mailbox = settings.mailbox.as_deref();
    let mut not_in_teams = None;
    let notice = match settings.mode {
        NotifyMode::None => Notice::NotSent("JITADMIN_NOTIFY=none".into()),
        NotifyMode::Mail => match mailbox {
            Some(mailbox) => send_mail(notifier.graph, mailbox, user, message, report).await?,
            None => Notice::NotSent("no JITADMIN_NOTIFY_MAILBOX".into()),
        },
        NotifyMode::Teams => match send_teams(notifier, user, message, report, mailbox.is_some()).await? {
            TeamsTry::Sent => Notice::Sent("teams"),
            TeamsTry::Unreachable(why) => {
                tracing::info!(user, why = %why, "user not reachable in Teams");
                let notice = match mailbox {
                    Some(mailbox) => send_mail(notifier.graph, mailbox, user, message, report).await?,
                    None => Notice::NotSent(format!("{why}, and no JITADMIN_NOTIFY_MAILBOX to mail instead")),
                };
                not_in_teams = Some(why);
                notice
            }
        },
    };
    let devices = report.reached();
    let (action, detail) = match &notice {
        Notice::Sent(channel) => (
            Action::UserNotified,
            NoticeDetail {
                channel: Some(channel.to_string()),
                reason: Some(message.as_str().to_string()),
                removal: removal_of(message),
                devices,
                not_in_teams,
                ..NoticeDetail::default()
            },
        ),
        Notice::NotSent(why) => (
            Action::UserNotNotified,
            NoticeDetail {
                why: Some(why.clone()),
                reason: Some(message.as_str().to_string()),
                removal: removal_of(message),
                devices,
                not_in_teams,
                ..NoticeDetail::default()
            },
        ),
        Notice::AlreadySent => return Ok(notice),
    };
    audit::append(store, Entry::by_jitadmin(request_id, user, action, detail)).await?;
    store
        .ledger_finish(&key, LedgerOutcome::Done(notice.describe()))
        .await?;
    Ok(notice)
}

/// The notice in the user's personal chat with the bot. A chat Teams closed (403/404: the app
/// was removed) is reopened once by the user's `29:` id , else the contact is
/// forgotten. A transient failure falls back to mail when there is a mailbox, and otherwise
/// fails the step so the event is retried.
async fn send_teams(
    notifier: Notifier<'_>,
    user: &str,
    message: Message,
    report: &SyncReport,
    can_mail: bool,
) -> Result<TeamsTry, DeviceError> {
    let Some(teams) = notifier.teams else {
        return Ok(TeamsTry::Unreachable(
            "Teams is not configured (JITADMIN_BOT_APP_ID)".into(),
        ));
    };
    let store = notifier.store;
    let Some(mut contact) = store.teams_contact_get(user).await? else {
        return Ok(TeamsTry::Unreachable(
            "the user has not added the jitadmin app in Teams".into(),
        ));
    };
    let text = chat_text(message, &report.reached());
    let connector = teams.connector();
    let transient = |source: ConnectorError| -> Result<TeamsTry, DeviceError> {
        if can_mail {
            Ok(TeamsTry::Unreachable(format!("Teams failed: {source}")))
        } else {
            Err(DeviceError::Teams {
                user: user.to_string(),
                source,
            })
        }
    };
    let refused = match connector
        .send_message(&contact.service_url, &contact.conversation_id, &text, None)
        .await
    {
        Ok(_) => return Ok(TeamsTry::Sent),
        Err(e) if e.is_transient() => return transient(e),
        Err(e @ ConnectorError::Refused { status: 403 | 404, .. }) => e,
        Err(e) => return Ok(TeamsTry::Unreachable(format!("Teams refused the message: {e}"))),
    };
    tracing::info!(user, error = %refused, "the user's chat refused the notice: reopening it");
    let bot_id = format!("28:{}", teams.config().app_id);
    let reopened = connector
        .open_personal_chat(&contact.service_url, &bot_id, &contact.member_id, &contact.tenant_id)
        .await;
    let conversation_id = match reopened {
        Ok(id) => id,
        Err(e) if e.is_transient() => return transient(e),
        Err(e) => {
            store.teams_contact_remove(user).await?;
            return Ok(TeamsTry::Unreachable(format!(
                "the bot can no longer reach the user in Teams (the app was removed?): {e}"
            )));
        }
    };
    match connector
        .send_message(&contact.service_url, &conversation_id, &text, None)
        .await
    {
        Ok(_) => {
            contact.conversation_id = conversation_id;
            contact.updated_at = chrono::Utc::now();
            store.teams_contact_put(&contact).await?;
            Ok(TeamsTry::Sent)
        }
        Err(e) if e.is_transient() => transient(e),
        Err(e) => Ok(TeamsTry::Unreachable(format!("Teams refused the message: {e}"))),
    }
}

/// The chat message: the subject in bold, then the notice.
fn chat_text(message: Message, devices: &[String]) -> String {
    format!("**{}**\n\n{}", message.subject(), message.body(devices))
}

fn removal_of(message: Message) -> Option<String> {
    match message {
        Message::Removed(why) => Some(why.as_str().to_string()),
        _ => None,
    }
}

async fn send_mail(
    graph: &GraphClient,
    mailbox: &str,
    user: &str,
    message: Message,
    report: &SyncReport,
) -> Result<Notice, DeviceError> {
    let graph_error = |source| DeviceError::Notify {
        user: user.to_string(),
        source,
    };
    let person = graph.get_user(user).await.map_err(graph_error)?;
    let Some(address) = person.mail.or(person.user_principal_name) else {
        return Ok(Notice::NotSent("the user has no mail address".into()));
    };
    let mail = Mail {
        subject: message.subject().into(),
        body: message.body(&report.reached()),
        html: false,
        to: vec![address],
    };
    graph.send_mail(mailbox, &mail).await.map_err(graph_error)?;
    Ok(Notice::Sent("mail"))
}
