//! Records and enums mirroring the core models, with the conversions both ways. No rule lives
//! here: every check is the core's.
//!
//! Unknown fields (`extra` in the core) are a map from field name to the field's JSON text,
//! e.g. `{"owner": "\"team-a\""}`; JSON values of the core (job error codes, plan changes) are
//! JSON text too.

use crate::error::QualysCsError;
use qualys_cs_core as qc;
use qualys_cs_core::jiff::Timestamp;
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Unknown JSON fields: name → the field's JSON text.
pub type ExtraFields = HashMap<String, String>;

pub(crate) fn json_text(v: &Value) -> String {
    v.to_string()
}

pub(crate) fn extra_out(extra: qc::Extra) -> ExtraFields {
    extra.into_iter().map(|(k, v)| (k, json_text(&v))).collect()
}

/// Parses JSON text handed in by the caller; a syntax error is a `validation` error naming
/// `path`.
pub(crate) fn parse_json_at(text: &str, path: &str) -> Result<Value, QualysCsError> {
    serde_json::from_str(text).map_err(|e| {
        qc::Error::validation(vec![qc::Violation::new(
            path,
            "invalid_json",
            format!("{path} must hold JSON text (e.g. \"\\\"text\\\"\" or \"42\"): {e}"),
        )])
        .into()
    })
}

pub(crate) fn extra_in(extra: ExtraFields, path: &str) -> Result<qc::Extra, QualysCsError> {
    extra
        .into_iter()
        .map(|(k, v)| {
            let p = format!("{path}/{}", qc::decode::pointer_token(&k));
            parse_json_at(&v, &p).map(|v| (k, v))
        })
        .collect()
}

fn opt_json_in(v: Option<String>, path: &str) -> Result<Option<Value>, QualysCsError> {
    v.map(|t| parse_json_at(&t, path)).transpose()
}

pub(crate) fn timestamp_in(t: SystemTime) -> Result<Timestamp, QualysCsError> {
    let out_of_range = |e: String| -> QualysCsError {
        qc::Error::validation(vec![qc::Violation::new(
            "",
            "time_out_of_range",
            format!("the instant is outside the supported range (years -9999..=9999): {e}"),
        )])
        .into()
    };
    let r = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => Timestamp::new(
            i64::try_from(d.as_secs()).map_err(|e| out_of_range(e.to_string()))?,
            d.subsec_nanos() as i32,
        ),
        Err(e) => {
            let d = e.duration();
            Timestamp::new(
                -i64::try_from(d.as_secs()).map_err(|e| out_of_range(e.to_string()))?,
                -(d.subsec_nanos() as i32),
            )
        }
    };
    r.map_err(|e| out_of_range(e.to_string()))
}

pub(crate) fn timestamp_out(t: Timestamp) -> SystemTime {
    let secs = t.as_second();
    let nanos = t.subsec_nanosecond();
    let whole = Duration::from_secs(secs.unsigned_abs());
    let frac = Duration::from_nanos(nanos.unsigned_abs() as u64);
    if secs >= 0 && nanos >= 0 {
        UNIX_EPOCH + whole + frac
    } else {
        UNIX_EPOCH - whole - frac
    }
}

fn millis_out(m: Option<qc::Millis>) -> Option<i64> {
    m.map(|m| m.0)
}

fn millis_in(m: Option<i64>) -> Option<qc::Millis> {
    m.map(qc::Millis)
}

macro_rules! open_enum_mirror {
    (
        $(#[$meta:meta])*
        $name:ident => $core:ty { $( $(#[$vmeta:meta])* $variant:ident ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept exactly as received.
            Other {
                /// The value as received.
                value: String,
            },
        }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                type C = $core;
                match v {
                    $( C::$variant => $name::$variant, )+
                    C::Other(value) => $name::Other { value },
                }
            }
        }

        impl From<$name> for $core {
            fn from(v: $name) -> Self {
                type C = $core;
                match v {
                    $( $name::$variant => C::$variant, )+
                    $name::Other { value } => C::from_wire(&value),
                }
            }
        }
    };
}

open_enum_mirror! {
    /// Day of the week for weekly schedules (`weekDay`).
    WeekDay => qc::WeekDay {
        /// Monday.
        Monday,
        /// Tuesday.
        Tuesday,
        /// Wednesday.
        Wednesday,
        /// Thursday.
        Thursday,
        /// Friday.
        Friday,
        /// Saturday.
        Saturday,
        /// Sunday.
        Sunday,
    }
}

open_enum_mirror! {
    /// Registry type (`registryType`).
    RegistryType => qc::RegistryType {
        /// Docker Registry HTTP API V2.
        V2,
        /// Private V2 registry.
        V2Private,
        /// Docker Hub.
        DockerHub,
        /// AWS ECR.
        Aws,
        /// Azure Container Registry.
        Azure,
        /// Google Container Registry.
        Gcp,
        /// Google Artifact Registry.
        GoogleArtifactRegistry,
    }
}

open_enum_mirror! {
    /// Status of a schedule or of its job (`status`).
    ScheduleStatus => qc::ScheduleStatus {
        /// Created, not yet queued.
        Created,
        /// Waiting to run.
        Queued,
        /// Paused.
        Paused,
        /// Running now.
        Running,
        /// Finished successfully.
        Completed,
        /// Finished.
        Finished,
        /// Ended with an error.
        Error,
        /// Failed.
        Failed,
        /// Baseline scan created.
        BaselineCreated,
        /// Baseline scan queued.
        BaselineQueued,
        /// Baseline scan running.
        BaselineRunning,
        /// Baseline scan completed.
        BaselineCompleted,
        /// Canceled.
        Canceled,
        /// Unknown to Qualys itself.
        Unknown,
    }
}

/// What a status allows (the core's reading of spec §3).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StatusTraits {
    /// The wire spelling.
    pub wire: String,
    /// A job is executing: the schedule can be neither updated nor deleted.
    pub is_running: bool,
    /// Nothing more happens to this job by itself.
    pub is_terminal: bool,
    /// A single cancel accepts this status.
    pub can_cancel: bool,
    /// Bulk delete skips this status silently.
    pub skipped_by_bulk_delete: bool,
    /// Bulk cancel skips this status silently.
    pub skipped_by_bulk_cancel: bool,
}

