//! `/subscriptions`: create (with the handshake), get, list, renew (PATCH), delete, reauthorize.
//!
//! Refusals (Graph's codes where users report them, otherwise the sim's choice): a missing
//! required field, a resource other than `groups[/{id}[/members]]`, an unknown group, a change
//! type outside `created,updated,deleted`, `includeResourceData` (groups have no rich notifications), a
//! `clientState` over 128 characters, an expiry in the past or beyond 41,760 minutes: 400
//! `InvalidRequest`. Over 100 subscriptions for the app: 403 `ExtensionError`. A failed
//! handshake: 400 `ValidationError`, or `InvalidRequest` "Subscription validation request timed
//! out." (Graph allows the endpoint 10 s). Unknown id: 404 `ResourceNotFound`. A renewal (PATCH) re-runs the handshake
//! only when `notificationUrl` changes (whether Graph re-validates on renewal is UNCONFIRMED).

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::graph::auth::Caller;
use crate::odata::errors::GraphError;
use crate::odata::ApiVersion;
use crate::subs::deliver::handshake;
use crate::subs::service::SubsService;
use crate::subs::{DeliveryKind, Subscription, MAX_GROUP_SUBSCRIPTION_MINUTES, MAX_SUBSCRIPTIONS_PER_APP};

/// The routes, relative to a Graph version root (behind Graph's bearer check, which provides
/// the [`Caller`]).
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    SubsService: FromRef<S>,
{
    Router::new()
        .route("/subscriptions", post(create).get(list))
        .route("/subscriptions/{id}", get(get_one).patch(renew).delete(delete))
        .route("/subscriptions/{id}/reauthorize", post(reauthorize))
}

fn invalid(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "InvalidRequest", message)
}

fn not_found(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("The object was not found. Subscription '{id}'."),
    )
}

fn parse_body(body: &Bytes) -> Result<Value, GraphError> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| invalid("The request body must be a JSON object."))
}

fn expiration(body: &Value) -> Result<Option<DateTime<Utc>>, GraphError> {
    let Some(raw) = body.get("expirationDateTime") else {
        return Ok(None);
    };
    let text = raw
        .as_str()
        .ok_or_else(|| invalid("expirationDateTime must be a string."))?;
    let at = DateTime::parse_from_rfc3339(text)
        .map_err(|_| invalid(format!("Cannot parse expirationDateTime '{text}'.")))?
        .with_timezone(&Utc);
    let now = Utc::now();
    if at <= now {
        return Err(invalid("Subscription expiration must be in the future."));
    }
    if at > now + chrono::Duration::minutes(MAX_GROUP_SUBSCRIPTION_MINUTES) {
        return Err(invalid(format!(
            "Subscription expiration can only be {MAX_GROUP_SUBSCRIPTION_MINUTES} minutes in the future."
        )));
    }
    Ok(Some(at))
}

fn context(sim: &SubsService, version: ApiVersion, entity: bool) -> String {
    format!(
        "{}/{}/$metadata#subscriptions{}",
        sim.authority.base_url,
        version.0,
        if entity { "/$entity" } else { "" }
    )
}

fn caller_ids(caller: &Caller) -> (String, String) {
    let claim = |k: &str| caller.0.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let app = Some(claim("appid"))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| claim("azp"));
    (app, claim("oid"))
}

/// `POST /{version}/subscriptions` → 201 after both handshakes pass.
async fn create(
    State(sim): State<SubsService>,
    Extension(version): Extension<ApiVersion>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = parse_body(&body)?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let required = |k: &str| {
        text(k)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid(format!("{k} is required.")))
    };
    let change_type = required("changeType")?;
    let notification_url = required("notificationUrl")?;
    let resource = required("resource")?;
    let expiration = expiration(&body)?.ok_or_else(|| invalid("expirationDateTime is required."))?;
    if change_type
        .split(',')
        .any(|c| !["created", "updated", "deleted"].contains(&c.trim()))
    {
        return Err(invalid(format!("Invalid changeType '{change_type}'.")));
    }
    if body.get("includeResourceData").is_some() {
        return Err(invalid("includeResourceData is not supported for the groups resource."));
    }
    let client_state = text("clientState");
    if client_state.as_ref().is_some_and(|c| c.chars().count() > 128) {
        return Err(invalid("clientState must be at most 128 characters."));
    }
    let parts: Vec<&str> = resource.trim_matches('/').split('/').collect();
    let group = match parts.as_slice() {
        [g] if g.eq_ignore_ascii_case("groups") => None,
        [g, id] if g.eq_ignore_ascii_case("groups") => Some(*id),
        [g, id, m] if g.eq_ignore_ascii_case("groups") && m.eq_ignore_ascii_case("members") => Some(*id),
        _ => {
            return Err(invalid(format!(
                "Resource '{resource}' is not supported by the simulator."
            )))
        }
    };
    if let Some(g) = group {
        if sim.directory.state().group(g).is_none() {
            return Err(invalid(format!("Resource '{resource}' does not exist.")));
        }
    }
    let (app, oid) = caller_ids(&caller);
    let count = sim
        .subs()
        .subscriptions
        .iter()
        .filter(|s| s.application_id.eq_ignore_ascii_case(&app))
        .count();
    if count >= MAX_SUBSCRIPTIONS_PER_APP {
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "ExtensionError",
            format!("Operation: Create; Exception: [Status Code: Forbidden; Reason: The number of subscriptions for this app and tenant has reached the limit of {MAX_SUBSCRIPTIONS_PER_APP}.]"),
        ));
    }
    let sub = Subscription {
        id: uuid::Uuid::new_v4().to_string(),
        resource,
        change_type,
        notification_url,
        lifecycle_notification_url: text("lifecycleNotificationUrl"),
        client_state,
        expiration,
        application_id: app,
        creator_id: oid,
        latest_supported_tls_version: text("latestSupportedTlsVersion").unwrap_or_else(|| "v1_2".to_owned()),
        reauthorization_required: false,
    };
    validate_urls(&sim, &sub, true).await?;
    let mut json = sub.json(true);
    json["@odata.context"] = json!(context(&sim, version, true));
    tracing::info!(subscription = %sub.id, resource = %sub.resource, "subscription created");
    sim.subs().subscriptions.push(sub);
    sim.subs_changed.notify_waiters();
    Ok((StatusCode::CREATED, Json(json)))
}

