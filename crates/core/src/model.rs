//! Wire models of spec §4–§7. JSON names are exactly the spec's; aliases are accepted on input,
//! canonical names are always written.

use crate::decode;
use crate::enums::{RegistryType, ScheduleStatus, WeekDay};
use crate::error::Error;
use crate::ids::ScheduleId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;

/// Fields a newer API version sent, or a caller added, kept verbatim.
pub type Extra = BTreeMap<String, Value>;

/// The body of create and update (spec §4).
///
/// Build one with [`ScheduleRequest::on_demand`], [`ScheduleRequest::every_days`],
/// [`ScheduleRequest::weekly`] or [`ScheduleRequest::daily`], or decode one from JSON (the
/// aliases `OnDemand` and `scheduleScanIntervalInDays` are accepted). Check it with
/// [`crate::validate()`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScheduleRequest {
    /// Schedule name (required, not blank).
    pub name: String,
    /// `true` runs once now; `false` is an automatic (recurring) schedule. Absent means `true`.
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub on_demand: bool,
    /// Automatic schedules: run every N days, 1..=365.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub schedule_interval_in_days: Option<i64>,
    /// Weekly schedules (interval 7): the day to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub week_day: Option<WeekDay>,
    /// Daily schedules (interval 1): start time `HH:MM` in UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub schedule: Option<String>,
    /// Rescan every image, not just new ones (subscription feature).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub force_scan: Option<bool>,
    /// Type of the registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub registry_type: Option<RegistryType>,
    /// What to scan: at least one filter.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub filters: Vec<Filter>,
    /// Limit to the latest N tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub additional_filters: Option<AdditionalFilters>,
    /// Unknown fields, kept and sent as given (validation warns about them).
    #[serde(flatten)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extra: Extra,
}

impl Default for ScheduleRequest {
    fn default() -> Self {
        Self {
            name: String::new(),
            on_demand: true,
            schedule_interval_in_days: None,
            week_day: None,
            schedule: None,
            force_scan: None,
            registry_type: None,
            filters: Vec::new(),
            additional_filters: None,
            extra: Extra::new(),
        }
    }
}

impl ScheduleRequest {
    /// Decodes a request from any JSON value (what Python dicts and JS objects send).
    ///
    /// Wrong JSON types come back as `validation` violations naming the field; rule checks are
    /// [`crate::validate()`]'s job.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let (req, problems) = decode::decode_request(value);
        if problems.is_empty() {
            Ok(req)
        } else {
            Err(Error::validation(problems))
        }
    }

    /// Decodes from JSON text; a syntax error is a `validation` violation at the root.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            Error::validation(vec![crate::error::Violation::new(
                "",
                "invalid_json",
                format!("the body is not valid JSON: {e}"),
            )])
        })?;
        Self::from_value(&v)
    }

    /// The canonical JSON value (spec names, aliases resolved).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// True for automatic (recurring) schedules.
    pub fn is_automatic(&self) -> bool {
        !self.on_demand
    }
}

impl<'de> Deserialize<'de> for ScheduleRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        ScheduleRequest::from_value(&v).map_err(serde::de::Error::custom)
    }
}

/// One filter: repositories (and tags) plus an optional image age.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Filter {
    /// Only images created within this many days; `None` = no age filter (omitted on the
    /// wire, never sent as `null`: the OpenAPI types `days` as a non-nullable integer, §6b).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub days: Option<i64>,
    /// Repositories and their tags.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub repo_tags: Vec<RepoTag>,
    /// Unknown fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extra: Extra,
}

/// A repository and, optionally, comma-separated tags (`null` = all tags).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RepoTag {
    /// Repository name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub repo: String,
    /// Comma-separated tags, or `None` for all tags (omitted on the wire, never sent as
    /// `null`: the OpenAPI types `tag` as a non-nullable string, §6b).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub tag: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extra: Extra,
}

impl RepoTag {
    /// All tags of `repo`.
    pub fn all_tags(repo: impl Into<String>) -> Self {
        Self {
            repo: repo.into(),
            ..Default::default()
        }
    }

    /// The tags as a list (trimmed), empty for "all tags".
    pub fn tags(&self) -> Vec<&str> {
        match &self.tag {
            None => Vec::new(),
            Some(t) => t.split(',').map(str::trim).collect(),
        }
    }
}

/// Limit the scan to the latest N tags (`additionalFilters`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AdditionalFilters {
    /// How many tags, at least 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub number_of_tags: Option<i64>,
    /// Ordering used to pick them; the documented value is `createdDate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sort_criteria: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extra: Extra,
}