/// One problem found by validation.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Violation {
    /// JSON pointer (RFC 6901) to the offending value; `""` is the whole document.
    pub path: String,
    /// Stable snake_case code, e.g. `interval_out_of_range`.
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
}

impl From<qc::Violation> for Violation {
    fn from(v: qc::Violation) -> Self {
        Violation {
            path: v.path,
            code: v.code,
            message: v.message,
        }
    }
}

pub(crate) fn violations_out(v: Vec<qc::Violation>) -> Vec<Violation> {
    v.into_iter().map(Violation::from).collect()
}

fn violations_in(v: Vec<Violation>) -> Vec<qc::Violation> {
    v.into_iter()
        .map(|v| qc::Violation::new(v.path, v.code, v.message))
        .collect()
}

/// The result of validation.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Report {
    /// Problems that stop the request.
    pub errors: Vec<Violation>,
    /// Problems reported but not blocking.
    pub warnings: Vec<Violation>,
}

impl From<qc::Report> for Report {
    fn from(r: qc::Report) -> Self {
        Report {
            errors: violations_out(r.errors),
            warnings: violations_out(r.warnings),
        }
    }
}

/// A validation rule: its code, whether it blocks, and what it checks.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Rule {
    /// Stable code.
    pub code: String,
    /// True for errors (block the request), false for warnings.
    pub is_error: bool,
    /// One-line description.
    pub description: String,
}

/// A repository and, optionally, comma-separated tags (`null` = all tags).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RepoTag {
    /// Repository name.
    pub repo: String,
    /// Comma-separated tags, or none for all tags.
    #[uniffi(default)]
    pub tag: Option<String>,
    /// Unknown fields (name → JSON text).
    #[uniffi(default)]
    pub extra: ExtraFields,
}

impl From<qc::RepoTag> for RepoTag {
    fn from(t: qc::RepoTag) -> Self {
        RepoTag {
            repo: t.repo,
            tag: t.tag,
            extra: extra_out(t.extra),
        }
    }
}

impl RepoTag {
    fn into_core(self, path: &str) -> Result<qc::RepoTag, QualysCsError> {
        Ok(qc::RepoTag {
            repo: self.repo,
            tag: self.tag,
            extra: extra_in(self.extra, path)?,
        })
    }
}

/// One filter: repositories (and tags) plus an optional image age.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Filter {
    /// Only images created within this many days; none = no age filter.
    #[uniffi(default)]
    pub days: Option<i64>,
    /// Repositories and their tags.
    #[uniffi(default)]
    pub repo_tags: Vec<RepoTag>,
    /// Unknown fields (name → JSON text).
    #[uniffi(default)]
    pub extra: ExtraFields,
}

impl From<qc::Filter> for Filter {
    fn from(f: qc::Filter) -> Self {
        Filter {
            days: f.days,
            repo_tags: f.repo_tags.into_iter().map(RepoTag::from).collect(),
            extra: extra_out(f.extra),
        }
    }
}

impl Filter {
    fn into_core(self, path: &str) -> Result<qc::Filter, QualysCsError> {
        Ok(qc::Filter {
            days: self.days,
            repo_tags: self
                .repo_tags
                .into_iter()
                .enumerate()
                .map(|(i, t)| t.into_core(&format!("{path}/repoTags/{i}")))
                .collect::<Result<_, _>>()?,
            extra: extra_in(self.extra, path)?,
        })
    }
}

fn filters_in(filters: Vec<Filter>) -> Result<Vec<qc::Filter>, QualysCsError> {
    filters
        .into_iter()
        .enumerate()
        .map(|(i, f)| f.into_core(&format!("/filters/{i}")))
        .collect()
}

/// Limit the scan to the latest N tags (`additionalFilters`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct AdditionalFilters {
    /// How many tags, at least 1.
    #[uniffi(default)]
    pub number_of_tags: Option<i64>,
    /// Ordering used to pick them; the documented value is `createdDate`.
    #[uniffi(default)]
    pub sort_criteria: Option<String>,
    /// Unknown fields (name → JSON text).
    #[uniffi(default)]
    pub extra: ExtraFields,
}

