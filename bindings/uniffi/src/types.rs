//! The few records that are the binding's own: the models themselves are the core's and the
//! client's (their `uniffi` feature derives them). Here: pages of a concrete item type (uniffi
//! has no generics), a rule, what a status allows, the bulk selector (ids as text, so a bad id
//! is our `validation` error), and the [`ScheduleBuilder`].

use crate::error::QualysCsError;
use qualys_cs_core as qc;
use qualys_cs_core::{
    AdditionalFilters, Filter, RegistryType, RepoTag, ScheduleRequest, SkippedItem, WeekDay,
};
use std::sync::Arc;

/// Setters of an immutable builder (`with` clones it and applies one change): each `fn` line
/// becomes an exported method returning a new builder.
macro_rules! setters {
    ($ty:ident, $c:ident; $( $(#[$m:meta])* fn $name:ident($($arg:ident: $t:ty),*) $body:expr; )+) => {
        #[uniffi::export]
        impl $ty {
            $( $(#[$m])* pub fn $name(&self, $($arg: $t),*) -> Arc<Self> { self.with(|$c| { $body; }) } )+
        }
    };
}
pub(crate) use setters;

/// Exported functions that only call the core or the client: each `fn` line becomes one.
macro_rules! exports {
    ($( $(#[$m:meta])* fn $name:ident($($arg:ident: $t:ty),*) -> $ret:ty = $body:expr; )+) => {
        $( $(#[$m])* #[uniffi::export] pub fn $name($($arg: $t),*) -> $ret { $body } )+
    };
}
pub(crate) use exports;

macro_rules! page {
    ($(#[$m:meta])* $name:ident, $item:ident) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, uniffi::Record)]
        pub struct $name {
            /// Total number of items matching, across all pages.
            pub count: u64,
            /// The items of this page.
            pub data: Vec<qc::$item>,
            /// Items that could not be decoded and were skipped (lenient mode only).
            #[uniffi(default)]
            #[serde(skip_serializing_if = "Vec::is_empty")]
            pub skipped: Vec<SkippedItem>,
        }

        impl From<qc::Page<qc::$item>> for $name {
            fn from(p: qc::Page<qc::$item>) -> Self {
                $name { count: p.count, data: p.data, skipped: p.skipped }
            }
        }
    };
}

page! { #[doc = "One page of schedules (`{count, data, skipped}`)."] SchedulePage, Schedule }
page! { #[doc = "One page of registries."] RegistryPage, Registry }
page! { #[doc = "One page of repositories."] RepositoryPage, Repository }

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
        let ids = s.schedule_ids.iter().map(|id| qc::ScheduleId::parse(id));
        Ok(qualys_cs_client::BulkSelector {
            schedule_ids: ids.collect::<Result<_, _>>()?,
            filter: s.filter,
        })
    }
}

/// Builds a [`ScheduleRequest`] step by step, like the Rust, Python and Node builders: choose
/// the kind first (`onDemand`, `everyDays`, `weekly`, `daily`), then what to scan; `build()`
/// checks every rule at once (a `validation` error lists each problem with its path).
///
/// Kotlin: `ScheduleBuilder.weekly("w", WeekDay.THURSDAY).at("06:55").repo("app").build()`.
/// Immutable: each step returns a new builder.
#[derive(Debug, uniffi::Object)]
pub struct ScheduleBuilder {
    req: ScheduleRequest,
}

impl ScheduleBuilder {
    fn kind(name: String, on_demand: bool, interval: Option<i64>) -> ScheduleRequest {
        ScheduleRequest {
            name,
            on_demand,
            schedule_interval_in_days: interval,
            filters: vec![Filter::default()],
            ..Default::default()
        }
    }

    fn with(&self, f: impl FnOnce(&mut ScheduleRequest)) -> Arc<Self> {
        let mut req = self.req.clone();
        if req.filters.is_empty() {
            req.filters.push(Filter::default());
        }
        f(&mut req);
        Arc::new(ScheduleBuilder { req })
    }

    fn new_arc(req: ScheduleRequest) -> Arc<Self> {
        Arc::new(ScheduleBuilder { req })
    }
}

#[uniffi::export]
impl ScheduleBuilder {
    /// A one-off scan that runs at once.
    #[uniffi::constructor]
    pub fn on_demand(name: String) -> Arc<Self> {
        Self::new_arc(Self::kind(name, true, None))
    }

    /// An automatic scan every `days` days (1..=365; use `weekly` for 7, `daily` for 1).
    #[uniffi::constructor]
    pub fn every_days(name: String, days: u16) -> Arc<Self> {
        Self::new_arc(Self::kind(name, false, Some(i64::from(days))))
    }

    /// An automatic scan every week on `day` (interval 7), at 00:00 UTC unless `at` is set.
    #[uniffi::constructor]
    pub fn weekly(name: String, day: WeekDay) -> Arc<Self> {
        let mut r = Self::kind(name, false, Some(7));
        r.week_day = Some(day);
        Self::new_arc(r)
    }

    /// An automatic scan every day at `time` (`HH:MM`, UTC).
    #[uniffi::constructor]
    pub fn daily(name: String, time: String) -> Arc<Self> {
        let mut r = Self::kind(name, false, Some(1));
        r.schedule = Some(time);
        Self::new_arc(r)
    }

    /// Checks every rule and returns the request; a `validation` error lists each problem.
    pub fn build(&self) -> Result<ScheduleRequest, QualysCsError> {
        qc::validate(&self.req).into_result()?;
        Ok(self.req.clone())
    }

    /// The request as built, unchecked.
    pub fn build_unchecked(&self) -> ScheduleRequest {
        self.req.clone()
    }
}

setters! { ScheduleBuilder, r;
    /// Run at `time` (`HH:MM`, UTC) on the weekday of a weekly schedule.
    fn at(time: String) r.schedule = Some(time);
    /// Scan every tag of `repo`.
    fn repo(repo: String) r.filters[0].repo_tags.push(RepoTag::all_tags(repo));
    /// Scan the given tags of `repo`.
    fn repo_tags(repo: String, tags: Vec<String>) r.filters[0].repo_tags.push(RepoTag {
        repo, tag: Some(tags.join(",")), ..Default::default()
    });
    /// Only images created within the last `days` days (documented: 1-7 or 14).
    fn created_within_days(days: u16) r.filters[0].days = Some(i64::from(days));
    /// The registry's type.
    fn registry_type(registry_type: RegistryType) r.registry_type = Some(registry_type);
    /// Only the latest `n` tags, newest first by creation date.
    fn latest_tags(n: u32) r.additional_filters = Some(AdditionalFilters::latest(n));
    /// Rescan every image, not only new ones (automatic schedules: interval 7 or more).
    fn force_scan(on: bool) r.force_scan = Some(on);
}
