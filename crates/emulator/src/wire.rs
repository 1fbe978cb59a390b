//! Wire profiles: which shape the emulator answers in.
//!
//! - [`WireProfile::Full`] (the default): the richer shape of the current documentation
//!   (spec §3–§6): list items carry every request field, create answers
//!   `{"scheduleUuid": …}`, and so on.
//! - [`WireProfile::Oas2021`]: the shape of Qualys's own v1.3 OpenAPI file (spec §6b): fewer
//!   fields, bare-string answers, no `registryName`, and a schema-validating gateway in front
//!   of create and update (422 for a body that does not match `ScheduleRequest`).
//!
//! Validation is core's in both profiles; only the shapes differ.

use crate::config::RegistryState;
use crate::store::ScheduleRow;
use qualys_cs_core::{Extra, Filter, JobError, Millis, Schedule};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value, json};
use std::fmt;
use std::str::FromStr;

/// The shape the emulator answers in (see the module docs and the crate README).
///
/// Written as the lowercase strings `"full"` and `"oas2021"` (serde, [`fmt::Display`]); read
/// by [`FromStr`] and serde alike, case-insensitively, with an error listing the valid names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WireProfile {
    /// Today's documentation (spec §3–§6): the richer shape. The default.
    #[default]
    Full,
    /// Qualys's own v1.3 OpenAPI file, 2021 edition (spec §6b).
    Oas2021,
}

impl WireProfile {
    /// Every profile, in the order of [`WireProfile::NAMES`].
    pub const ALL: [WireProfile; 2] = [WireProfile::Full, WireProfile::Oas2021];
    /// The names [`FromStr`] accepts.
    pub const NAMES: [&'static str; 2] = ["full", "oas2021"];

    /// The profile's name: `full` or `oas2021`.
    pub fn as_str(self) -> &'static str {
        match self {
            WireProfile::Full => "full",
            WireProfile::Oas2021 => "oas2021",
        }
    }
}

impl fmt::Display for WireProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown wire profile name; the message lists the valid ones.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown wire profile {given:?}: expected one of full, oas2021")]
pub struct ParseWireProfileError {
    /// What was given.
    pub given: String,
}

impl FromStr for WireProfile {
    type Err = ParseWireProfileError;

    /// `full` or `oas2021` (case-insensitive, surrounding blanks ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        WireProfile::ALL
            .into_iter()
            .find(|w| w.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| ParseWireProfileError {
                given: s.to_owned(),
            })
    }
}

impl<'de> Deserialize<'de> for WireProfile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Unknown request fields: never shadow what the emulator answers itself.

/// Every key a Full schedule list item carries, plus the request aliases of two of them.
/// Unknown request fields with one of these names (compared case-insensitively, so that
/// case-insensitive clients are not confused either) are kept but never echoed.
pub const SCHEDULE_ANSWER_KEYS: &[&str] = &[
    "scheduleUuid",
    "name",
    "onDemand",
    "scheduleIntervalInDays",
    "weekDay",
    "schedule",
    "forceScan",
    "registryType",
    "status",
    "filters",
    "additionalFilters",
    "errors",
    "created",
    "updated",
    "jobStartDate",
    "jobCompletionDate",
    "jobListingStartDate",
    "jobListingCompletionDate",
    "jobScanningStartDate",
    "jobScanningCompletionDate",
    // Aliases accepted on input (spec §4): never sent back.
    "OnDemand",
    "scheduleScanIntervalInDays",
];

