//! What the list routes share: the query parameters (`filter`, `sort`, paging), the filterable
//! and sortable fields of each list, field values as the wire profile shows them, the SQL
//! narrowing of a schedule filter, and a list answered as a page.

use super::AppState;
use super::errors::json_response;
use crate::query::{self, Filter, Matcher, Paging, QueryError, SortValue};
use crate::store::Narrow;
use crate::wire::WireProfile;
use axum::http::StatusCode;
use axum::response::Response;
use qualys_cs_core::{Page, Registry, Schedule};
use serde_json::Value;

/// Filterable and sortable fields of each list.
pub const SCHEDULE_FILTER_FIELDS: &[&str] = &[
    "scheduleUuid",
    "name",
    "status",
    "onDemand",
    "registryType",
    "scheduleIntervalInDays",
    "weekDay",
];
/// Sortable schedule fields.
pub const SCHEDULE_SORT_FIELDS: &[&str] = &[
    "scheduleUuid",
    "name",
    "status",
    "onDemand",
    "registryType",
    "scheduleIntervalInDays",
    "weekDay",
    "created",
    "updated",
];
/// Filterable registry fields.
pub const REGISTRY_FILTER_FIELDS: &[&str] = &[
    "registryUuid",
    "registryName",
    "registryUri",
    "registryType",
];
/// Sortable registry fields.
pub const REGISTRY_SORT_FIELDS: &[&str] = &[
    "registryUuid",
    "registryName",
    "registryUri",
    "registryType",
    "created",
];
/// Filterable repository fields.
pub const REPOSITORY_FILTER_FIELDS: &[&str] = &["repoName"];
/// Sortable repository fields.
pub const REPOSITORY_SORT_FIELDS: &[&str] = &[
    "repoName",
    "totalImages",
    "totalScannedImages",
    "totalVulnerableImages",
];

pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn from_uri(uri: &axum::http::Uri) -> Self {
        Params(
            url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    pub(super) fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub(super) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub(super) fn filter(&self, allowed: &[&'static str]) -> Result<Filter, QueryError> {
        query::parse_filter(self.one("filter").unwrap_or(""), allowed)
    }
    pub(super) fn sort(&self, allowed: &[&'static str]) -> Result<Vec<query::SortKey>, QueryError> {
        query::parse_sort(self.one("sort").unwrap_or(""), allowed)
    }
    pub(super) fn paging(&self) -> Result<Paging, QueryError> {
        Paging::parse(self.one("pageNumber"), self.one("pageSize"))
    }
}

pub(super) fn page_of<T: serde::Serialize>(items: Vec<T>, paging: Paging) -> Response {
    let count = items.len() as u64;
    json_response(
        StatusCode::OK,
        &Page {
            count,
            data: paging.apply(items),
            ..Default::default()
        },
    )
}

/// A page whose items are turned into JSON after paging (only the page's items are mapped).
pub(super) fn page_mapped<T>(items: Vec<T>, paging: Paging, f: impl Fn(&T) -> Value) -> Response {
    let count = items.len() as u64;
    let data: Vec<Value> = paging.apply(items).iter().map(f).collect();
    json_response(
        StatusCode::OK,
        &Page {
            count,
            data,
            ..Default::default()
        },
    )
}

/// The internal sort key of creation order (ties of `created`/`updated`).
pub(super) const SEQ_SORT_KEY: &str = "\u{0}seq";

/// Fields an Oas2021 schedule list item does not carry: a filter on them matches nothing and
/// a sort on them sorts as if absent.
const OAS_HIDDEN_SCHEDULE_FIELDS: &[&str] = &["registryType", "scheduleIntervalInDays", "weekDay"];
/// Fields an Oas2021 registry list item does not carry.
const OAS_HIDDEN_REGISTRY_FIELDS: &[&str] = &["registryName"];

impl AppState {
    fn hides(&self, hidden: &[&str], field: &str) -> bool {
        self.wire == WireProfile::Oas2021 && hidden.contains(&field)
    }

    /// A schedule's value for a filter, as the current profile shows it.
    pub(super) fn schedule_filter_value(&self, s: &Schedule, field: &str) -> Option<String> {
        if self.hides(OAS_HIDDEN_SCHEDULE_FIELDS, field) {
            return None;
        }
        schedule_field(s, field)
    }

    pub(super) fn schedule_sort_value(&self, s: &Schedule, field: &str) -> SortValue {
        if self.hides(OAS_HIDDEN_SCHEDULE_FIELDS, field) {
            return SortValue::Null;
        }
        schedule_sort_value(s, field)
    }

    pub(super) fn registry_value(&self, r: &Registry, field: &str) -> Option<String> {
        if self.hides(OAS_HIDDEN_REGISTRY_FIELDS, field) {
            return None;
        }
        registry_field(r, field)
    }
}

fn schedule_field(s: &Schedule, field: &str) -> Option<String> {
    Some(match field {
        "scheduleUuid" => s.schedule_uuid.clone(),
        "name" => s.name.clone(),
        "status" => s.status.as_ref()?.to_string(),
        "onDemand" => s.on_demand?.to_string(),
        "registryType" => s.registry_type.as_ref()?.to_string(),
        "scheduleIntervalInDays" => s.schedule_interval_in_days?.to_string(),
        "weekDay" => s.week_day.as_ref()?.to_string(),
        _ => return None,
    })
}

fn schedule_sort_value(s: &Schedule, field: &str) -> SortValue {
    match field {
        "created" => s.created.map_or(SortValue::Null, |m| SortValue::Num(m.0)),
        "updated" => s.updated.map_or(SortValue::Null, |m| SortValue::Num(m.0)),
        "scheduleIntervalInDays" => s
            .schedule_interval_in_days
            .map_or(SortValue::Null, SortValue::Num),
        "weekDay" => s
            .week_day
            .as_ref()
            .and_then(|w| w.index_from_monday())
            .map_or(SortValue::Null, |i| SortValue::Num(i64::from(i))),
        f => schedule_field(s, f).map_or(SortValue::Null, SortValue::Text),
    }
}

fn registry_field(r: &Registry, field: &str) -> Option<String> {
    match field {
        "registryUuid" => Some(r.registry_uuid.clone()),
        "registryName" => r.registry_name.clone(),
        "registryUri" => r.registry_uri.clone(),
        "registryType" => r.registry_type.as_ref().map(ToString::to_string),
        _ => None,
    }
}

/// What SQL can narrow a schedule list to: the equality terms (no `*`) on the fields with an
/// indexed key. Exact, so the full filter on the rows left gives the same answer as on all.
pub(super) fn narrow(filter: &Filter) -> Narrow {
    let mut n = Narrow::default();
    for t in &filter.terms {
        let Matcher::Value(v) = &t.matcher else {
            continue; // field:* — these fields always have a value
        };
        if v.contains('*') {
            continue;
        }
        match t.field {
            "scheduleUuid" => n.id(v),
            "name" => n.name(v),
            "status" => n.status(v),
            "onDemand" => n.on_demand(v),
            _ => {}
        }
    }
    n
}
