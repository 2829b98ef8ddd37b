//! The Teams client helper: a user clicks an `Action.Execute` on a posted card, and the
//! Bot Connector delivers the invoke to the bot's messaging endpoint with a channel token.

use bytes::Bytes;
use chrono::Utc;
use serde_json::{Map, Value};

use super::card::{find_action, refresh_action, CardAction};
use super::invoke::{invoke_activity, user_mri, InvokeContext, InvokeResponse};
use super::service_url;
use super::store::InvokeRecord;
use super::teams::TeamsHandles;
use super::token::ChannelToken;
use crate::error::{Result, SimError};

/// Clicks cards as Teams users (see [`TenantSim::teams_client`](crate::TenantSim::teams_client)).
#[derive(Debug, Clone)]
pub struct TeamsClient {
    pub(crate) teams: TeamsHandles,
}

impl TeamsClient {
    /// The card `user` (object id or UPN) sees on an activity: their own view from an earlier
    /// invoke answer, else the activity's current card.
    pub fn card_seen_by(&self, user: &str, conversation_id: &str, activity_id: &str) -> Option<Value> {
        let user_id = self.teams.directory.state().user(user).map(|u| u.id.clone())?;
        let store = self.teams.bot.store();
        store
            .activity(conversation_id, activity_id)?
            .card_seen_by(&user_id)
            .cloned()
    }

    /// The `Action.Execute` with `verb` on the card `user` sees (nested `Action.ShowCard`
    /// cards included).
    pub fn find_action(&self, user: &str, conversation_id: &str, activity_id: &str, verb: &str) -> Option<CardAction> {
        find_action(&self.card_seen_by(user, conversation_id, activity_id)?, verb)
    }

    /// Prepares a click by `user` (object id or UPN of a directory user) on the `verb`
    /// action of the card in `activity_id`; [`Click::send`] delivers it.
    pub fn click(&self, user: &str, conversation_id: &str, activity_id: &str, verb: &str) -> Click {
        Click {
            teams: self.teams.clone(),
            user: user.to_owned(),
            conversation_id: conversation_id.to_owned(),
            activity_id: activity_id.to_owned(),
            verb: verb.to_owned(),
            inputs: Map::new(),
            auth: Auth::Token(ChannelToken::genuine()),
            channel: "msteams".to_owned(),
            tenant_id: None,
            service_url: None,
            card: None,
            trigger: "manual".to_owned(),
            refresh: false,
            tamper: Vec::new(),
        }
    }

    /// Prepares the automatic refresh Teams sends for `user` when the card has a `refresh`
    /// (its `refresh.action`, `trigger: "automatic"`); whether Teams would send it (the
    /// `userIds` list, at most 60 users, and how often Teams refreshes) is the test's to decide.
    pub fn refresh(&self, user: &str, conversation_id: &str, activity_id: &str) -> Click {
        let mut click = self.click(user, conversation_id, activity_id, "");
        click.refresh = true;
        click.trigger = "automatic".to_owned();
        click
    }
}

type Tamper = Box<dyn Fn(&mut Value) + Send + Sync>;

enum Auth {
    Token(ChannelToken),
    Header(Option<String>),
}

/// One click to deliver; change what Teams would send with the builder methods (for negative
/// tests), then [`send`](Self::send).
pub struct Click {
    teams: TeamsHandles,
    user: String,
    conversation_id: String,
    activity_id: String,
    verb: String,
    inputs: Map<String, Value>,
    auth: Auth,
    channel: String,
    tenant_id: Option<String>,
    service_url: Option<String>,
    card: Option<Value>,
    trigger: String,
    refresh: bool,
    tamper: Vec<Tamper>,
}

impl std::fmt::Debug for Click {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Click")
            .field("user", &self.user)
            .field("conversation_id", &self.conversation_id)
            .field("activity_id", &self.activity_id)
            .field("verb", &self.verb)
            .finish_non_exhaustive()
    }
}

/// What came back from the messaging endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct InvokeOutcome {
    /// The HTTP status; `None` when no answer came (see `error`).
    pub status: Option<u16>,
    /// The answer's body as JSON, if it was JSON.
    pub body: Option<Value>,
    /// The body read as an invoke response, if it is one.
    pub response: Option<InvokeResponse>,
    /// Why no answer came.
    pub error: Option<String>,
    /// The activity that was sent.
    pub activity: Value,
}

