//! `teams`: the bot's messaging endpoint (HTTP POST `/api/teams/messages`), where the Bot
//! Connector delivers Teams activities.
//!
//! Authenticate first: only the activity's `serviceUrl` and `channelId` are read before the
//! Bot Framework token is validated against them (signature, issuer, audience = our bot,
//! lifetime, `serviceurl` claim, the key's endorsement for the channel:
//! <https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication>). Then the channel must be `msteams` and the tenant ours.
//! A card click (`invoke` `adaptiveCard/action`) is handled by
//! [`crate::flows::approval::click`] and answered with HTTP 200 and an invoke response
//! (`{statusCode, type, value}`); a decision whose resume must be retried goes on the events
//! queue. An activity from a user's personal chat (the app installed or removed there) stores
//! or forgets where the bot can reach them ([`crate::services::teams::contacts`]). Other activities get an empty 200. Refusals
//! before the activity is trusted are problem+json (401/403/400).

use std::sync::Arc;

use azfn_runtime::HttpRequest;
use azfn_runtime::{Error, HttpResponse, Invocation, Outputs, Problem};
use chrono::Utc;
use jitadmin_events::bot::{Activity, ActivityType, InvokeResponse};
use serde::Deserialize;

use super::bindings::HTTP_OUT;
use super::outbox::Outbox;
use crate::app::App;
use crate::flows::approval::click;
use crate::inbound::{auth_problem, untrusted};
use crate::services::teams::contacts;

/// The only channel served.
pub const TEAMS_CHANNEL: &str = "msteams";

/// What the token is checked against, read before the token is trusted.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Routing {
    #[serde(default)]
    service_url: String,
    #[serde(default)]
    channel_id: String,
}

/// Handle one invocation.
pub async fn handle(app: Arc<App>, event: Invocation<HttpRequest>) -> Result<Outputs, Error> {
    let invocation_id = event.context.invocation_id.as_str();
    let request = &event.trigger;
    let Some(teams) = app.teams() else {
        tracing::warn!(function = "teams", invocation_id, "activity refused: Teams is off");
        let problem = Problem::new("teams-off", "Teams approvals are not configured", 503)
            .with_detail("JITADMIN_BOT_APP_ID is not set");
        return Ok(answer(HttpResponse::problem(&problem)));
    };
    let body = request.body.as_deref().unwrap_or_default();
    let Ok(routing) = serde_json::from_slice::<Routing>(body) else {
        return Ok(answer(bad_activity("the body is not a Bot Framework activity")));
    };
    if let Err(error) = teams
        .validator()
        .validate(
            request.header("authorization"),
            &routing.service_url,
            &routing.channel_id,
        )
        .await
    {
        tracing::warn!(
            function = "teams",
            invocation_id,
            code = error.code(),
            status = error.status(),
            channel = %untrusted(&routing.channel_id, 40),
            error = %untrusted(&error.to_string(), 300),
            "activity refused"
        );
        return Ok(answer(auth_problem(&error, "Bearer")));
    }
    let activity = match Activity::from_slice(body) {
        Ok(activity) => activity,
        Err(error) => {
            tracing::warn!(function = "teams", invocation_id, error = %untrusted(&error.to_string(), 300), "activity body refused");
            return Ok(answer(bad_activity(&error.public())));
        }
    };
    if !activity.channel_id.eq_ignore_ascii_case(TEAMS_CHANNEL) {
        tracing::warn!(function = "teams", invocation_id, channel = %activity.channel_id, "activity refused: not Teams");
        return Ok(answer(forbidden("only Microsoft Teams activities are served")));
    }
    if !our_tenant(&activity, &app.config().tenant_id) {
        tracing::warn!(
            function = "teams",
            invocation_id,
            tenant = activity.tenant_id(),
            "activity refused: another tenant"
        );
        return Ok(answer(forbidden("the activity is from another tenant")));
    }
    match contacts::learn(app.store(), &app.config().tenant_id, &activity).await {
        Ok(learned) if learned != contacts::Learned::Nothing => {
            tracing::info!(
                function = "teams",
                invocation_id,
                kind = activity.kind.as_str(),
                ?learned,
                "personal chat activity"
            );
        }
        Ok(_) => {}
        Err(error) => {
            // Answer 5xx so the Bot Connector may deliver it again; a card click is still served.
            tracing::error!(function = "teams", invocation_id, %error, "the user's Teams contact could not be stored");
            if activity.card_action().is_none() {
                let problem = Problem::new("store-unavailable", "The activity could not be recorded", 503)
                    .with_detail("the state store failed; try again");
                return Ok(answer(HttpResponse::problem(&problem)));
            }
        }
    }
    let Some(value) = activity.card_action() else {
        tracing::info!(
            function = "teams",
            invocation_id,
            kind = activity.kind.as_str(),
            name = activity.name.as_deref(),
            "activity acknowledged"
        );
        return Ok(answer(match activity.kind {
            // An invoke always expects an invoke response.
            ActivityType::Invoke => HttpResponse::json(
                200,
                &InvokeResponse::error(400, "NotSupported", "jitadmin handles only card actions."),
            ),
            _ => HttpResponse::new(200),
        }));
    };
    let clicked = click::handle(&app.context(), teams, &activity, value, invocation_id, Utc::now()).await;
    let mut outputs = Outputs::new();
    if let Some(retry) = &clicked.retry {
        tracing::info!(function = "teams", invocation_id, key = %retry.identity().key, "decision queued for a retry of the resume");
        outputs = Outbox::of(&app).put(outputs, retry).await?;
    }
    Ok(outputs.http(HTTP_OUT, HttpResponse::json(200, &clicked.response)))
}

/// Every tenant the activity names must be ours, and it must name one.
fn our_tenant(activity: &Activity, tenant_id: &str) -> bool {
    let named = [
        activity.conversation.as_ref().and_then(|c| c.tenant_id.as_deref()),
        activity
            .channel_data
            .as_ref()
            .and_then(|d| d.tenant.as_ref())
            .and_then(|t| t.id.as_deref()),
    ];
    named.iter().any(Option::is_some) && named.iter().flatten().all(|t| t.eq_ignore_ascii_case(tenant_id))
}

fn bad_activity(detail: &str) -> HttpResponse {
    HttpResponse::problem(&Problem::new("invalid-activity", "The activity is not valid", 400).with_detail(detail))
}

fn forbidden(detail: &str) -> HttpResponse {
    HttpResponse::problem(&Problem::new("forbidden", "The activity is not allowed", 403).with_detail(detail))
}

fn answer(response: HttpResponse) -> Outputs {
    Outputs::new().http(HTTP_OUT, response)
}
