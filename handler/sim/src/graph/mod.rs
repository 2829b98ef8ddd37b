//! The simulated Microsoft Graph: users, managers, groups and members, Intune managed devices
//! and `syncDevice`, and `$batch`.
//! Served under `/v1.0` and `/beta` alike.

pub(crate) mod area;
pub(crate) mod auth;
pub mod batch;
pub mod delta;
mod devices;
mod groups;
mod users;

use std::sync::Arc;

use axum::routing::{delete, get, post};
use axum::{Extension, Router};

use crate::odata::ApiVersion;
use crate::shared::Shared;
use crate::subs::routes as subs;
pub use auth::GRAPH_AUDIENCES;

/// The Graph routes of one version, all behind bearer-token validation.
pub(crate) fn router(sim: Arc<Shared>, version: &'static str) -> Router<Arc<Shared>> {
    Router::new()
        .route("/users/{id}", get(users::get_user))
        .route("/users/{id}/manager", get(users::get_manager))
        .route("/users/{id}/sendMail", post(crate::mail::routes::send_mail))
        .route("/groups/delta", get(delta::delta))
        .route("/groups/{id}", get(groups::get_group))
        .route("/groups/{id}/members", get(groups::list_members))
        .route("/groups/{id}/members/$ref", post(groups::add_member))
        .route("/groups/{id}/members/{member}/$ref", delete(groups::remove_member))
        .route("/users/{id}/managedDevices", get(devices::list_user_devices))
        .route("/deviceManagement/managedDevices", get(devices::list_devices))
        .route("/deviceManagement/managedDevices/{id}", get(devices::get_device))
        .route(
            "/deviceManagement/managedDevices/{id}/syncDevice",
            post(devices::sync_device),
        )
        .route("/$batch", post(batch::batch))
        .route("/subscriptions", post(subs::create).get(subs::list))
        .route(
            "/subscriptions/{id}",
            get(subs::get).patch(subs::renew).delete(subs::delete),
        )
        .route("/subscriptions/{id}/reauthorize", post(subs::reauthorize))
        .merge(crate::em::routes::routes())
        .merge(crate::provisioning::routes())
        .layer(axum::middleware::from_fn_with_state(
            sim.authority.clone(),
            auth::require_token,
        ))
        .layer(Extension(ApiVersion(version)))
}
