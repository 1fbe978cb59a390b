//! The registry routes: `GET /registry`, `GET /registry/{registry_id}` (with its schedules)
//! and `GET /registry/{registry_id}/repository`.

use super::errors::{ApiError, blocking, finish, json_response};
use super::listing::{
    Params, REGISTRY_FILTER_FIELDS, REGISTRY_SORT_FIELDS, REPOSITORY_FILTER_FIELDS,
    REPOSITORY_SORT_FIELDS, page_mapped, page_of,
};
use super::{AppState, BASE};
use crate::config::RegistryState;
use crate::query::{self, SortValue};
use crate::wire::{self, WireProfile};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use qualys_cs_core::{Registry, RegistryDetails, RegistryId, Schedule};
use std::sync::Arc;

pub(super) fn parse_registry_id(st: &AppState, raw: &str) -> Result<Arc<RegistryState>, ApiError> {
    let id = RegistryId::parse(raw).map_err(|e| ApiError::bad_request(e.to_string()))?;
    st.registry(id.as_str()).ok_or_else(|| {
        ApiError::not_found(format!(
            "registry {id} not found; GET {BASE}/registry lists the registries"
        ))
    })
}

fn schedules_of(st: &AppState, reg: &RegistryState) -> Result<Vec<Schedule>, ApiError> {
    let rows = st.store.read(|tx| tx.list(reg.id()))?;
    let t = reg.details.registry.registry_type.as_ref();
    Ok(rows.iter().map(|r| r.to_schedule(t)).collect())
}

pub(super) async fn list_registries(
    State(st): State<Arc<AppState>>,
    uri: axum::http::Uri,
) -> Response {
    blocking(st, move |st| {
        let p = Params::from_uri(&uri);
        let filter = p.filter(REGISTRY_FILTER_FIELDS)?;
        let sort = p.sort(REGISTRY_SORT_FIELDS)?;
        let paging = p.paging()?;
        let mut items: Vec<Arc<RegistryState>> = st
            .registries()
            .into_iter()
            .filter(|r| filter.matches(|f| st.registry_value(&r.details.registry, f)))
            .collect();
        query::sort_by_keys(&mut items, &sort, |r, f| match f {
            "created" => r
                .details
                .registry
                .created
                .map_or(SortValue::Null, |m| SortValue::Num(m.0)),
            f => st
                .registry_value(&r.details.registry, f)
                .map_or(SortValue::Null, SortValue::Text),
        });
        match st.wire {
            WireProfile::Oas2021 => {
                let rows = st.store.read(|tx| tx.all())?;
                Ok(page_mapped(items, paging, |r| wire::oas_registry(r, &rows)))
            }
            WireProfile::Full => {
                let items: Vec<Registry> = items
                    .into_iter()
                    .map(|r| r.details.registry.clone())
                    .collect();
                Ok(page_of(items, paging))
            }
        }
    })
    .await
}

pub(super) async fn get_registry(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let reg = &*reg;
        if st.wire == WireProfile::Oas2021 {
            let rows = st.store.read(|tx| tx.list(reg.id()))?;
            return Ok(json_response(
                StatusCode::OK,
                &wire::oas_registry_details(reg, &rows),
            ));
        }
        let details = RegistryDetails {
            schedules: Some(schedules_of(st, reg)?),
            ..reg.details.clone()
        };
        let mut v = serde_json::to_value(&details).unwrap_or_default();
        if let serde_json::Value::Object(m) = &mut v {
            wire::put_managed(m, &reg.managed);
        }
        Ok(json_response(StatusCode::OK, &v))
    })
    .await
}

pub(super) async fn list_repositories(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    let r = (|| {
        let reg = parse_registry_id(&st, &registry_id)?;
        let reg = &*reg;
        let p = Params::from_uri(&uri);
        let filter = p.filter(REPOSITORY_FILTER_FIELDS)?;
        let sort = p.sort(REPOSITORY_SORT_FIELDS)?;
        let paging = p.paging()?;
        let mut items: Vec<_> = reg
            .repositories
            .iter()
            .filter(|r| filter.matches(|_| Some(r.repo_name.clone())))
            .cloned()
            .collect();
        query::sort_by_keys(&mut items, &sort, |r, f| {
            let n = |v: Option<i64>| v.map_or(SortValue::Null, SortValue::Num);
            match f {
                "totalImages" => n(r.total_images),
                "totalScannedImages" => n(r.total_scanned_images),
                "totalVulnerableImages" => n(r.total_vulnerable_images),
                _ => SortValue::Text(r.repo_name.clone()),
            }
        });
        Ok(page_of(items, paging))
    })();
    finish(&st, r)
}
