//! `POST /auth`: a form login that answers a JWT as text (`token=true` required).

use super::AppState;
use super::errors::{ApiError, finish};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub(super) async fn auth_token(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let r = (|| {
        let mut username = None;
        let mut password = None;
        let mut token = None;
        for (k, v) in url::form_urlencoded::parse(&body) {
            match k.as_ref() {
                "username" => username = Some(v.into_owned()),
                "password" => password = Some(v.into_owned()),
                "token" => token = Some(v.into_owned()),
                _ => {}
            }
        }
        let (Some(username), Some(password)) = (username, password) else {
            return Err(ApiError::bad_request(
                "username and password are required as form fields (application/x-www-form-urlencoded), with token=true",
            ));
        };
        if token.as_deref() != Some("true") {
            return Err(ApiError::bad_request(
                "token=true is required: this endpoint only issues tokens",
            ));
        }
        let Some(user) = st.auth.login(&username, &password) else {
            tracing::info!(%username, "login refused");
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid credentials: the user name or password is wrong",
            ));
        };
        let jwt = st.auth.issue(user, st.clock.now_ms().div_euclid(1000));
        tracing::info!(%username, "token issued");
        Ok((
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            jwt,
        )
            .into_response())
    })();
    finish(&st, r)
}
