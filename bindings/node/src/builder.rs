//! The typed request builder of the core, one JavaScript class per kind of schedule so that
//! TypeScript offers only that kind's options (as the Rust typestate does): `forceScan` is not
//! offered on daily schedules, `at` only on weekly ones.

use napi::Env;
use napi::bindgen_prelude::This;
use napi_derive::napi;
use qualys_cs_core::builder::{DailyKind, EveryDaysKind, OnDemandKind, WeeklyKind};
use qualys_cs_core::{RegistryType, ScheduleBuilder as CoreBuilder, ScheduleRequest, WeekDay};
use serde_json::Value;

use crate::error::sync;

/// Starts a schedule request of one kind; chain the options, then `build()`.
///
/// ```ts
/// const request = ScheduleBuilder.weekly('nightly', 'THURSDAY').at('06:55').repo('library/nginx').build()
/// ```
#[napi]
pub struct ScheduleBuilder {}

#[napi]
impl ScheduleBuilder {
    /// A one-off scan that runs at once.
    #[napi]
    pub fn on_demand(name: String) -> OnDemandScheduleBuilder {
        OnDemandScheduleBuilder {
            inner: ScheduleRequest::on_demand(name),
        }
    }

    /// An automatic scan every `days` days (1..=365). Use `weekly` for 7 and `daily` for 1.
    #[napi]
    pub fn every_days(name: String, days: u32) -> EveryDaysScheduleBuilder {
        // Out-of-range values are reported by build() (interval_out_of_range).
        let days = u16::try_from(days).unwrap_or(u16::MAX);
        EveryDaysScheduleBuilder {
            inner: ScheduleRequest::every_days(name, days),
        }
    }

    /// An automatic scan every week on `day` (interval 7), at 00:00 UTC unless `.at()` is set.
    #[napi]
    pub fn weekly(name: String, day: crate::types::WeekDay) -> WeeklyScheduleBuilder {
        let day = match day {
            crate::types::WeekDay::Monday => WeekDay::Monday,
            crate::types::WeekDay::Tuesday => WeekDay::Tuesday,
            crate::types::WeekDay::Wednesday => WeekDay::Wednesday,
            crate::types::WeekDay::Thursday => WeekDay::Thursday,
            crate::types::WeekDay::Friday => WeekDay::Friday,
            crate::types::WeekDay::Saturday => WeekDay::Saturday,
            crate::types::WeekDay::Sunday => WeekDay::Sunday,
        };
        WeeklyScheduleBuilder {
            inner: ScheduleRequest::weekly(name, day),
        }
    }

    /// An automatic scan every day at `time` (`HH:MM`, UTC).
    #[napi]
    pub fn daily(name: String, time: String) -> DailyScheduleBuilder {
        DailyScheduleBuilder {
            inner: ScheduleRequest::daily(name, time),
        }
    }
}

macro_rules! builder_class {
    ($doc:literal, $name:ident, $kind:ty) => {
        #[doc = $doc]
        #[napi]
        pub struct $name {
            inner: CoreBuilder<$kind>,
        }

        #[napi]
        impl $name {
            /// Scan every tag of `repo`.
            #[napi]
            pub fn repo<'a>(&mut self, this: This<'a>, repo: String) -> This<'a> {
                self.inner = self.inner.clone().repo(repo);
                this
            }

            /// Scan every tag of each repository.
            #[napi]
            pub fn repos<'a>(&mut self, this: This<'a>, repos: Vec<String>) -> This<'a> {
                self.inner = self.inner.clone().repos(repos);
                this
            }

            /// Scan the given tags of `repo`.
            #[napi]
            pub fn repo_tags<'a>(
                &mut self,
                this: This<'a>,
                repo: String,
                tags: Vec<String>,
            ) -> This<'a> {
                self.inner = self.inner.clone().repo_tags(repo, tags);
                this
            }

            /// Only images created within the last `days` days (documented: 1-7 or 14).
            #[napi]
            pub fn created_within_days<'a>(&mut self, this: This<'a>, days: u32) -> This<'a> {
                let days = u16::try_from(days).unwrap_or(u16::MAX);
                self.inner = self.inner.clone().created_within_days(days);
                this
            }

            /// The registry's type.
            #[napi]
            pub fn registry_type<'a>(
                &mut self,
                this: This<'a>,
                #[napi(ts_arg_type = "RegistryType | (string & {})")] registry_type: String,
            ) -> This<'a> {
                self.inner = self
                    .inner
                    .clone()
                    .registry_type(RegistryType::from_wire(&registry_type));
                this
            }

            /// Only the latest `n` tags, newest first by creation date.
            #[napi]
            pub fn latest_tags<'a>(&mut self, this: This<'a>, n: u32) -> This<'a> {
                self.inner = self.inner.clone().latest_tags(n);
                this
            }

            /// Validates and returns the request (the API's JSON); throws a `validation`
            /// `QualysCsError` listing every problem.
            #[napi(ts_return_type = "ScheduleRequest")]
            pub fn build(&self, env: Env) -> napi::Result<Value> {
                sync(&env, self.inner.clone().build().map(|r| r.to_value()))
            }

            /// The request as built, unchecked.
            #[napi(ts_return_type = "ScheduleRequest")]
            pub fn build_unchecked(&self) -> Value {
                self.inner.clone().build_unchecked().to_value()
            }
        }
    };
}

builder_class!(
    "Builds an on-demand request (`ScheduleBuilder.onDemand`).",
    OnDemandScheduleBuilder,
    OnDemandKind
);
builder_class!(
    "Builds an every-N-days request (`ScheduleBuilder.everyDays`).",
    EveryDaysScheduleBuilder,
    EveryDaysKind
);
builder_class!(
    "Builds a weekly request (`ScheduleBuilder.weekly`).",
    WeeklyScheduleBuilder,
    WeeklyKind
);
builder_class!(
    "Builds a daily request (`ScheduleBuilder.daily`).",
    DailyScheduleBuilder,
    DailyKind
);

macro_rules! force_scan {
    ($name:ident) => {
        #[napi]
        impl $name {
            /// Rescan every image, not only new ones (needs the subscription feature;
            /// automatic schedules need an interval of 7 days or more, which `build` checks).
            #[napi]
            pub fn force_scan<'a>(&mut self, this: This<'a>, on: bool) -> This<'a> {
                self.inner = self.inner.clone().force_scan(on);
                this
            }
        }
    };
}

force_scan!(OnDemandScheduleBuilder);
force_scan!(EveryDaysScheduleBuilder);
force_scan!(WeeklyScheduleBuilder);

#[napi]
impl WeeklyScheduleBuilder {
    /// Run at `time` (`HH:MM`, UTC) on the weekday.
    #[napi]
    pub fn at<'a>(&mut self, this: This<'a>, time: String) -> This<'a> {
        self.inner = self.inner.clone().at(time);
        this
    }
}