impl From<qc::AdditionalFilters> for AdditionalFilters {
    fn from(a: qc::AdditionalFilters) -> Self {
        AdditionalFilters {
            number_of_tags: a.number_of_tags,
            sort_criteria: a.sort_criteria,
            extra: extra_out(a.extra),
        }
    }
}

impl AdditionalFilters {
    fn into_core(self) -> Result<qc::AdditionalFilters, QualysCsError> {
        Ok(qc::AdditionalFilters {
            number_of_tags: self.number_of_tags,
            sort_criteria: self.sort_criteria,
            extra: extra_in(self.extra, "/additionalFilters")?,
        })
    }
}

/// The body of create and update (spec §4). Check one with `validate`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ScheduleRequest {
    /// Schedule name (required, not blank).
    pub name: String,
    /// `true` runs once now; `false` is an automatic (recurring) schedule.
    #[uniffi(default = true)]
    pub on_demand: bool,
    /// Automatic schedules: run every N days, 1..=365.
    #[uniffi(default)]
    pub schedule_interval_in_days: Option<i64>,
    /// Weekly schedules (interval 7): the day to run.
    #[uniffi(default)]
    pub week_day: Option<WeekDay>,
    /// Daily schedules (interval 1): start time `HH:MM` in UTC.
    #[uniffi(default)]
    pub schedule: Option<String>,
    /// Rescan every image, not just new ones (subscription feature).
    #[uniffi(default)]
    pub force_scan: Option<bool>,
    /// Type of the registry.
    #[uniffi(default)]
    pub registry_type: Option<RegistryType>,
    /// What to scan: at least one filter.
    #[uniffi(default)]
    pub filters: Vec<Filter>,
    /// Limit to the latest N tags.
    #[uniffi(default)]
    pub additional_filters: Option<AdditionalFilters>,
    /// Unknown fields (name → JSON text), kept and sent as given (validation warns about them).
    #[uniffi(default)]
    pub extra: ExtraFields,
}

impl From<qc::ScheduleRequest> for ScheduleRequest {
    fn from(r: qc::ScheduleRequest) -> Self {
        ScheduleRequest {
            name: r.name,
            on_demand: r.on_demand,
            schedule_interval_in_days: r.schedule_interval_in_days,
            week_day: r.week_day.map(Into::into),
            schedule: r.schedule,
            force_scan: r.force_scan,
            registry_type: r.registry_type.map(Into::into),
            filters: r.filters.into_iter().map(Filter::from).collect(),
            additional_filters: r.additional_filters.map(Into::into),
            extra: extra_out(r.extra),
        }
    }
}

impl TryFrom<ScheduleRequest> for qc::ScheduleRequest {
    type Error = QualysCsError;
    fn try_from(r: ScheduleRequest) -> Result<Self, QualysCsError> {
        Ok(qc::ScheduleRequest {
            name: r.name,
            on_demand: r.on_demand,
            schedule_interval_in_days: r.schedule_interval_in_days,
            week_day: r.week_day.map(Into::into),
            schedule: r.schedule,
            force_scan: r.force_scan,
            registry_type: r.registry_type.map(Into::into),
            filters: filters_in(r.filters)?,
            additional_filters: r.additional_filters.map(|a| a.into_core()).transpose()?,
            extra: extra_in(r.extra, "")?,
        })
    }
}

/// One error reported on a schedule's job (`errors[]`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct JobError {
    /// Qualys error code, as JSON text.
    #[uniffi(default)]
    pub error_code: Option<String>,
    /// Message.
    #[uniffi(default)]
    pub error_message: Option<String>,
    /// Parameters of the message, as JSON text.
    #[uniffi(default)]
    pub context_params: Option<String>,
    /// Unknown fields (name → JSON text).
    #[uniffi(default)]
    pub extra: ExtraFields,
}

impl From<qc::JobError> for JobError {
    fn from(e: qc::JobError) -> Self {
        JobError {
            error_code: e.error_code.as_ref().map(json_text),
            error_message: e.error_message,
            context_params: e.context_params.as_ref().map(json_text),
            extra: extra_out(e.extra),
        }
    }
}

impl JobError {
    fn into_core(self, path: &str) -> Result<qc::JobError, QualysCsError> {
        Ok(qc::JobError {
            error_code: opt_json_in(self.error_code, &format!("{path}/errorCode"))?,
            error_message: self.error_message,
            context_params: opt_json_in(self.context_params, &format!("{path}/contextParams"))?,
            extra: extra_in(self.extra, path)?,
        })
    }
}