impl InvokeOutcome {
    /// The card the user now sees, when the answer is a 200 card.
    pub fn card(&self) -> Option<&Value> {
        self.response.as_ref()?.card()
    }
}

impl Click {
    /// What the user typed into an input (`id` = the input's id).
    pub fn input(mut self, id: impl Into<String>, value: impl Into<String>) -> Self {
        self.inputs.insert(id.into(), Value::String(value.into()));
        self
    }

    /// Signs with this (possibly flawed) channel token instead of a genuine one.
    pub fn token(mut self, token: ChannelToken) -> Self {
        self.auth = Auth::Token(token);
        self
    }

    /// Sends this `Authorization` header verbatim (`None`: no header at all).
    pub fn authorization(mut self, header: Option<String>) -> Self {
        self.auth = Auth::Header(header);
        self
    }

    /// The activity's `channelId` (default `msteams`).
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = channel.into();
        self
    }

    /// The tenant the activity names (`conversation.tenantId`, `channelData.tenant.id`);
    /// default the sim's.
    pub fn tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    /// The activity's `serviceUrl` (default the sim's Bot Connector; the token keeps its own).
    pub fn service_url(mut self, url: impl Into<String>) -> Self {
        self.service_url = Some(url.into());
        self
    }

    /// Clicks on this card instead of the current one (e.g. an older version: a replay).
    pub fn on_card(mut self, card: Value) -> Self {
        self.card = Some(card);
        self
    }

    /// `value.trigger` (default `manual`; `automatic` is a refresh).
    pub fn trigger(mut self, trigger: impl Into<String>) -> Self {
        self.trigger = trigger.into();
        self
    }

    /// Changes the activity after it is built (e.g. tampers with `value.action.data`).
    pub fn tamper(mut self, f: impl Fn(&mut Value) + Send + Sync + 'static) -> Self {
        self.tamper.push(Box::new(f));
        self
    }

    /// The activity this click sends, without sending it.
    pub fn activity(&self) -> Result<Value> {
        let sim = &self.teams;
        let user = sim
            .directory
            .state()
            .user(&self.user)
            .cloned()
            .ok_or_else(|| SimError::NotFound {
                kind: "user",
                id: self.user.clone(),
            })?;
        let card = match &self.card {
            Some(card) => card.clone(),
            None => {
                let store = sim.bot.store();
                let activity = store
                    .activity(&self.conversation_id, &self.activity_id)
                    .ok_or_else(|| SimError::NotFound {
                        kind: "bot activity",
                        id: format!("{} in {}", self.activity_id, self.conversation_id),
                    })?;
                activity
                    .card_seen_by(&user.id)
                    .cloned()
                    .ok_or_else(|| SimError::NotFound {
                        kind: "card on activity",
                        id: self.activity_id.clone(),
                    })?
            }
        };
        let action = if self.refresh {
            refresh_action(&card).ok_or_else(|| SimError::NotFound {
                kind: "refresh action on card",
                id: self.activity_id.clone(),
            })?
        } else {
            find_action(&card, &self.verb).ok_or_else(|| SimError::NotFound {
                kind: "Action.Execute verb",
                id: self.verb.clone(),
            })?
        };
        if let Some(unknown) = self.inputs.keys().find(|k| !action.inputs.iter().any(|i| &i.id == *k)) {
            return Err(SimError::NotFound {
                kind: "card input",
                id: unknown.clone(),
            });
        }
        let (conversation_channel, team_id) = {
            let store = sim.bot.store();
            let conversation = store.conversation(&self.conversation_id);
            (
                conversation.map(|c| c.channel_id.clone()),
                conversation.and_then(|c| c.team_id.clone()),
            )
        };
        let settings = sim.bot.settings().clone();
        let app_id = settings.app_id.clone().unwrap_or_default();
        let connector = service_url(&sim.authority.base_url);
        let tenant_id = self
            .tenant_id
            .clone()
            .unwrap_or_else(|| sim.authority.tenant_id.clone());
        let ctx = InvokeContext {
            user_mri: user_mri(&app_id, &user.id),
            user_name: &user.display_name,
            user_object_id: &user.id,
            tenant_id: &tenant_id,
            conversation_id: &self.conversation_id,
            channel_id: conversation_channel.as_deref(),
            team_id: team_id.as_deref(),
            reply_to_id: &self.activity_id,
            bot_app_id: &app_id,
            bot_name: &settings.name,
            service_url: self.service_url.as_deref().unwrap_or(&connector),
            channel: &self.channel,
            trigger: &self.trigger,
        };
        let mut activity = invoke_activity(&ctx, &action, &self.inputs);
        for tamper in &self.tamper {
            tamper(&mut activity);
        }
        Ok(activity)
    }

    /// The `Authorization` header this click sends.
    pub fn authorization_header(&self) -> Result<Option<String>> {
        match &self.auth {
            Auth::Header(h) => Ok(h.clone()),
            Auth::Token(spec) => Ok(Some(format!(
                "Bearer {}",
                spec.mint(&self.teams.bot, &self.teams.authority)?
            ))),
        }
    }

    /// Posts the invoke to the bot's messaging endpoint, as the Bot Connector does, and
    /// reads the answer. A 200 invoke response with a card becomes what this user sees on
    /// the activity. Error if the click cannot be built or no messaging endpoint is set; an
    /// endpoint that does not answer gives an outcome with `status: None`.
    pub async fn send(self) -> Result<InvokeOutcome> {
        let activity = self.activity()?;
        let authorization = self.authorization_header()?;
        let sim = self.teams.clone();
        let answer = deliver(&sim, &activity, authorization).await?;
        let user_id = activity["from"]["aadObjectId"].as_str().unwrap_or_default().to_owned();
        let response = answer.body.as_ref().and_then(InvokeResponse::parse);
        let outcome = InvokeOutcome {
            status: answer.status,
            body: answer.body,
            response,
            error: answer.error,
            activity,
        };
        tracing::info!(user = %user_id, verb = %self.verb, status = ?outcome.status, "teams client: invoke delivered");
        {
            let mut store = sim.bot.store();
            if outcome.status == Some(200) {
                if let Some(card) = outcome.card() {
                    if let Some(a) = store.activity_mut(&self.conversation_id, &self.activity_id) {
                        a.user_views.insert(user_id.clone(), card.clone());
                    }
                }
            }
            store.invokes.push(InvokeRecord {
                user_id,
                activity: outcome.activity.clone(),
                status: outcome.status,
                response: outcome.body.clone(),
                error: outcome.error.clone(),
                at: Utc::now(),
            });
        }
        sim.bot.notify();
        Ok(outcome)
    }
}

