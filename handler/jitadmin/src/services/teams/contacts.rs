//! Where the bot can reach a user 1:1. Teams gives a bot a user's bot-specific `29:` id and
//! their personal chat only when they install the app in personal scope (<https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages>): the
//! `teams` function calls [`learn`] for every authenticated activity from a personal chat,
//! and the contact is kept until the user removes the app. The user's notices
//! ([`crate::services::notify`]) use it.

use chrono::Utc;
use jitadmin_events::bot::{Activity, PersonalScope};
use jitadmin_store::{Store, StoreError, TeamsContact};

/// What an activity taught us about a user's personal chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Learned {
    /// Not a personal-chat activity (or it names no user): nothing to learn.
    Nothing,
    /// The contact was stored or refreshed.
    Stored,
    /// The user removed the app: the contact was forgotten.
    Forgotten,
}

/// Learn from an authenticated activity: store the user's contact on install (or any
/// activity in their personal chat), forget it on removal.
pub async fn learn(store: &Store, tenant_id: &str, activity: &Activity) -> Result<Learned, StoreError> {
    let Some(scope) = activity.personal_scope() else {
        return Ok(Learned::Nothing);
    };
    let (Some(user), Some(conversation)) = (activity.from_aad_object_id(), activity.conversation.as_ref()) else {
        return Ok(Learned::Nothing);
    };
    if scope == PersonalScope::Removed {
        store.teams_contact_remove(user).await?;
        tracing::info!(
            user,
            "the user removed the app from their personal scope: the bot no longer writes to them"
        );
        return Ok(Learned::Forgotten);
    }
    if !activity.from.id.starts_with("29:") || conversation.id.is_empty() {
        return Ok(Learned::Nothing);
    }
    let contact = TeamsContact {
        user_id: user.to_ascii_lowercase(),
        member_id: activity.from.id.clone(),
        conversation_id: conversation.id.clone(),
        service_url: activity.service_url.clone(),
        tenant_id: activity.tenant_id().unwrap_or(tenant_id).to_string(),
        updated_at: Utc::now(),
    };
    store.teams_contact_put(&contact).await?;
    tracing::info!(
        user,
        installed = scope == PersonalScope::Installed,
        "the bot can reach the user in their personal chat"
    );
    Ok(Learned::Stored)
}