/// A schedule as listed (spec §6). Dates are epoch milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Schedule {
    /// The schedule's id.
    pub schedule_uuid: String,
    /// Name.
    pub name: String,
    /// On demand or automatic (none when the answer did not say).
    #[uniffi(default)]
    pub on_demand: Option<bool>,
    /// Interval in days (automatic schedules), when the answer carries it.
    #[uniffi(default)]
    pub schedule_interval_in_days: Option<i64>,
    /// Weekday (weekly schedules), when the answer carries it.
    #[uniffi(default)]
    pub week_day: Option<WeekDay>,
    /// `HH:MM` UTC.
    #[uniffi(default)]
    pub schedule: Option<String>,
    /// Force scan, when the answer carries it.
    #[uniffi(default)]
    pub force_scan: Option<bool>,
    /// Registry type, when the answer carries it.
    #[uniffi(default)]
    pub registry_type: Option<RegistryType>,
    /// Status of the schedule's job.
    #[uniffi(default)]
    pub status: Option<ScheduleStatus>,
    /// Filters.
    #[uniffi(default)]
    pub filters: Vec<Filter>,
    /// Latest-N-tags filter, when the answer carries it.
    #[uniffi(default)]
    pub additional_filters: Option<AdditionalFilters>,
    /// Errors of the last job.
    #[uniffi(default)]
    pub errors: Vec<JobError>,
    /// Created (epoch ms).
    #[uniffi(default)]
    pub created: Option<i64>,
    /// Updated (epoch ms).
    #[uniffi(default)]
    pub updated: Option<i64>,
    /// Job started (epoch ms).
    #[uniffi(default)]
    pub job_start_date: Option<i64>,
    /// Job completed (epoch ms).
    #[uniffi(default)]
    pub job_completion_date: Option<i64>,
    /// Listing phase started (epoch ms).
    #[uniffi(default)]
    pub job_listing_start_date: Option<i64>,
    /// Listing phase completed (epoch ms).
    #[uniffi(default)]
    pub job_listing_completion_date: Option<i64>,
    /// Scanning phase started (epoch ms).
    #[uniffi(default)]
    pub job_scanning_start_date: Option<i64>,
    /// Scanning phase completed (epoch ms).
    #[uniffi(default)]
    pub job_scanning_completion_date: Option<i64>,
    /// Unknown fields (name → JSON text), kept verbatim.
    #[uniffi(default)]
    pub extra: ExtraFields,
}

impl From<qc::Schedule> for Schedule {
    fn from(s: qc::Schedule) -> Self {
        Schedule {
            schedule_uuid: s.schedule_uuid,
            name: s.name,
            on_demand: s.on_demand,
            schedule_interval_in_days: s.schedule_interval_in_days,
            week_day: s.week_day.map(Into::into),
            schedule: s.schedule,
            force_scan: s.force_scan,
            registry_type: s.registry_type.map(Into::into),
            status: s.status.map(Into::into),
            filters: s.filters.into_iter().map(Filter::from).collect(),
            additional_filters: s.additional_filters.map(Into::into),
            errors: s.errors.into_iter().map(JobError::from).collect(),
            created: millis_out(s.created),
            updated: millis_out(s.updated),
            job_start_date: millis_out(s.job_start_date),
            job_completion_date: millis_out(s.job_completion_date),
            job_listing_start_date: millis_out(s.job_listing_start_date),
            job_listing_completion_date: millis_out(s.job_listing_completion_date),
            job_scanning_start_date: millis_out(s.job_scanning_start_date),
            job_scanning_completion_date: millis_out(s.job_scanning_completion_date),
            extra: extra_out(s.extra),
        }
    }
}

impl TryFrom<Schedule> for qc::Schedule {
    type Error = QualysCsError;
    fn try_from(s: Schedule) -> Result<Self, QualysCsError> {
        Ok(qc::Schedule {
            schedule_uuid: s.schedule_uuid,
            name: s.name,
            on_demand: s.on_demand,
            schedule_interval_in_days: s.schedule_interval_in_days,
            week_day: s.week_day.map(Into::into),
            schedule: s.schedule,
            force_scan: s.force_scan,
            registry_type: s.registry_type.map(Into::into),
            status: s.status.map(Into::into),
            filters: filters_in(s.filters)?,
            additional_filters: s.additional_filters.map(|a| a.into_core()).transpose()?,
            errors: s
                .errors
                .into_iter()
                .enumerate()
                .map(|(i, e)| e.into_core(&format!("/errors/{i}")))
                .collect::<Result<_, _>>()?,
            created: millis_in(s.created),
            updated: millis_in(s.updated),
            job_start_date: millis_in(s.job_start_date),
            job_completion_date: millis_in(s.job_completion_date),
            job_listing_start_date: millis_in(s.job_listing_start_date),
            job_listing_completion_date: millis_in(s.job_listing_completion_date),
            job_scanning_start_date: millis_in(s.job_scanning_start_date),
            job_scanning_completion_date: millis_in(s.job_scanning_completion_date),
            extra: extra_in(s.extra, "")?,
        })
    }
}

/// A registry as listed. Dates are epoch milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Registry {
    /// The registry's id.
    pub registry_uuid: String,
    /// Display name, when the tenant gave one.
    #[uniffi(default)]
    pub registry_name: Option<String>,
    /// Registry URI, e.g. `https://registry.example.com`.
    #[uniffi(default)]
    pub registry_uri: Option<String>,
    /// Registry type.
    #[uniffi(default)]
    pub registry_type: Option<RegistryType>,
    /// Number of repositories.
    #[uniffi(default)]
    pub repo_count: Option<i64>,
    /// Created (epoch ms).
    #[uniffi(default)]
    pub created: Option<i64>,
    /// Updated (epoch ms).
    #[uniffi(default)]
    pub updated: Option<i64>,
    /// Last scanned (epoch ms).
    #[uniffi(default)]
    pub last_scanned: Option<i64>,
    /// Unknown fields (name → JSON text).
    #[uniffi(default)]
    pub extra: ExtraFields,
}

