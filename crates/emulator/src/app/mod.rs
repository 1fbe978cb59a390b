//! The HTTP application: the state every route shares, and the router that puts together
//! `/auth`, the CS routes under `/csapi/v1.3` (spec §3), the control routes under
//! `/_emulator` and `/openapi.json`, behind the gateway middleware that every client request
//! goes through (request id, journal, faults, auth, rate limit), the control-token check of
//! the control routes, and the `Date` header of every answer (from the clock's stamps).
//!
//! Everything that touches SQLite runs on tokio's blocking pool (`spawn_blocking`), never on
//! the async workers, so a long clock advance does not stall unrelated requests.
//!
//! Where things are:
//! - `state.rs`: [`AppState`] (store, clock, auth, faults, journal, limiter) and its
//!   clock/job sync, schedule creation, the twin fault, reset.
//! - `gateway.rs`: the middleware (body read, journal record, faults, late/twin, sync, auth,
//!   rate limit, rate-limit headers), the control-token gate and the `Date` header.
//! - `auth_route.rs`: `POST /auth`.
//! - `registries.rs`: `GET /registry`, `GET /registry/{id}`, `GET /registry/{id}/repository`.
//! - `registry_admin.rs`: registries as code (create, update, delete, bulk delete, validate)
//!   and the connector routes.
//! - `schedules.rs`: the schedule routes (list, create, update, delete, cancel, bulk).
//! - `control.rs`: the `/_emulator/*` routes.
//! - `listing.rs`: what the list routes share: query parameters, filterable/sortable fields,
//!   field values as the wire profile shows them, paging.
//! - `errors.rs`: [`ApiError`], the Qualys error shape, and turning a handler's result into an
//!   answer (on the blocking pool or not).

mod auth_route;
mod control;
mod errors;
mod gateway;
mod listing;
mod registries;
mod registry_admin;
mod schedules;
mod state;

pub use errors::{ApiError, error_code, error_response};
pub use listing::{
    REGISTRY_FILTER_FIELDS, REGISTRY_SORT_FIELDS, REPOSITORY_FILTER_FIELDS, REPOSITORY_SORT_FIELDS,
    SCHEDULE_FILTER_FIELDS, SCHEDULE_SORT_FIELDS,
};
pub use state::AppState;

use crate::wire::WireProfile;
use auth_route::auth_token;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::routing::{delete, get, post};
use control::{
    control_add_fault, control_advance, control_clear_faults, control_clear_requests,
    control_clock, control_list_faults, control_put_settings, control_registries,
    control_request_stats, control_requests, control_reset, control_schedules, control_settings,
};
use errors::json_response;
use gateway::{date_header, gateway};
use registries::{get_registry, list_registries, list_repositories};
use registry_admin::{
    aws_connectors_of, bulk_delete_registries, create_registry, delete_registry, get_aws_base,
    get_connector, list_connectors, update_registry, validate_registry,
};
use schedules::{
    bulk_cancel, bulk_delete, cancel_schedule, create_schedule, delete_schedule, list_schedules,
    update_schedule,
};
use std::sync::Arc;
use std::time::Duration;

/// The CS base path.
pub const BASE: &str = "/csapi/v1.3";
/// Largest request body accepted.
pub const MAX_BODY: usize = 1 << 20;
/// Default time a client has to send a whole request body.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The header that carries the control token (besides `Authorization: Bearer`).
pub const CONTROL_TOKEN_HEADER: &str = "x-emulator-control-token";

/// Marker put on a response whose connection must be closed without an answer.
#[derive(Clone, Copy, Debug)]
pub struct DropConnection;

/// The whole application.
pub fn router(st: Arc<AppState>) -> Router {
    let schedules = get(list_schedules).post(create_schedule);
    // The 2021 OpenAPI file puts bulk delete at DELETE /schedule (spec §6b); the docs' path
    // `/schedule/bulk` is served in both profiles.
    let schedules = match st.wire {
        WireProfile::Oas2021 => schedules.delete(bulk_delete),
        WireProfile::Full => schedules,
    };
    let cs = Router::new()
        .route(
            "/registry",
            get(list_registries)
                .post(create_registry)
                .delete(bulk_delete_registries),
        )
        .route("/registry/validate", post(validate_registry))
        .route("/registry/aws-base", get(get_aws_base))
        .route("/registry/{kind}/connectors", get(list_connectors))
        .route(
            "/registry/aws/connectors/{account_id}",
            get(aws_connectors_of),
        )
        .route(
            "/registry/{kind}/connector/{connector_id}",
            get(get_connector),
        )
        .route(
            "/registry/{registry_id}",
            get(get_registry)
                .put(update_registry)
                .delete(delete_registry),
        )
        .route("/registry/{registry_id}/repository", get(list_repositories))
        .route("/registry/{registry_id}/schedule", schedules)
        .route("/registry/{registry_id}/schedule/bulk", delete(bulk_delete))
        .route("/registry/{registry_id}/schedule/cancel", post(bulk_cancel))
        .route(
            "/registry/{registry_id}/schedule/{schedule_id}",
            axum::routing::put(update_schedule).delete(delete_schedule),
        )
        .route(
            "/registry/{registry_id}/schedule/{schedule_id}/cancel",
            post(cancel_schedule),
        );
    let control = Router::new()
        .route("/reset", post(control_reset))
        .route("/clock", get(control_clock))
        .route("/clock/advance", post(control_advance))
        .route(
            "/faults",
            post(control_add_fault)
                .get(control_list_faults)
                .delete(control_clear_faults),
        )
        .route(
            "/requests",
            get(control_requests).delete(control_clear_requests),
        )
        .route("/requests/stats", get(control_request_stats))
        .route("/schedules", get(control_schedules))
        .route("/registries", get(control_registries))
        .route("/settings", get(control_settings).put(control_put_settings));
    Router::new()
        .route("/auth", post(auth_token))
        .nest(BASE, cs)
        .nest("/_emulator", control)
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(st.clone(), gateway))
        .layer(middleware::map_response_with_state(st.clone(), date_header))
        .with_state(st)
}

async fn not_found(State(st): State<Arc<AppState>>, req: Request) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        &format!(
            "no route for {} {}; see GET /openapi.json for the routes",
            req.method(),
            req.uri().path()
        ),
        st.clock.stamp_ms(),
    )
}

async fn method_not_allowed(State(st): State<Arc<AppState>>, req: Request) -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!(
            "{} is not allowed on {}; see GET /openapi.json for the routes",
            req.method(),
            req.uri().path()
        ),
        st.clock.stamp_ms(),
    )
}

async fn openapi() -> Response {
    json_response(StatusCode::OK, &crate::openapi::document())
}
