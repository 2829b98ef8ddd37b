//! The simulated Microsoft Graph: users, managers, groups and members, Intune managed devices
//! and `syncDevice`, and `$batch`; the bearer check every Graph route is behind (`auth`).
//! Served under `/v1.0` and `/beta` alike.

pub(crate) mod area;
pub(crate) mod auth;
pub mod batch;
pub mod delta;
mod devices;
mod groups;
mod users;

use axum::extract::FromRef;
use axum::routing::{delete, get, post};
use axum::Router;

use area::GraphArea;
pub use auth::GRAPH_AUDIENCES;
use batch::BatchStack;

/// The directory routes, relative to a Graph version root. The router serves them under
/// `/v1.0` and `/beta` alike, with the other Graph areas' routes, behind [`auth::require_token`]
/// and with the version as an [`ApiVersion`](crate::odata::ApiVersion) extension.
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    GraphArea: FromRef<S>,
    BatchStack: FromRef<S>,
{
    Router::new()
        .route("/users/{id}", get(users::get_user))
        .route("/users/{id}/manager", get(users::get_manager))
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
}