impl From<qc::Registry> for Registry {
    fn from(r: qc::Registry) -> Self {
        Registry {
            registry_uuid: r.registry_uuid,
            registry_name: r.registry_name,
            registry_uri: r.registry_uri,
            registry_type: r.registry_type.map(Into::into),
            repo_count: r.repo_count,
            created: millis_out(r.created),
            updated: millis_out(r.updated),
            last_scanned: millis_out(r.last_scanned),
            extra: extra_out(r.extra),
        }
    }
}

impl TryFrom<Registry> for qc::Registry {
    type Error = QualysCsError;
    fn try_from(r: Registry) -> Result<Self, QualysCsError> {
        Ok(qc::Registry {
            registry_uuid: r.registry_uuid,
            registry_name: r.registry_name,
            registry_uri: r.registry_uri,
            registry_type: r.registry_type.map(Into::into),
            repo_count: r.repo_count,
            created: millis_in(r.created),
            updated: millis_in(r.updated),
            last_scanned: millis_in(r.last_scanned),
            extra: extra_in(r.extra, "")?,
        })
    }
}

/// A registry with its details (`GET /registry/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RegistryDetails {
    /// The registry's summary fields.
    pub registry: Registry,
    /// Credential type, e.g. `None`, `BasicAuth`, `Token`.
    #[uniffi(default)]
    pub credential_type: Option<String>,
    /// Schedules of this registry, when the answer includes them.
    #[uniffi(default)]
    pub schedules: Option<Vec<Schedule>>,
}

impl From<qc::RegistryDetails> for RegistryDetails {
    fn from(d: qc::RegistryDetails) -> Self {
        RegistryDetails {
            registry: d.registry.into(),
            credential_type: d.credential_type,
            schedules: d
                .schedules
                .map(|s| s.into_iter().map(Schedule::from).collect()),
        }
    }
}

impl TryFrom<RegistryDetails> for qc::RegistryDetails {
    type Error = QualysCsError;
    fn try_from(d: RegistryDetails) -> Result<Self, QualysCsError> {
        Ok(qc::RegistryDetails {
            registry: d.registry.try_into()?,
            credential_type: d.credential_type,
            schedules: d
                .schedules
                .map(|s| s.into_iter().map(TryInto::try_into).collect())
                .transpose()?,
        })
    }
}

/// A repository of a registry.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Repository {
    /// Repository name.
    pub repo_name: String,
    /// Images found.
    #[uniffi(default)]
    pub total_images: Option<i64>,
    /// Images scanned.
    #[uniffi(default)]
    pub total_scanned_images: Option<i64>,
    /// Images with vulnerabilities.
    #[uniffi(default)]
    pub total_vulnerable_images: Option<i64>,
    /// Unknown fields (name → JSON text).
    #[uniffi(default)]
    pub extra: ExtraFields,
}

impl From<qc::Repository> for Repository {
    fn from(r: qc::Repository) -> Self {
        Repository {
            repo_name: r.repo_name,
            total_images: r.total_images,
            total_scanned_images: r.total_scanned_images,
            total_vulnerable_images: r.total_vulnerable_images,
            extra: extra_out(r.extra),
        }
    }
}

impl TryFrom<Repository> for qc::Repository {
    type Error = QualysCsError;
    fn try_from(r: Repository) -> Result<Self, QualysCsError> {
        Ok(qc::Repository {
            repo_name: r.repo_name,
            total_images: r.total_images,
            total_scanned_images: r.total_scanned_images,
            total_vulnerable_images: r.total_vulnerable_images,
            extra: extra_in(r.extra, "")?,
        })
    }
}

/// An item of a list answer that could not be decoded and was skipped (lenient mode).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SkippedItem {
    /// Its index in the page's `data` (from 0).
    pub index: u64,
    /// Its page number, when known (set when walking every page).
    #[uniffi(default)]
    pub page_number: Option<u32>,
    /// Why it could not be read.
    pub message: String,
    /// The item as received, as JSON text.
    pub raw_json: String,
}

impl From<qc::SkippedItem> for SkippedItem {
    fn from(s: qc::SkippedItem) -> Self {
        SkippedItem {
            index: s.index as u64,
            page_number: s.page_number,
            message: s.message,
            raw_json: json_text(&s.raw),
        }
    }
}

impl TryFrom<SkippedItem> for qc::SkippedItem {
    type Error = QualysCsError;
    fn try_from(s: SkippedItem) -> Result<Self, QualysCsError> {
        Ok(qc::SkippedItem {
            index: usize::try_from(s.index).unwrap_or(usize::MAX),
            page_number: s.page_number,
            message: s.message,
            raw: parse_json_at(&s.raw_json, "/skipped/raw")?,
        })
    }
}

