//! The TypeScript shapes of the package.
//!
//! Wire models (requests, schedules, registries, pages) travel as the JSON of the Qualys API
//! itself, exactly as the Rust core reads and writes it: camelCase names, dates as epoch
//! milliseconds in strings (as Container Security sends them), unknown fields kept as given. The
//! interfaces below only describe that JSON for TypeScript (`object_to_js = false`,
//! `object_from_js = false`); the values are converted by serde. The SDK's own results
//! (validation reports, create results, time-zone conversions, plans) are real objects.

#![allow(missing_docs)] // napi(object) generates undocumented impls; every field below is documented.

use napi_derive::napi;
use qualys_cs_core as core;

// ---------------------------------------------------------------------------------------------
// Enumerations (TypeScript unions of the known wire values).

/// Day of the week of weekly schedules (`weekDay`).
#[napi(string_enum = "UPPERCASE")]
pub enum WeekDay {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// Registry types Container Security documents (`registryType`); others are passed as given.
#[napi(string_enum)]
pub enum RegistryType {
    V2,
    #[napi(value = "V2_PRIVATE")]
    V2Private,
    DockerHub,
    #[napi(value = "AWS")]
    Aws,
    Azure,
    #[napi(value = "GCP")]
    Gcp,
    #[napi(value = "GOOGLE_ARTIFACT_REGISTRY")]
    GoogleArtifactRegistry,
}

/// Statuses of a schedule's job (`status`) that this version knows; others are kept as given.
#[napi(string_enum)]
pub enum ScheduleStatus {
    Created,
    Queued,
    Paused,
    Running,
    Completed,
    Finished,
    Error,
    Failed,
    BaselineCreated,
    BaselineQueued,
    BaselineRunning,
    BaselineCompleted,
    Canceled,
    Unknown,
}

// ---------------------------------------------------------------------------------------------
// Wire models (TypeScript only; values are the API's JSON).

/// The body of create and update (spec §4), in the API's own JSON. Build one as an object
/// literal or with `ScheduleBuilder`; `validate()` checks it. The aliases `OnDemand` and
/// `scheduleScanIntervalInDays` are accepted too; unknown fields are sent as given (with a
/// warning).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ScheduleRequest {
    /// Schedule name (required, not blank).
    pub name: String,
    /// `true` (the default) runs once, now; `false` is an automatic (recurring) schedule.
    pub on_demand: Option<bool>,
    /// Automatic schedules: run every N days, 1..=365 (7 needs `weekDay`, 1 needs `schedule`).
    pub schedule_interval_in_days: Option<u32>,
    /// Weekly schedules (interval 7): the day to run.
    pub week_day: Option<WeekDay>,
    /// Daily schedules (interval 1): start time `HH:MM` in UTC.
    pub schedule: Option<String>,
    /// Rescan every image, not only new ones (automatic schedules: interval 7 or more).
    pub force_scan: Option<bool>,
    /// Type of the registry.
    #[napi(ts_type = "RegistryType | (string & {})")]
    pub registry_type: Option<String>,
    /// What to scan: at least one filter.
    pub filters: Vec<Filter>,
    /// Limit the scan to the latest N tags; `null` or absent = no limit (the documentation's
    /// own sample sends `null`).
    #[napi(ts_type = "AdditionalFilters | null")]
    pub additional_filters: Option<AdditionalFilters>,
}

/// One filter: repositories (and tags) plus an optional image age.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct Filter {
    /// Only images created within this many days (documented: 1-7 or 14); `null` = any age.
    #[napi(ts_type = "number | null")]
    pub days: Option<u32>,
    /// Repositories and their tags (at least one).
    pub repo_tags: Vec<RepoTag>,
}

/// A repository and, optionally, comma-separated tags (`null` = every tag).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct RepoTag {
    /// Repository name, e.g. `library/nginx`.
    pub repo: String,
    /// Comma-separated tags, e.g. `"latest,1.25"`; `null` or absent = every tag.
    #[napi(ts_type = "string | null")]
    pub tag: Option<String>,
}