impl AdditionalFilters {
    /// Only the latest `n` tags, newest first by creation date (`sortCriteria: createdDate`).
    pub fn latest(n: u32) -> Self {
        AdditionalFilters {
            number_of_tags: Some(i64::from(n)),
            sort_criteria: Some("createdDate".into()),
            extra: Extra::new(),
        }
    }
}

/// An epoch-millisecond instant as CS sends it: a number, a numeric string, or RFC 3339 text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub i64);

impl Millis {
    /// As a `jiff` timestamp (None when out of range).
    pub fn to_timestamp(self) -> Option<jiff::Timestamp> {
        jiff::Timestamp::from_millisecond(self.0).ok()
    }

    /// From a `jiff` timestamp.
    pub fn from_timestamp(t: jiff::Timestamp) -> Self {
        Millis(t.as_millisecond())
    }

    fn from_json(v: &Value) -> Option<Self> {
        match v {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
                .map(Millis),
            Value::String(s) => {
                let s = s.trim();
                if let Ok(n) = s.parse::<i64>() {
                    Some(Millis(n))
                } else {
                    s.parse::<jiff::Timestamp>().ok().map(Self::from_timestamp)
                }
            }
            _ => None,
        }
    }
}

impl Serialize for Millis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // CS writes dates as epoch-millisecond strings.
        s.serialize_str(&self.0.to_string())
    }
}

/// Lenient date field: numbers, numeric strings, RFC 3339 strings; null and anything
/// unreadable become `None` rather than failing the whole answer.
fn lenient_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Millis>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(Millis::from_json(&v))
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Lenient integer: numbers or numeric strings; anything else is `None`.
fn lenient_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// One error reported on a schedule's job (`errors[]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct JobError {
    /// Qualys error code.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub error_code: Option<Value>,
    /// Message.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub error_message: Option<String>,
    /// Parameters of the message.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub context_params: Option<Value>,
    /// Unknown fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extra: Extra,
}

/// A schedule as listed (spec §6). Unknown fields are kept in `extra`, never an error.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Schedule {
    /// The schedule's id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub schedule_uuid: String,
    /// Name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// On demand or automatic.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "OnDemand")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub on_demand: Option<bool>,
    /// Interval in days (automatic schedules), when the answer carries it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "scheduleScanIntervalInDays",
        deserialize_with = "lenient_int"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub schedule_interval_in_days: Option<i64>,
    /// Weekday (weekly schedules), when the answer carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub week_day: Option<WeekDay>,
    /// `HH:MM` UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub schedule: Option<String>,
    /// Force scan, when the answer carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub force_scan: Option<bool>,
    /// Registry type, when the answer carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub registry_type: Option<RegistryType>,
    /// Status of the schedule's job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub status: Option<ScheduleStatus>,
    /// Filters.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub filters: Vec<Filter>,
    /// Latest-N-tags filter, when the answer carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub additional_filters: Option<AdditionalFilters>,
    /// Errors of the last job.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub errors: Vec<JobError>,
    /// Created (epoch ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created: Option<Millis>,
    /// Updated (epoch ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated: Option<Millis>,
    /// Job started.
    #[serde(default, deserialize_with = "lenient_millis")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub job_start_date: Option<Millis>,
    /// Job completed.
    #[serde(default, deserialize_with = "lenient_millis")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub job_completion_date: Option<Millis>,
    /// Listing phase started.
    #[serde(default, deserialize_with = "lenient_millis")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub job_listing_start_date: Option<Millis>,
    /// Listing phase completed.
    #[serde(default, deserialize_with = "lenient_millis")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub job_listing_completion_date: Option<Millis>,
    /// Scanning phase started.
    #[serde(default, deserialize_with = "lenient_millis")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub job_scanning_start_date: Option<Millis>,
    /// Scanning phase completed.
    #[serde(default, deserialize_with = "lenient_millis")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub job_scanning_completion_date: Option<Millis>,
    /// Unknown fields, kept verbatim.
    #[serde(flatten)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extra: Extra,
}

impl Schedule {
    /// The id as a strict [`ScheduleId`].
    pub fn id(&self) -> Result<ScheduleId, Error> {
        ScheduleId::parse(&self.schedule_uuid)
    }

    /// The status, `Unknown` when the answer had none.
    pub fn status(&self) -> ScheduleStatus {
        self.status.clone().unwrap_or(ScheduleStatus::Unknown)
    }

    /// True when the schedule is on demand (absent counts as on demand, as on create).
    pub fn is_on_demand(&self) -> bool {
        self.on_demand.unwrap_or(true)
    }

