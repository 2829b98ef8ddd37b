//! Notices for the approvers' channel that are not approvals: a drifted member of a watched
//! admin group (`watch.drift`). Best effort: a notice that cannot be posted is logged and
//! audited, and never fails the work that found it (the audit trail has the finding).

use serde_json::{json, Value};

use jitadmin_graph::groups::MemberKind;
use jitadmin_graph::GraphClient;
use jitadmin_store::Store;

use super::Teams;
use crate::audit::detail::DriftDetail;
use crate::audit::{self, Action, Entry, TeamsAction};
use crate::config::DriftAction;

/// Post a drift finding: `user` (of `kind`) is in `group` without an active assignment; `action` is
/// what jitadmin does about it (`report` or `remove`). Nothing when Teams is off.
pub async fn drift(
    store: &Store,
    graph: &GraphClient,
    teams: &Teams,
    group: &str,
    user: &str,
    kind: MemberKind,
    action: DriftAction,
) {
    let who = match kind {
        MemberKind::User => match graph.get_user(user).await {
            Ok(u) => match (u.display_name, u.user_principal_name) {
                (Some(name), Some(upn)) => format!("{name} ({upn})"),
                (name, upn) => name.or(upn).unwrap_or_else(|| user.to_string()),
            },
            Err(_) => user.to_string(),
        },
        other => format!("The {} {user}", other.noun()),
    };
    let what = match action {
        DriftAction::Remove => "jitadmin removed them from the group and asked their devices to sync.",
        DriftAction::Report => {
            "jitadmin only reports this (JITADMIN_DRIFT_ACTION=report): remove them if the membership is not intended."
        }
    };
    let text = format!(
        "{} is a member of the watched admin group {} without an active access package assignment. {}",
        plain(&who),
        plain(group),
        what
    );
    let card = notice_card("Local admin group drift", &text);
    let config = teams.config();
    let posted = teams
        .connector()
        .post_card_to_channel(
            &config.service_url,
            &config.channel_id,
            &config.tenant_id,
            &card,
            "Local admin group drift",
        )
        .await;
    let (action, detail) = match &posted {
        Ok(p) => (
            TeamsAction::DriftPosted,
            DriftDetail {
                group: Some(group.to_string()),
                activity_id: Some(p.activity_id.clone()),
                conversation_id: Some(p.conversation_id.clone()),
                ..DriftDetail::default()
            },
        ),
        Err(error) => {
            tracing::warn!(group, user, %error, "the drift notice could not be posted to the approvers' channel");
            (
                TeamsAction::DriftPostFailed,
                DriftDetail {
                    group: Some(group.to_string()),
                    error: Some(error.to_string()),
                    ..DriftDetail::default()
                },
            )
        }
    };
    let request_id = format!("group:{group}");
    let entry = Entry::by_jitadmin(&request_id, user, Action::Teams(action), detail);
    audit::append_logged(store, entry).await;
}

/// A one-message Adaptive Card: a title (our words, a TextBlock) and a paragraph in a
/// TextRun (never read as Markdown, as the approval cards do with user text). No actions.
fn notice_card(title: &str, text: &str) -> Value {
    json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": title, "weight": "bolder", "size": "medium", "wrap": true},
            {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text}]}
        ]
    })
}

/// Directory text made inert: controls become spaces, bidi overrides and isolates are
/// dropped, `{{` (renderer macros) is broken, and it is cut to 300 characters.
fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect::<String>()
        .replace("{{", "{\u{200B}{")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_text_is_inert() {
        assert_eq!(plain("a\u{202e}b{{DATE(x)}}\n"), "ab{\u{200B}{DATE(x)}} ");
        let card = notice_card("Title", "**bold** [x](http://e)");
        assert_eq!(card["body"][1]["inlines"][0]["type"], "TextRun");
    }
}