/// The unknown request fields a Full list item may echo: those whose names are not
/// [`SCHEDULE_ANSWER_KEYS`].
pub fn echoable(extra: &Extra) -> Extra {
    extra
        .iter()
        .filter(|(k, _)| {
            !SCHEDULE_ANSWER_KEYS
                .iter()
                .any(|reserved| reserved.eq_ignore_ascii_case(k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Oas2021 shapes (spec §6b)

/// The keys of an Oas2021 schedule list item, in the order they are written. Keys without a
/// value (a date not reached yet, no `schedule` time) are omitted, never `null`.
pub const OAS_SCHEDULE_KEYS: &[&str] = &[
    "scheduleUuid",
    "name",
    "onDemand",
    "schedule",
    "status",
    "filters",
    "errors",
    "created",
    "updated",
    "jobStartDate",
    "jobCompletionDate",
    "jobListingStartDate",
    "jobListingCompletionDate",
    "jobScanningStartDate",
    "jobScanningCompletionDate",
];

/// The keys of an Oas2021 registry list item (the OpenAPI `Registry`), in order. Keys the
/// emulator has no value for are omitted.
pub const OAS_REGISTRY_KEYS: &[&str] = &[
    "registryUuid",
    "registryUri",
    "registryType",
    "providerType",
    "awsAccountId",
    "awsRegion",
    "dockerHubOrg",
    "repoCount",
    "totalImages",
    "totalScannedImages",
    "totalVulnerableImages",
    "scheduleStatusList",
    "lastScanned",
    "created",
    "updated",
];

/// The keys `RegistryDetails` adds to [`OAS_REGISTRY_KEYS`].
pub const OAS_REGISTRY_DETAILS_KEYS: &[&str] = &["aws", "connectors", "credential"];

fn put(m: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        m.insert(key.to_owned(), v);
    }
}

fn date(m: Option<Millis>) -> Option<Value> {
    m.map(|m| Value::String(m.0.to_string()))
}

fn oas_filters(filters: &[Filter]) -> Value {
    Value::Array(
        filters
            .iter()
            .map(|f| {
                let mut m = Map::new();
                put(&mut m, "days", f.days.map(Value::from));
                let tags = f
                    .repo_tags
                    .iter()
                    .map(|t| {
                        let mut rt = Map::new();
                        rt.insert("repo".into(), Value::String(t.repo.clone()));
                        put(&mut rt, "tag", t.tag.clone().map(Value::String));
                        Value::Object(rt)
                    })
                    .collect();
                m.insert("repoTags".into(), Value::Array(tags));
                Value::Object(m)
            })
            .collect(),
    )
}

fn oas_errors(errors: &[JobError]) -> Value {
    Value::Array(
        errors
            .iter()
            .map(|e| {
                let mut m = Map::new();
                put(&mut m, "errorCode", e.error_code.clone());
                put(
                    &mut m,
                    "errorMessage",
                    e.error_message.clone().map(Value::String),
                );
                put(&mut m, "contextParams", e.context_params.clone());
                Value::Object(m)
            })
            .collect(),
    )
}

/// A schedule list item in the Oas2021 shape: only [`OAS_SCHEDULE_KEYS`], dates as strings,
/// `days`/`tag` omitted when absent, no unknown request fields.
pub fn oas_schedule(s: &Schedule) -> Value {
    let mut m = Map::new();
    m.insert(
        "scheduleUuid".into(),
        Value::String(s.schedule_uuid.clone()),
    );
    m.insert("name".into(), Value::String(s.name.clone()));
    m.insert("onDemand".into(), Value::Bool(s.is_on_demand()));
    put(&mut m, "schedule", s.schedule.clone().map(Value::String));
    put(
        &mut m,
        "status",
        s.status.as_ref().map(|st| Value::String(st.to_string())),
    );
    m.insert("filters".into(), oas_filters(&s.filters));
    m.insert("errors".into(), oas_errors(&s.errors));
    put(&mut m, "created", date(s.created));
    put(&mut m, "updated", date(s.updated));
    put(&mut m, "jobStartDate", date(s.job_start_date));
    put(&mut m, "jobCompletionDate", date(s.job_completion_date));
    put(
        &mut m,
        "jobListingStartDate",
        date(s.job_listing_start_date),
    );
    put(
        &mut m,
        "jobListingCompletionDate",
        date(s.job_listing_completion_date),
    );
    put(
        &mut m,
        "jobScanningStartDate",
        date(s.job_scanning_start_date),
    );
    put(
        &mut m,
        "jobScanningCompletionDate",
        date(s.job_scanning_completion_date),
    );
    Value::Object(m)
}

fn sum(reg: &RegistryState, f: impl Fn(&qualys_cs_core::Repository) -> Option<i64>) -> Value {
    json!(reg.repositories.iter().filter_map(f).sum::<i64>())
}

/// A registry list item in the Oas2021 shape (the OpenAPI `Registry`): no `registryName`;
/// totals summed over the repositories; `scheduleStatusList` = the distinct statuses of its
/// schedules (in creation order); `lastScanned` = the latest scan completion of its
/// schedules' jobs (omitted when none). `providerType`, `awsAccountId`, `awsRegion` and
/// `dockerHubOrg` are not known to the emulator and are omitted.
pub fn oas_registry(reg: &RegistryState, rows: &[ScheduleRow]) -> Value {
    let r = &reg.details.registry;
    let mut m = Map::new();
    m.insert(
        "registryUuid".into(),
        Value::String(r.registry_uuid.clone()),
    );
    put(
        &mut m,
        "registryUri",
        r.registry_uri.clone().map(Value::String),
    );
    put(
        &mut m,
        "registryType",
        r.registry_type
            .as_ref()
            .map(|t| Value::String(t.to_string())),
    );
    if let Some(aws) = &reg.managed.aws {
        put(
            &mut m,
            "awsAccountId",
            aws.account_id.clone().map(Value::String),
        );
        put(&mut m, "awsRegion", aws.region.clone().map(Value::String));
    }
    put(
        &mut m,
        "dockerHubOrg",
        reg.managed.docker_hub_org_name.clone().map(Value::String),
    );
    put(&mut m, "repoCount", r.repo_count.map(Value::from));
    m.insert("totalImages".into(), sum(reg, |x| x.total_images));
    m.insert(
        "totalScannedImages".into(),
        sum(reg, |x| x.total_scanned_images),
    );
    m.insert(
        "totalVulnerableImages".into(),
        sum(reg, |x| x.total_vulnerable_images),
    );
    let mut statuses: Vec<String> = Vec::new();
    for row in rows.iter().filter(|x| x.registry_id == reg.id()) {
        let s = row.status.to_string();
        if !statuses.contains(&s) {
            statuses.push(s);
        }
    }
    m.insert("scheduleStatusList".into(), json!(statuses));
    let last = rows
        .iter()
        .filter(|x| x.registry_id == reg.id())
        .filter_map(|x| x.dates.scanning_completion)
        .max()
        .or(r.last_scanned.map(|l| l.0));
    put(&mut m, "lastScanned", date(last.map(Millis)));
    put(&mut m, "created", date(r.created));
    put(&mut m, "updated", date(r.updated));
    Value::Object(m)
}

/// `GET /registry/{id}` in the Oas2021 shape (`RegistryDetails`): the registry item plus
/// `connectors` (none: `[]`). `aws` and `credential` are omitted: the emulator's registries
/// have no AWS account and no stored credential.
pub fn oas_registry_details(reg: &RegistryState, rows: &[ScheduleRow]) -> Value {
    let mut v = oas_registry(reg, rows);
    if let Value::Object(m) = &mut v {
        let managed = &reg.managed;
        let connectors = match &managed.aws {
            Some(aws) => json!([{
                "arn": aws.arn,
                "name": format!("connector-{}", aws.account_id.as_deref().unwrap_or("aws")),
                "description": "AWS connector of this registry",
            }]),
            None => json!([]),
        };
        m.insert("connectors".into(), connectors);
        if let Some(aws) = &managed.aws {
            m.insert(
                "aws".into(),
                json!({
                    "accountId": aws.account_id,
                    "arn": aws.arn,
                    "region": aws.region,
                    "name": format!("connector-{}", aws.account_id.as_deref().unwrap_or("aws")),
                    "description": "AWS connector of this registry",
                }),
            );
        }
        if let Some(u) = &managed.username {
            m.insert("credential".into(), json!({ "username": u }));
        }
    }
    v
}

/// What a registry created or updated through the API adds to the `full` `RegistryDetails`:
/// `credential: {username}` (never a password or token), `aws`, `connectorId`, `projectId`,
/// `location`, `registry` (Google Artifact Registry) and `dockerHubOrgName`, when known.
pub fn put_managed(m: &mut Map<String, Value>, managed: &crate::managed::Managed) {
    if let Some(u) = &managed.username {
        m.insert("credential".into(), json!({ "username": u }));
    }
    if let Some(aws) = &managed.aws {
        m.insert("aws".into(), json!(aws));
    }
    let s = |v: &Option<String>| v.clone().map(Value::String);
    put(m, "connectorId", s(&managed.connector_id));
    put(m, "projectId", s(&managed.project_id));
    put(m, "location", s(&managed.location));
    put(m, "registry", s(&managed.gar_registry));
    put(m, "dockerHubOrgName", s(&managed.docker_hub_org_name));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_valid_ones() {
        for w in WireProfile::ALL {
            assert_eq!(w.to_string().parse::<WireProfile>(), Ok(w));
            let json = serde_json::to_string(&w).unwrap();
            assert_eq!(json, format!("\"{w}\""));
            assert_eq!(serde_json::from_str::<WireProfile>(&json).unwrap(), w);
        }
        assert_eq!(" OAS2021 ".parse::<WireProfile>(), Ok(WireProfile::Oas2021));
        assert_eq!(WireProfile::default(), WireProfile::Full);
        let e = "oas2020".parse::<WireProfile>().unwrap_err().to_string();
        assert!(
            e.contains("\"oas2020\"") && e.contains("full, oas2021"),
            "{e}"
        );
        assert_eq!(
            WireProfile::NAMES.to_vec(),
            WireProfile::ALL.map(WireProfile::as_str).to_vec()
        );
        assert_eq!(
            serde_json::from_str::<WireProfile>("\"Full\"").unwrap(),
            WireProfile::Full
        );
        let e = serde_json::from_str::<WireProfile>("\"oas\"").unwrap_err();
        assert!(
            e.to_string().contains("expected one of full, oas2021"),
            "{e}"
        );
    }

    #[test]
    fn echoable_drops_answer_keys_and_aliases_case_insensitively() {
        let extra: Extra = serde_json::from_value(json!({
            "scheduleUuid": "x", "STATUS": "Running", "created": "1", "OnDemand": true,
            "scheduleScanIntervalInDays": 3, "owner": "team-a", "ticket": 7
        }))
        .unwrap();
        let kept: Vec<String> = echoable(&extra).into_keys().collect();
        assert_eq!(kept, ["owner", "ticket"]);
    }
}