/// Limit the scan to the latest N tags (`additionalFilters`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct AdditionalFilters {
    /// How many tags, at least 1.
    #[napi(ts_type = "number | null")]
    pub number_of_tags: Option<u32>,
    /// Ordering used to pick them; the documented value is `createdDate`.
    pub sort_criteria: Option<String>,
}

/// One error reported on a schedule's job (`errors[]`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct JobError {
    /// Qualys error code.
    #[napi(ts_type = "unknown")]
    pub error_code: Option<String>,
    /// Message.
    #[napi(ts_type = "string | null")]
    pub error_message: Option<String>,
    /// Parameters of the message.
    #[napi(ts_type = "unknown")]
    pub context_params: Option<String>,
}

/// A schedule as listed (spec §6). Dates are epoch milliseconds as strings (`null` when
/// absent); fields the API adds later are kept as given.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct Schedule {
    /// The schedule's id (UUID).
    pub schedule_uuid: String,
    /// Name.
    pub name: String,
    /// On demand (`true`) or automatic (`false`), when the answer carries it.
    pub on_demand: Option<bool>,
    /// Interval in days (automatic schedules), when the answer carries it.
    pub schedule_interval_in_days: Option<u32>,
    /// Weekday (weekly schedules), when the answer carries it.
    #[napi(ts_type = "WeekDay | (string & {})")]
    pub week_day: Option<String>,
    /// Start time `HH:MM` UTC, when the answer carries it.
    pub schedule: Option<String>,
    /// Force scan, when the answer carries it.
    pub force_scan: Option<bool>,
    /// Registry type, when the answer carries it.
    #[napi(ts_type = "RegistryType | (string & {})")]
    pub registry_type: Option<String>,
    /// Status of the schedule's job.
    #[napi(ts_type = "ScheduleStatus | (string & {})")]
    pub status: Option<String>,
    /// Filters.
    pub filters: Vec<Filter>,
    /// Latest-N-tags filter, when the answer carries it.
    pub additional_filters: Option<AdditionalFilters>,
    /// Errors of the last job.
    pub errors: Vec<JobError>,
    /// Created (epoch ms).
    #[napi(ts_type = "string | null")]
    pub created: String,
    /// Updated (epoch ms).
    #[napi(ts_type = "string | null")]
    pub updated: String,
    /// Job started (epoch ms).
    #[napi(ts_type = "string | null")]
    pub job_start_date: String,
    /// Job completed (epoch ms).
    #[napi(ts_type = "string | null")]
    pub job_completion_date: String,
    /// Listing phase started (epoch ms).
    #[napi(ts_type = "string | null")]
    pub job_listing_start_date: String,
    /// Listing phase completed (epoch ms).
    #[napi(ts_type = "string | null")]
    pub job_listing_completion_date: String,
    /// Scanning phase started (epoch ms).
    #[napi(ts_type = "string | null")]
    pub job_scanning_start_date: String,
    /// Scanning phase completed (epoch ms).
    #[napi(ts_type = "string | null")]
    pub job_scanning_completion_date: String,
}

/// A registry as listed. Dates are epoch milliseconds as strings.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct Registry {
    /// The registry's id (UUID).
    pub registry_uuid: String,
    /// Display name, when the tenant gave one.
    pub registry_name: Option<String>,
    /// Registry URI, e.g. `https://registry.example.com`.
    pub registry_uri: Option<String>,
    /// Registry type.
    #[napi(ts_type = "RegistryType | (string & {})")]
    pub registry_type: Option<String>,
    /// Number of repositories.
    pub repo_count: Option<u32>,
    /// Created (epoch ms).
    pub created: Option<String>,
    /// Updated (epoch ms).
    pub updated: Option<String>,
    /// Last scanned (epoch ms).
    pub last_scanned: Option<String>,
}