macro_rules! page_mirror {
    ($(#[$meta:meta])* $name:ident, $item:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
        pub struct $name {
            /// Total number of items matching, across all pages.
            pub count: u64,
            /// The items of this page.
            pub data: Vec<$item>,
            /// Items that could not be decoded and were skipped (lenient mode only).
            #[uniffi(default)]
            pub skipped: Vec<SkippedItem>,
        }

        impl From<qc::Page<qc::$item>> for $name {
            fn from(p: qc::Page<qc::$item>) -> Self {
                $name {
                    count: p.count,
                    data: p.data.into_iter().map($item::from).collect(),
                    skipped: p.skipped.into_iter().map(SkippedItem::from).collect(),
                }
            }
        }

        impl TryFrom<$name> for qc::Page<qc::$item> {
            type Error = QualysCsError;
            fn try_from(p: $name) -> Result<Self, QualysCsError> {
                Ok(qc::Page {
                    count: p.count,
                    data: p
                        .data
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<Result<_, _>>()?,
                    skipped: p
                        .skipped
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<Result<_, _>>()?,
                })
            }
        }
    };
}

page_mirror!(
    /// One page of schedules (`{count, data}`).
    SchedulePage,
    Schedule
);
page_mirror!(
    /// One page of registries (`{count, data}`).
    RegistryPage,
    Registry
);
page_mirror!(
    /// One page of repositories (`{count, data}`).
    RepositoryPage,
    Repository
);

/// The answer to create (spec §5).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CreateResponse {
    /// The new schedule's id.
    pub schedule_uuid: String,
}

/// The Qualys error body (spec §7).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ErrorBody {
    /// e.g. `"403 FORBIDDEN"`.
    #[uniffi(default)]
    pub error_code: Option<String>,
    /// Message.
    #[uniffi(default)]
    pub message: Option<String>,
    /// When (epoch ms).
    #[uniffi(default)]
    pub timestamp: Option<i64>,
}

impl From<qc::ErrorBody> for ErrorBody {
    fn from(b: qc::ErrorBody) -> Self {
        ErrorBody {
            error_code: b.error_code,
            message: b.message,
            timestamp: millis_out(b.timestamp),
        }
    }
}

impl From<ErrorBody> for qc::ErrorBody {
    fn from(b: ErrorBody) -> Self {
        qc::ErrorBody {
            error_code: b.error_code,
            message: b.message,
            timestamp: millis_in(b.timestamp),
        }
    }
}

/// Answer of bulk delete.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct BulkDeleteResponse {
    /// The deletion job's id.
    pub deletion_job_id: String,
}

/// Answer of bulk cancel.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct BulkCancelResponse {
    /// The cancel job's id.
    pub cancel_job_id: String,
}

/// The result of a create.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Created {
    /// The new schedule's id.
    pub schedule_uuid: String,
    /// Validation warnings of the request (it was sent anyway).
    pub warnings: Vec<Violation>,
    /// True when the answer was lost and the schedule was found by name instead.
    pub recovered: bool,
}

impl From<qualys_cs_client::Created> for Created {
    fn from(c: qualys_cs_client::Created) -> Self {
        Created {
            schedule_uuid: c.schedule_uuid.as_str().to_owned(),
            warnings: violations_out(c.warnings),
            recovered: c.recovered,
        }
    }
}

/// Query options of the list calls.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct ListOptions {
    /// Qualys query, e.g. `name:"nightly"` or `scheduleUuid:<id>`.
    #[uniffi(default)]
    pub filter: Option<String>,
    /// Page number, from 1 (default 1).
    #[uniffi(default)]
    pub page_number: Option<u32>,
    /// Items per page (default 50).
    #[uniffi(default)]
    pub page_size: Option<u32>,
    /// `field:asc` or `field:desc`.
    #[uniffi(default)]
    pub sort: Option<String>,
    /// Skip items that cannot be decoded instead of failing the page (each is logged and
    /// reported in the page's `skipped`); default `false`: such an item is a `decode` error
    /// naming its index. Not sent to the server.
    #[uniffi(default)]
    pub lenient: bool,
}

impl From<ListOptions> for qualys_cs_client::ListOptions {
    fn from(o: ListOptions) -> Self {
        qualys_cs_client::ListOptions {
            filter: o.filter,
            page_number: o.page_number,
            page_size: o.page_size,
            sort: o.sort,
            lenient: o.lenient,
        }
    }
}

/// Which schedules a bulk delete or bulk cancel acts on: ids, a filter, or both (ids win).
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct BulkSelector {
    /// These schedules (UUIDs).
    #[uniffi(default)]
    pub schedule_ids: Vec<String>,
    /// Schedules matching this Qualys query (e.g. `scheduleUuid:*` for all).
    #[uniffi(default)]
    pub filter: Option<String>,
}

impl TryFrom<BulkSelector> for qualys_cs_client::BulkSelector {
    type Error = QualysCsError;
    fn try_from(s: BulkSelector) -> Result<Self, QualysCsError> {
        Ok(qualys_cs_client::BulkSelector {
            schedule_ids: s
                .schedule_ids
                .iter()
                .map(|id| qc::ScheduleId::parse(id))
                .collect::<Result<_, _>>()?,
            filter: s.filter,
        })
    }
}