/// Runs the handshake against the notification URL and (when `lifecycle`) the lifecycle URL.
async fn validate_urls(sim: &SubsService, sub: &Subscription, lifecycle: bool) -> Result<(), GraphError> {
    let mut urls = vec![(DeliveryKind::Handshake, sub.notification_url.clone())];
    if let (true, Some(l)) = (lifecycle, &sub.lifecycle_notification_url) {
        urls.push((DeliveryKind::LifecycleHandshake, l.clone()));
    }
    for (kind, url) in urls {
        if let Err(f) = handshake(sim, kind, &sub.id, &url).await {
            sim.subs_changed.notify_waiters();
            return Err(GraphError::new(StatusCode::BAD_REQUEST, f.code, f.message));
        }
    }
    Ok(())
}

/// `GET /{version}/subscriptions/{id}` (`clientState` is never returned).
async fn get_one(
    State(sim): State<SubsService>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let subs = sim.subs();
    let s = subs.get(&id).ok_or_else(|| not_found(&id))?;
    let mut json = s.json(false);
    json["@odata.context"] = json!(context(&sim, version, true));
    Ok(Json(json))
}

/// `GET /{version}/subscriptions`: the calling app's subscriptions.
async fn list(
    State(sim): State<SubsService>,
    Extension(version): Extension<ApiVersion>,
    Extension(caller): Extension<Caller>,
) -> Json<Value> {
    let (app, _) = caller_ids(&caller);
    let mut subs = sim.subs();
    subs.drop_expired(Utc::now());
    let value: Vec<Value> = subs
        .subscriptions
        .iter()
        .filter(|s| s.application_id.eq_ignore_ascii_case(&app))
        .map(|s| s.json(false))
        .collect();
    Json(json!({ "@odata.context": context(&sim, version, false), "value": value }))
}

/// `PATCH /{version}/subscriptions/{id}` with `expirationDateTime` and/or `notificationUrl` → 200.
/// A renewal also reauthorizes.
async fn renew(
    State(sim): State<SubsService>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    let body = parse_body(&body)?;
    let expiration = expiration(&body)?;
    let new_url = body.get("notificationUrl").and_then(Value::as_str).map(str::to_owned);
    let mut candidate = sim.subs().get(&id).cloned().ok_or_else(|| not_found(&id))?;
    if let Some(url) = new_url.filter(|u| *u != candidate.notification_url) {
        candidate.notification_url = url;
        validate_urls(&sim, &candidate, false).await?;
    }
    let mut subs = sim.subs();
    let s = subs.get_mut(&id).ok_or_else(|| not_found(&id))?;
    s.notification_url = candidate.notification_url;
    if let Some(e) = expiration {
        s.expiration = e;
    }
    s.reauthorization_required = false;
    let mut json = s.json(false);
    json["@odata.context"] = json!(context(&sim, version, true));
    drop(subs);
    sim.subs_changed.notify_waiters();
    Ok(Json(json))
}

/// `DELETE /{version}/subscriptions/{id}` → 204.
async fn delete(State(sim): State<SubsService>, Path(id): Path<String>) -> Result<StatusCode, GraphError> {
    let mut subs = sim.subs();
    let before = subs.subscriptions.len();
    subs.subscriptions.retain(|s| !s.id.eq_ignore_ascii_case(&id));
    if subs.subscriptions.len() == before {
        return Err(not_found(&id));
    }
    drop(subs);
    sim.subs_changed.notify_waiters();
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /{version}/subscriptions/{id}/reauthorize` → 204 (expiry unchanged).
async fn reauthorize(State(sim): State<SubsService>, Path(id): Path<String>) -> Result<StatusCode, GraphError> {
    let mut subs = sim.subs();
    let s = subs.get_mut(&id).ok_or_else(|| not_found(&id))?;
    s.reauthorization_required = false;
    drop(subs);
    sim.subs_changed.notify_waiters();
    Ok(StatusCode::NO_CONTENT)
}