/// A registry with its details (`getRegistry`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct RegistryDetails {
    /// The registry's id (UUID).
    pub registry_uuid: String,
    /// Display name, when the tenant gave one.
    pub registry_name: Option<String>,
    /// Registry URI.
    pub registry_uri: Option<String>,
    /// Registry type.
    #[napi(ts_type = "RegistryType | (string & {})")]
    pub registry_type: Option<String>,
    /// Number of repositories.
    pub repo_count: Option<u32>,
    /// Created (epoch ms).
    pub created: Option<String>,
    /// Updated (epoch ms).
    pub updated: Option<String>,
    /// Last scanned (epoch ms).
    pub last_scanned: Option<String>,
    /// Credential type, e.g. `None`, `BasicAuth`, `Token`.
    pub credential_type: Option<String>,
    /// Schedules of this registry, when the answer includes them.
    pub schedules: Option<Vec<Schedule>>,
}

/// A repository of a registry.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct Repository {
    /// Repository name.
    pub repo_name: String,
    /// Images found.
    #[napi(ts_type = "number | null")]
    pub total_images: u32,
    /// Images scanned.
    #[napi(ts_type = "number | null")]
    pub total_scanned_images: u32,
    /// Images with vulnerabilities.
    #[napi(ts_type = "number | null")]
    pub total_vulnerable_images: u32,
}

/// One page of schedules; `count` is the total across pages.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SchedulePage {
    /// Total number of matching schedules, across all pages.
    pub count: u32,
    /// The schedules of this page.
    pub data: Vec<Schedule>,
    /// Items that could not be decoded and were skipped (only with `lenient: true`; empty when
    /// none was).
    pub skipped: Vec<SkippedItem>,
}

/// An item of a list answer that could not be decoded and was skipped (`lenient: true`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SkippedItem {
    /// Its index in the page's `data` (from 0).
    pub index: u32,
    /// Its page number, when known.
    pub page_number: Option<u32>,
    /// Why it could not be read.
    pub message: String,
    /// The item as received.
    #[napi(ts_type = "unknown")]
    pub raw: serde_json::Value,
}

/// One page of registries; `count` is the total across pages.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct RegistryPage {
    /// Total number of registries, across all pages.
    pub count: u32,
    /// The registries of this page.
    pub data: Vec<Registry>,
    /// Always empty: only schedule listings decode leniently (kept for one page shape).
    pub skipped: Vec<SkippedItem>,
}

/// One page of repositories; `count` is the total across pages.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct RepositoryPage {
    /// Total number of repositories, across all pages.
    pub count: u32,
    /// The repositories of this page.
    pub data: Vec<Repository>,
    /// Always empty: only schedule listings decode leniently (kept for one page shape).
    pub skipped: Vec<SkippedItem>,
}

/// The answer of a bulk delete: the deletion job.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct BulkDeleteResponse {
    /// The deletion job's id.
    pub deletion_job_id: String,
}

/// The answer of a bulk cancel: the cancel job (note the capital `C`, as on the wire).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct BulkCancelResponse {
    /// The cancel job's id.
    #[napi(js_name = "CancelJobId")]
    pub cancel_job_id: String,
}

// ---------------------------------------------------------------------------------------------
// The SDK's own results.

/// One problem found by validation.
#[napi(object)]
#[derive(Clone)]
pub struct Violation {
    /// JSON pointer to the offending value, e.g. `/filters/0/repoTags/1/repo`; `""` is the
    /// whole request.
    pub path: String,
    /// Stable snake_case code, e.g. `interval_out_of_range`.
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
}

impl From<&core::Violation> for Violation {
    fn from(v: &core::Violation) -> Self {
        Violation {
            path: v.path.clone(),
            code: v.code.clone(),
            message: v.message.clone(),
        }
    }
}

impl From<Violation> for core::Violation {
    fn from(v: Violation) -> Self {
        core::Violation::new(v.path, v.code, v.message)
    }
}

pub(crate) fn violations(v: &[core::Violation]) -> Vec<Violation> {
    v.iter().map(Violation::from).collect()
}

/// The result of `validate()`: errors stop a request, warnings never do.
#[napi(object)]
pub struct ValidationReport {
    /// True when there is no error (warnings allowed).
    pub valid: bool,
    /// Problems that stop the request.
    pub errors: Vec<Violation>,
    /// Problems reported but not blocking.
    pub warnings: Vec<Violation>,
}

impl From<core::Report> for ValidationReport {
    fn from(r: core::Report) -> Self {
        ValidationReport {
            valid: r.is_valid(),
            errors: violations(&r.errors),
            warnings: violations(&r.warnings),
        }
    }
}