/// What the messaging endpoint answered to one delivered activity.
#[derive(Debug, Clone)]
pub(crate) struct Delivered {
    /// The HTTP status; `None` when no answer came (see `error`).
    pub status: Option<u16>,
    /// The answer's body as JSON, if it was JSON.
    pub body: Option<Value>,
    /// Why no answer came.
    pub error: Option<String>,
}

/// Posts `activity` to the bot's messaging endpoint as the Bot Connector does. Error if no
/// messaging endpoint is set; an endpoint that does not answer gives `status: None`.
pub(crate) async fn deliver(sim: &TeamsHandles, activity: &Value, authorization: Option<String>) -> Result<Delivered> {
    let (endpoint, timeout) = {
        let s = sim.bot.settings();
        (s.messaging_endpoint.clone(), s.invoke_timeout)
    };
    let endpoint = endpoint.ok_or_else(|| SimError::NotFound {
        kind: "bot messaging endpoint",
        id: "(set one with sim.bot().set_messaging_endpoint)".to_owned(),
    })?;
    let mut headers = vec![
        ("content-type", "application/json; charset=utf-8".to_owned()),
        (
            "user-agent",
            "Microsoft-SkypeBotApi (Microsoft-BotFramework 3.0)".to_owned(),
        ),
    ];
    if let Some(h) = authorization {
        headers.push(("authorization", h));
    }
    let body = Bytes::from(activity.to_string());
    Ok(
        match sim
            .outbound
            .send(http::Method::POST, &endpoint, &headers, body, timeout)
            .await
        {
            Ok(a) => Delivered {
                status: Some(a.status),
                body: serde_json::from_slice(&a.body).ok(),
                error: None,
            },
            Err(e) => Delivered {
                status: None,
                body: None,
                error: Some(e.to_string()),
            },
        },
    )
}