    /// The fields that decide when this schedule runs but that the answer did not carry
    /// (canonical names); empty when its run times can be computed. Qualys's OpenAPI list
    /// shape (spec §6b) reports neither `scheduleIntervalInDays` nor `weekDay`.
    pub fn unreported_timing(&self) -> Vec<&'static str> {
        match self.on_demand {
            None => vec!["onDemand", "scheduleIntervalInDays", "weekDay"],
            Some(true) => Vec::new(),
            Some(false) => match (self.schedule_interval_in_days, &self.week_day) {
                (None, None) => vec!["scheduleIntervalInDays", "weekDay"],
                (None, Some(_)) => vec!["scheduleIntervalInDays"],
                (Some(7), None) => vec!["weekDay"],
                _ => Vec::new(),
            },
        }
    }

    /// The next `n` run instants of this listed schedule (see [`crate::next_runs`]), from its
    /// `created` date (or `after` when the answer has none).
    ///
    /// When the answer does not carry the fields that decide the timing, the error is a
    /// `not_reported` [`Error::NotReported`] naming them, never a validation error about a request
    /// the caller did not write.
    pub fn next_runs(
        &self,
        after: jiff::Timestamp,
        n: usize,
    ) -> Result<Vec<jiff::Timestamp>, Error> {
        let missing = self.unreported_timing();
        if !missing.is_empty() {
            return Err(Error::NotReported {
                fields: missing.iter().map(|f| (*f).to_owned()).collect(),
                message: format!(
                    "the server's answer for schedule {} does not report {}, so its run times cannot be computed (Qualys's OpenAPI list shape leaves them out){}",
                    self.schedule_uuid,
                    missing.join(" or "),
                    self.schedule
                        .as_deref()
                        .map(|t| format!("; its time of day is {t} UTC"))
                        .unwrap_or_default()
                ),
            });
        }
        let created = self.created.and_then(Millis::to_timestamp).unwrap_or(after);
        crate::semantics::next_runs(&self.to_request(), created, after, n)
    }

    /// The request that would (re)create this schedule, as far as the answer tells.
    pub fn to_request(&self) -> ScheduleRequest {
        ScheduleRequest {
            name: self.name.clone(),
            on_demand: self.is_on_demand(),
            schedule_interval_in_days: self.schedule_interval_in_days,
            week_day: self.week_day.clone(),
            schedule: self.schedule.clone(),
            force_scan: self.force_scan,
            registry_type: self.registry_type.clone(),
            filters: self.filters.clone(),
            additional_filters: self.additional_filters.clone(),
            extra: Extra::new(),
        }
    }
}

/// A registry as listed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Registry {
    /// The registry's id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub registry_uuid: String,
    /// Display name, when the tenant gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub registry_name: Option<String>,
    /// Registry URI, e.g. `https://registry.example.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub registry_uri: Option<String>,
    /// Registry type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub registry_type: Option<RegistryType>,
    /// Number of repositories.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_int"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub repo_count: Option<i64>,
    /// Created (epoch ms).
    #[serde(
        default,
        deserialize_with = "lenient_millis",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created: Option<Millis>,
    /// Updated (epoch ms).
    #[serde(
        default,
        deserialize_with = "lenient_millis",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated: Option<Millis>,
    /// Last scanned (epoch ms).
    #[serde(
        default,
        deserialize_with = "lenient_millis",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub last_scanned: Option<Millis>,
    /// Unknown fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extra: Extra,
}

/// A registry with its details (`GET /registry/{id}`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegistryDetails {
    /// The registry's summary fields.
    #[serde(flatten)]
    pub registry: Registry,
    /// Credential type, e.g. `None`, `BasicAuth`, `Token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub credential_type: Option<String>,
    /// Schedules of this registry, when the answer includes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub schedules: Option<Vec<Schedule>>,
}

/// A repository of a registry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Repository {
    /// Repository name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub repo_name: String,
    /// Images found.
    #[serde(default, deserialize_with = "lenient_int")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub total_images: Option<i64>,
    /// Images scanned.
    #[serde(default, deserialize_with = "lenient_int")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub total_scanned_images: Option<i64>,
    /// Images with vulnerabilities.
    #[serde(default, deserialize_with = "lenient_int")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub total_vulnerable_images: Option<i64>,
    /// Unknown fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extra: Extra,
}

/// One page of a list (`{count, data}`); `count` is the total across pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    /// Total number of items matching, across all pages.
    #[serde(default, deserialize_with = "null_as_default")]
    pub count: u64,
    /// The items of this page.
    #[serde(default = "Vec::new", deserialize_with = "null_as_default")]
    pub data: Vec<T>,
    /// Items of the answer that could not be decoded, skipped in lenient mode (see
    /// [`crate::tolerant::decode_page`]); never part of a server's answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<crate::tolerant::SkippedItem>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            count: 0,
            data: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