/// The result of converting a local run time to Qualys's UTC fields.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct LocalConversion {
    /// The IANA zone, e.g. `Europe/Berlin`.
    pub zone: String,
    /// The local time asked for, `HH:MM`.
    pub local_time: String,
    /// The local weekday asked for (weekly schedules).
    pub local_week_day: Option<WeekDay>,
    /// The UTC `schedule` value to send.
    pub utc_time: String,
    /// The UTC `weekDay` to send (shifted when the conversion crosses midnight).
    pub utc_week_day: Option<WeekDay>,
    /// Days the UTC run is shifted from the local day: -1, 0 or +1.
    pub day_shift: i8,
    /// The zone's UTC offset used for the conversion, in minutes.
    pub offset_minutes: i32,
    /// `dst_shift` warnings: when daylight-saving time moves the local run time.
    pub warnings: Vec<Violation>,
}

impl From<qc::LocalConversion> for LocalConversion {
    fn from(c: qc::LocalConversion) -> Self {
        LocalConversion {
            zone: c.zone,
            local_time: c.local_time,
            local_week_day: c.local_week_day.map(Into::into),
            utc_time: c.utc_time,
            utc_week_day: c.utc_week_day.map(Into::into),
            day_shift: c.day_shift,
            offset_minutes: c.offset_minutes,
            warnings: violations_out(c.warnings),
        }
    }
}

impl From<LocalConversion> for qc::LocalConversion {
    fn from(c: LocalConversion) -> Self {
        qc::LocalConversion {
            zone: c.zone,
            local_time: c.local_time,
            local_week_day: c.local_week_day.map(Into::into),
            utc_time: c.utc_time,
            utc_week_day: c.utc_week_day.map(Into::into),
            day_shift: c.day_shift,
            offset_minutes: c.offset_minutes,
            warnings: violations_in(c.warnings),
        }
    }
}

/// Format of a desired-state file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum DesiredFormat {
    /// YAML (also reads JSON).
    Yaml,
    /// JSON.
    Json,
}

impl From<DesiredFormat> for qc::desired::Format {
    fn from(f: DesiredFormat) -> Self {
        match f {
            DesiredFormat::Yaml => qc::desired::Format::Yaml,
            DesiredFormat::Json => qc::desired::Format::Json,
        }
    }
}

/// The whole desired state (schedules as code).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DesiredState {
    /// Where it came from (file name), for messages.
    pub source: String,
    /// Registries, in file order.
    pub registries: Vec<DesiredRegistry>,
    /// Warnings (validation warnings, DST shifts), each naming file, line and field.
    pub warnings: Vec<Violation>,
}

/// The schedules wanted in one registry.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DesiredRegistry {
    /// The registry's name, URI or UUID, as written.
    pub registry: String,
    /// Wanted schedules, in file order.
    pub schedules: Vec<DesiredSchedule>,
}

/// One wanted schedule.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DesiredSchedule {
    /// Name (the key matched against existing schedules).
    pub name: String,
    /// The request to send (UTC, time zones resolved).
    pub request: ScheduleRequest,
    /// The local-time conversion, when a timezone was given.
    pub conversion: Option<LocalConversion>,
    /// Line in the file where the schedule starts (1-based), when known.
    pub line: Option<u64>,
}

impl From<qc::desired::DesiredState> for DesiredState {
    fn from(d: qc::desired::DesiredState) -> Self {
        DesiredState {
            source: d.source,
            registries: d
                .registries
                .into_iter()
                .map(|r| DesiredRegistry {
                    registry: r.registry,
                    schedules: r
                        .schedules
                        .into_iter()
                        .map(|s| DesiredSchedule {
                            name: s.name,
                            request: s.request.into(),
                            conversion: s.conversion.map(Into::into),
                            line: s.line.map(|l| l as u64),
                        })
                        .collect(),
                })
                .collect(),
            warnings: violations_out(d.warnings),
        }
    }
}

impl TryFrom<DesiredState> for qc::desired::DesiredState {
    type Error = QualysCsError;
    fn try_from(d: DesiredState) -> Result<Self, QualysCsError> {
        let mut registries = Vec::with_capacity(d.registries.len());
        for r in d.registries {
            let mut schedules = Vec::with_capacity(r.schedules.len());
            for s in r.schedules {
                schedules.push(qc::desired::DesiredSchedule {
                    name: s.name,
                    request: s.request.try_into()?,
                    conversion: s.conversion.map(Into::into),
                    line: s.line.map(|l| usize::try_from(l).unwrap_or(usize::MAX)),
                });
            }
            registries.push(qc::desired::DesiredRegistry {
                registry: r.registry,
                schedules,
            });
        }
        Ok(qc::desired::DesiredState {
            source: d.source,
            registries,
            warnings: violations_in(d.warnings),
        })
    }
}

/// What exists in one registry (input of `plan`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ActualRegistry {
    /// The registry.
    pub registry: Registry,
    /// Its schedules.
    pub schedules: Vec<Schedule>,
}