/// A validation rule of the core.
#[napi(object)]
pub struct ValidationRule {
    /// The stable code.
    pub code: String,
    /// `error` (blocks the request) or `warning`.
    #[napi(ts_type = "'error' | 'warning'")]
    pub severity: String,
    /// What the rule checks.
    pub description: String,
}

/// The result of `createSchedule`.
#[napi(object)]
pub struct Created {
    /// The new schedule's id.
    pub schedule_uuid: String,
    /// Validation warnings of the request (it was sent anyway).
    pub warnings: Vec<Violation>,
    /// True when the answer was lost (timeout, broken connection, 5xx) and the schedule was found
    /// by name instead; the schedule exists exactly once either way.
    pub recovered: bool,
}

impl From<qualys_cs_client::Created> for Created {
    fn from(c: qualys_cs_client::Created) -> Self {
        Created {
            schedule_uuid: c.schedule_uuid.as_str().to_owned(),
            warnings: violations(&c.warnings),
            recovered: c.recovered,
        }
    }
}

/// Query options of the list calls.
#[napi(object)]
#[derive(Clone, Default)]
pub struct ListOptions {
    /// Qualys query, e.g. `name:"nightly"` or `scheduleUuid:<id>`.
    pub filter: Option<String>,
    /// Page number, from 1 (default 1).
    pub page_number: Option<u32>,
    /// Items per page (default 50).
    pub page_size: Option<u32>,
    /// `field:asc` or `field:desc`.
    pub sort: Option<String>,
    /// Skip items that cannot be decoded instead of failing the page: each is logged and
    /// listed in the page's `skipped` with its index. Default `false`: such an item is a
    /// `decode` error naming its index. Not sent to the server.
    pub lenient: Option<bool>,
}

impl From<ListOptions> for qualys_cs_client::ListOptions {
    fn from(o: ListOptions) -> Self {
        qualys_cs_client::ListOptions {
            filter: o.filter,
            page_number: o.page_number,
            page_size: o.page_size,
            sort: o.sort,
            lenient: o.lenient.unwrap_or(false),
        }
    }
}

/// Which schedules a bulk delete or bulk cancel acts on: ids, or a Qualys filter (e.g.
/// `scheduleUuid:*` for all). When both are given the ids win.
#[napi(object)]
pub struct BulkSelector {
    /// These schedules (UUIDs).
    pub schedule_ids: Option<Vec<String>>,
    /// Schedules matching this Qualys query.
    pub filter: Option<String>,
}

/// A local run time converted to the UTC fields Qualys needs (`localToUtc`).
#[napi(object)]
pub struct LocalConversion {
    /// The IANA zone, e.g. `Europe/Berlin`.
    pub zone: String,
    /// The local time asked for, `HH:MM`.
    pub local_time: String,
    /// The local weekday asked for (weekly schedules).
    #[napi(ts_type = "WeekDay | null")]
    pub local_week_day: Option<String>,
    /// The UTC `schedule` value to send.
    pub utc_time: String,
    /// The UTC `weekDay` to send (shifted when the conversion crosses midnight).
    #[napi(ts_type = "WeekDay | null")]
    pub utc_week_day: Option<String>,
    /// Days the UTC run is shifted from the local day: -1, 0 or +1.
    pub day_shift: i32,
    /// The zone's UTC offset used for the conversion, in minutes.
    pub offset_minutes: i32,
    /// `dst_shift` warnings: when daylight-saving time moves the local run time, and by how
    /// much.
    pub warnings: Vec<Violation>,
}

impl From<core::LocalConversion> for LocalConversion {
    fn from(c: core::LocalConversion) -> Self {
        LocalConversion {
            zone: c.zone,
            local_time: c.local_time,
            local_week_day: c.local_week_day.map(|d| d.as_str().to_owned()),
            utc_time: c.utc_time,
            utc_week_day: c.utc_week_day.map(|d| d.as_str().to_owned()),
            day_shift: i32::from(c.day_shift),
            offset_minutes: c.offset_minutes,
            warnings: violations(&c.warnings),
        }
    }
}