/// The answer to create (spec §5), whatever form it came in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CreateResponse {
    /// The new schedule's id.
    pub schedule_uuid: ScheduleId,
}

impl CreateResponse {
    /// Decodes `{"scheduleUuid": …}`, `{"scheduleId": …}`, a bare JSON string, or a plain-text
    /// UUID.
    pub fn from_body(body: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::Decode {
            message: format!("create answer {why}"),
            body: Some(crate::error::truncate_for_message(body, 512)),
        };
        let text = body.trim();
        let id_text = match serde_json::from_str::<Value>(text) {
            Ok(Value::String(s)) => s,
            Ok(Value::Object(m)) => {
                match ["scheduleUuid", "scheduleId", "schedule_uuid"]
                    .iter()
                    .find_map(|k| m.get(*k))
                {
                    Some(Value::String(s)) => s.clone(),
                    Some(_) => return Err(bad("has a schedule id that is not a string")),
                    None => return Err(bad("holds no scheduleUuid")),
                }
            }
            Ok(_) => return Err(bad("is neither an object nor a string")),
            Err(_) => text.trim_matches('"').to_owned(),
        };
        ScheduleId::parse(id_text.trim())
            .map(|schedule_uuid| CreateResponse { schedule_uuid })
            .map_err(|_| bad("holds no valid schedule UUID"))
    }
}

/// The Qualys error body (spec §7).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ErrorBody {
    /// e.g. `"403 FORBIDDEN"`.
    #[serde(default, deserialize_with = "string_or_number")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub error_code: Option<String>,
    /// Message.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub message: Option<String>,
    /// When (epoch ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub timestamp: Option<Millis>,
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Answer of bulk delete: `{"deletionJobId": …}` (the docs), or a bare JSON string (the
/// OpenAPI file answers most writes with one, spec §6b).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BulkDeleteResponse {
    /// The deletion job's id.
    #[serde(rename = "deletionJobId")]
    pub deletion_job_id: String,
}

/// Answer of bulk cancel: `{"CancelJobId": …}` (note the capital `C`), or a bare JSON string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BulkCancelResponse {
    /// The cancel job's id.
    #[serde(rename = "CancelJobId")]
    pub cancel_job_id: String,
}

/// A job id answered as an object under one of `keys`, or as a bare JSON string.
fn job_id<'de, D: Deserializer<'de>>(d: D, keys: &[&str], what: &str) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Object(m) => keys
            .iter()
            .find_map(|k| m.get(*k))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "the {what} answer holds no {} (got keys {})",
                    keys[0],
                    m.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            }),
        other => Err(serde::de::Error::custom(format!(
            "the {what} answer is {}, not an object or a string",
            crate::decode::json_type(&other)
        ))),
    }
}

impl<'de> Deserialize<'de> for BulkDeleteResponse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(BulkDeleteResponse {
            deletion_job_id: job_id(d, &["deletionJobId", "DeletionJobId"], "bulk delete")?,
        })
    }
}

impl<'de> Deserialize<'de> for BulkCancelResponse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(BulkCancelResponse {
            cancel_job_id: job_id(d, &["CancelJobId", "cancelJobId"], "bulk cancel")?,
        })
    }
}

/// Decodes a JSON answer body into `T`, mapping failures to a `decode` error with the body.
pub fn decode_body<T: for<'de> Deserialize<'de>>(body: &str) -> Result<T, Error> {
    serde_json::from_str(body).map_err(|e| Error::Decode {
        message: e.to_string(),
        body: Some(crate::error::truncate_for_message(body, 512)),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// Found by the `decode_responses` fuzz target: without serde_json's `float_roundtrip`, a
    /// long number in an unknown field was read one ULP off, so decode → encode → decode changed
    /// it. Numbers are read correctly rounded, and a decoded schedule re-encodes to itself.
    #[test]
    fn unknown_numbers_are_read_exactly_and_round_trip() {
        let big = format!("16541699495150{}", "0".repeat(102));
        let body = format!(r#"{{"scheduleUuid": "x", "name": "n", "sizeBytes": {big}}}"#);
        let s: Schedule = decode_body(&body).expect("decodes");
        let want: f64 = big.parse().expect("std parses exactly");
        assert_eq!(s.extra["sizeBytes"].as_f64(), Some(want));
        assert_eq!(want, 1.654169949515e115);
        let again: Schedule =
            decode_body(&serde_json::to_string(&s).expect("encodes")).expect("decodes again");
        assert_eq!(again, s);
    }
}