impl TryFrom<ActualRegistry> for qc::plan::ActualRegistry {
    type Error = QualysCsError;
    fn try_from(a: ActualRegistry) -> Result<Self, QualysCsError> {
        Ok(qc::plan::ActualRegistry {
            registry: a.registry.try_into()?,
            schedules: a
                .schedules
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Plan options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct PlanOptions {
    /// Delete existing schedules that the file does not list (in the registries it lists).
    #[uniffi(default)]
    pub prune: bool,
}

/// The action for one schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Action {
    /// Create a new schedule.
    Create,
    /// Update the existing schedule in place.
    Update,
    /// Delete the existing schedule, then create the desired one.
    Replace,
    /// Delete the existing schedule (pruning).
    Delete,
    /// Nothing to do.
    Unchanged,
    /// Left alone, see the reason.
    Skip,
}

impl From<qc::plan::Action> for Action {
    fn from(a: qc::plan::Action) -> Self {
        use qc::plan::Action as A;
        match a {
            A::Create => Action::Create,
            A::Update => Action::Update,
            A::Replace => Action::Replace,
            A::Delete => Action::Delete,
            A::Unchanged => Action::Unchanged,
            A::Skip => Action::Skip,
        }
    }
}

impl From<Action> for qc::plan::Action {
    fn from(a: Action) -> Self {
        use qc::plan::Action as A;
        match a {
            Action::Create => A::Create,
            Action::Update => A::Update,
            Action::Replace => A::Replace,
            Action::Delete => A::Delete,
            Action::Unchanged => A::Unchanged,
            Action::Skip => A::Skip,
        }
    }
}

/// One changed field of a plan item.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Change {
    /// The request field (canonical JSON name).
    pub field: String,
    /// Its current value, as JSON text (`null` when absent).
    pub from_json: String,
    /// Its desired value, as JSON text.
    pub to_json: String,
    /// True when Qualys cannot update this field in place.
    pub forces_replacement: bool,
    /// True when the server's answer did not carry this field (`from_json` is then `null`):
    /// the current value is unknown, so the desired one is sent rather than assumed equal.
    #[uniffi(default)]
    pub unknown: bool,
}

/// One line of a plan.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PlanItem {
    /// The registry as the file names it.
    pub registry: String,
    /// The registry's UUID, when resolved.
    pub registry_id: Option<String>,
    /// The schedule's name.
    pub name: String,
    /// What to do.
    pub action: Action,
    /// The existing schedule's id (update, replace, delete, unchanged).
    pub schedule_id: Option<String>,
    /// The body to send (create, update, replace).
    pub request: Option<ScheduleRequest>,
    /// Fields that differ.
    pub changes: Vec<Change>,
    /// Why (skip), or a note.
    pub reason: Option<String>,
}

/// A whole plan.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Plan {
    /// Items in deterministic order.
    pub items: Vec<PlanItem>,
    /// Existing schedules that the file does not list and that were kept (no pruning).
    pub unmanaged: u64,
    /// Warnings carried over from the desired state.
    pub warnings: Vec<Violation>,
}

impl From<qc::plan::Plan> for Plan {
    fn from(p: qc::plan::Plan) -> Self {
        Plan {
            items: p
                .items
                .into_iter()
                .map(|i| PlanItem {
                    registry: i.registry,
                    registry_id: i.registry_id,
                    name: i.name,
                    action: i.action.into(),
                    schedule_id: i.schedule_id,
                    request: i.request.map(Into::into),
                    changes: i
                        .changes
                        .into_iter()
                        .map(|c| Change {
                            field: c.field,
                            from_json: json_text(&c.from),
                            to_json: json_text(&c.to),
                            forces_replacement: c.forces_replacement,
                            unknown: c.unknown,
                        })
                        .collect(),
                    reason: i.reason,
                })
                .collect(),
            unmanaged: p.unmanaged as u64,
            warnings: violations_out(p.warnings),
        }
    }
}

impl TryFrom<Plan> for qc::plan::Plan {
    type Error = QualysCsError;
    fn try_from(p: Plan) -> Result<Self, QualysCsError> {
        let mut items = Vec::with_capacity(p.items.len());
        for (n, i) in p.items.into_iter().enumerate() {
            let mut changes = Vec::with_capacity(i.changes.len());
            for (m, c) in i.changes.into_iter().enumerate() {
                changes.push(qc::plan::Change {
                    field: c.field,
                    from: parse_json_at(&c.from_json, &format!("/items/{n}/changes/{m}/from"))?,
                    to: parse_json_at(&c.to_json, &format!("/items/{n}/changes/{m}/to"))?,
                    forces_replacement: c.forces_replacement,
                    unknown: c.unknown,
                });
            }
            items.push(qc::plan::PlanItem {
                registry: i.registry,
                registry_id: i.registry_id,
                name: i.name,
                action: i.action.into(),
                schedule_id: i.schedule_id,
                request: i.request.map(TryInto::try_into).transpose()?,
                changes,
                reason: i.reason,
            });
        }
        Ok(qc::plan::Plan {
            items,
            unmanaged: usize::try_from(p.unmanaged).unwrap_or(usize::MAX),
            warnings: violations_in(p.warnings),
        })
    }
}

/// Counts per action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PlanSummary {
    /// To create.
    pub create: u64,
    /// To update.
    pub update: u64,
    /// To replace.
    pub replace: u64,
    /// To delete.
    pub delete: u64,
    /// Unchanged.
    pub unchanged: u64,
    /// Skipped.
    pub skip: u64,
}

impl From<qc::plan::PlanSummary> for PlanSummary {
    fn from(s: qc::plan::PlanSummary) -> Self {
        PlanSummary {
            create: s.create as u64,
            update: s.update as u64,
            replace: s.replace as u64,
            delete: s.delete as u64,
            unchanged: s.unchanged as u64,
            skip: s.skip as u64,
        }
    }
}
