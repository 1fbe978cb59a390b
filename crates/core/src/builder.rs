//! A typed builder in which the common mistakes cannot be written: the kind of schedule is chosen
//! first, and only that kind's options exist. Its output is still checked by
//! [`crate::validate()`] in [`ScheduleBuilder::build`].
//!
//! ```
//! use qualys_cs_core::{ScheduleRequest, WeekDay};
//! let req = ScheduleRequest::weekly("Automatic Scan Schedule", WeekDay::Thursday)
//!     .at("06:55")
//!     .repo("azuretest")
//!     .created_within_days(14)
//!     .force_scan(true)
//!     .build()
//!     .expect("valid");
//! assert_eq!(req.schedule_interval_in_days, Some(7));
//! ```

use crate::enums::{RegistryType, WeekDay};
use crate::error::Error;
use crate::model::{AdditionalFilters, Extra, Filter, RepoTag, ScheduleRequest};
use std::marker::PhantomData;

/// Kind marker: runs once, now.
#[derive(Debug, Clone, Copy)]
pub struct OnDemandKind;
/// Kind marker: every N days.
#[derive(Debug, Clone, Copy)]
pub struct EveryDaysKind;
/// Kind marker: weekly on a weekday.
#[derive(Debug, Clone, Copy)]
pub struct WeeklyKind;
/// Kind marker: daily at a UTC time.
#[derive(Debug, Clone, Copy)]
pub struct DailyKind;

/// Kinds whose scans may force a rescan of every image.
pub trait ForceScanAllowed {}
impl ForceScanAllowed for OnDemandKind {}
impl ForceScanAllowed for WeeklyKind {}
impl ForceScanAllowed for EveryDaysKind {}

/// Builds a [`ScheduleRequest`]; start from one of `ScheduleRequest`'s constructors.
#[derive(Debug, Clone)]
pub struct ScheduleBuilder<K> {
    req: ScheduleRequest,
    _kind: PhantomData<K>,
}

impl ScheduleRequest {
    /// A one-off scan that runs at once.
    pub fn on_demand(name: impl Into<String>) -> ScheduleBuilder<OnDemandKind> {
        ScheduleBuilder::new(name, true, None)
    }

    /// An automatic scan every `days` days (1..=365). Use [`ScheduleRequest::weekly`] for 7
    /// and [`ScheduleRequest::daily`] for 1: those need a weekday or a time, which
    /// [`ScheduleBuilder::build`] reports when missing.
    pub fn every_days(name: impl Into<String>, days: u16) -> ScheduleBuilder<EveryDaysKind> {
        ScheduleBuilder::new(name, false, Some(i64::from(days)))
    }

    /// An automatic scan every week on `day` (interval 7), at 00:00 UTC unless `.at()` is set.
    pub fn weekly(name: impl Into<String>, day: WeekDay) -> ScheduleBuilder<WeeklyKind> {
        let mut b = ScheduleBuilder::new(name, false, Some(7));
        b.req.week_day = Some(day);
        b
    }

    /// An automatic scan every day at `time` (`HH:MM`, UTC).
    pub fn daily(name: impl Into<String>, time: impl Into<String>) -> ScheduleBuilder<DailyKind> {
        let mut b = ScheduleBuilder::new(name, false, Some(1));
        b.req.schedule = Some(time.into());
        b
    }
}

impl<K> ScheduleBuilder<K> {
    fn new(name: impl Into<String>, on_demand: bool, interval: Option<i64>) -> Self {
        ScheduleBuilder {
            req: ScheduleRequest {
                name: name.into(),
                on_demand,
                schedule_interval_in_days: interval,
                filters: vec![Filter::default()],
                ..Default::default()
            },
            _kind: PhantomData,
        }
    }

    fn filter(&mut self) -> &mut Filter {
        if self.req.filters.is_empty() {
            self.req.filters.push(Filter::default());
        }
        &mut self.req.filters[0]
    }

    /// Scan every tag of `repo`.
    pub fn repo(mut self, repo: impl Into<String>) -> Self {
        self.filter().repo_tags.push(RepoTag::all_tags(repo));
        self
    }

    /// Scan every tag of each repository.
    pub fn repos<I, S>(mut self, repos: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for r in repos {
            self = self.repo(r);
        }
        self
    }

    /// Scan the given tags of `repo`.
    pub fn repo_tags<I, S>(mut self, repo: impl Into<String>, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let tags: Vec<String> = tags.into_iter().map(|t| t.as_ref().to_owned()).collect();
        self.filter().repo_tags.push(RepoTag {
            repo: repo.into(),
            tag: Some(tags.join(",")),
            extra: Extra::new(),
        });
        self
    }

    /// Only images created within the last `days` days (documented: 1-7 or 14).
    pub fn created_within_days(mut self, days: u16) -> Self {
        self.filter().days = Some(i64::from(days));
        self
    }

    /// The registry's type.
    pub fn registry_type(mut self, t: RegistryType) -> Self {
        self.req.registry_type = Some(t);
        self
    }

    /// Only the latest `n` tags, newest first by creation date.
    pub fn latest_tags(mut self, n: u32) -> Self {
        self.req.additional_filters = Some(AdditionalFilters::latest(n));
        self
    }

    /// Validates and returns the request; every error of [`crate::validate()`] is reported.
    pub fn build(self) -> Result<ScheduleRequest, Error> {
        crate::validate(&self.req).into_result()?;
        Ok(self.req)
    }

    /// The request as built, unchecked (for tests of the validator itself).
    pub fn build_unchecked(self) -> ScheduleRequest {
        self.req
    }
}

impl<K: ForceScanAllowed> ScheduleBuilder<K> {
    /// Rescan every image, not only new ones (needs the subscription feature; automatic
    /// schedules need an interval of 7 days or more, which `build` checks).
    pub fn force_scan(mut self, on: bool) -> Self {
        self.req.force_scan = Some(on);
        self
    }
}

impl ScheduleBuilder<WeeklyKind> {
    /// Run at `time` (`HH:MM`, UTC) on the weekday. Qualys's own sample sends this with
    /// weekly schedules; the docs describe it for daily ones only (validation warns).
    pub fn at(mut self, time: impl Into<String>) -> Self {
        self.req.schedule = Some(time.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_makes_valid_requests_of_each_kind() {
        let r = ScheduleRequest::on_demand("now")
            .repo_tags("nginx", ["latest", "1.25"])
            .build()
            .expect("valid");
        assert!(r.on_demand);
        assert_eq!(
            r.filters[0].repo_tags[0].tag.as_deref(),
            Some("latest,1.25")
        );

        let r = ScheduleRequest::daily("d", "19:30")
            .repo("app")
            .build()
            .expect("valid");
        assert_eq!(r.schedule_interval_in_days, Some(1));

        let r = ScheduleRequest::every_days("e", 10)
            .repo("app")
            .force_scan(true)
            .latest_tags(5)
            .build()
            .expect("valid");
        assert_eq!(r.additional_filters.and_then(|a| a.number_of_tags), Some(5));
    }

    #[test]
    fn builder_reports_what_it_cannot_prevent() {
        let err = ScheduleRequest::every_days("e", 3)
            .repo("app")
            .force_scan(true)
            .build()
            .expect_err("forceScan with interval 3");
        assert_eq!(err.violations()[0].code, "force_scan_interval_too_short");

        let err = ScheduleRequest::daily("", "25:00")
            .build()
            .expect_err("bad");
        let codes: Vec<_> = err.violations().iter().map(|v| v.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "name_required",
                "invalid_schedule_time",
                "repo_tags_required"
            ]
        );
    }
}
