//! The typed request builder of the core, one JavaScript class per kind of schedule so that
//! TypeScript offers only that kind's options (as the Rust typestate does): `forceScan` is not
//! offered on daily schedules, `at` only on weekly ones. Arguments of the wrong type or a
//! weekday that is not one throw a `validation` error at once, naming the argument.

use napi::Env;
use napi::bindgen_prelude::{This, Unknown};
use napi_derive::napi;
use qualys_cs_core::builder::{DailyKind, EveryDaysKind, OnDemandKind, WeeklyKind};
use qualys_cs_core::{RegistryType, ScheduleBuilder as CoreBuilder, ScheduleRequest, WeekDay};

use crate::convert::{Js, arg, one_of};
use crate::error::sync;

const NAME: &str = "the schedule's name (text)";
const DAYS: &str = "a whole number of days";
const TEXT: &str = "text";

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
    pub fn on_demand(
        env: Env,
        #[napi(ts_arg_type = "string")] name: Unknown,
    ) -> napi::Result<OnDemandScheduleBuilder> {
        let name: String = sync(&env, arg("name", NAME, name))?;
        Ok(OnDemandScheduleBuilder {
            inner: ScheduleRequest::on_demand(name),
        })
    }

    /// An automatic scan every `days` days (1..=365). Use `weekly` for 7 and `daily` for 1.
    #[napi]
    pub fn every_days(
        env: Env,
        #[napi(ts_arg_type = "string")] name: Unknown,
        #[napi(ts_arg_type = "number")] days: Unknown,
    ) -> napi::Result<EveryDaysScheduleBuilder> {
        let name: String = sync(&env, arg("name", NAME, name))?;
        // Out-of-range values are reported by build() (interval_out_of_range).
        let days: u32 = sync(&env, arg("days", DAYS, days))?;
        let days = u16::try_from(days).unwrap_or(u16::MAX);
        Ok(EveryDaysScheduleBuilder {
            inner: ScheduleRequest::every_days(name, days),
        })
    }

    /// An automatic scan every week on `day` (interval 7), at 00:00 UTC unless `.at()` is set.
    /// A day that is not one (`'thursday'`) throws a `validation` error with a did-you-mean.
    #[napi]
    pub fn weekly(
        env: Env,
        #[napi(ts_arg_type = "string")] name: Unknown,
        #[napi(ts_arg_type = "WeekDay")] day: Unknown,
    ) -> napi::Result<WeeklyScheduleBuilder> {
        let name: String = sync(&env, arg("name", NAME, name))?;
        let days: Vec<&str> = WeekDay::KNOWN.iter().map(WeekDay::as_str).collect();
        let day = sync(&env, one_of("weekDay", "invalid_week_day", &days, day))?;
        Ok(WeeklyScheduleBuilder {
            inner: ScheduleRequest::weekly(name, WeekDay::from_wire(day)),
        })
    }

    /// An automatic scan every day at `time` (`HH:MM`, UTC).
    #[napi]
    pub fn daily(
        env: Env,
        #[napi(ts_arg_type = "string")] name: Unknown,
        #[napi(ts_arg_type = "string")] time: Unknown,
    ) -> napi::Result<DailyScheduleBuilder> {
        let name: String = sync(&env, arg("name", NAME, name))?;
        let time: String = sync(&env, arg("time", "a time HH:MM (UTC, text)", time))?;
        Ok(DailyScheduleBuilder {
            inner: ScheduleRequest::daily(name, time),
        })
    }
}

macro_rules! builder_class {
    ($doc:literal, $name:ident, $kind:ty) => {
        #[doc = $doc]
        #[napi]
        pub struct $name {
            inner: CoreBuilder<$kind>,
        }

        impl $name {
            fn with<'a, T: serde::de::DeserializeOwned>(
                &mut self,
                env: Env,
                this: This<'a>,
                (name, expect, value): (&str, &str, Unknown),
                f: impl FnOnce(CoreBuilder<$kind>, T) -> CoreBuilder<$kind>,
            ) -> napi::Result<This<'a>> {
                let v = sync(&env, arg(name, expect, value))?;
                self.inner = f(self.inner.clone(), v);
                Ok(this)
            }
        }

        #[napi]
        impl $name {
            /// Scan every tag of `repo`.
            #[napi]
            pub fn repo<'a>(
                &mut self,
                env: Env,
                this: This<'a>,
                #[napi(ts_arg_type = "string")] repo: Unknown,
            ) -> napi::Result<This<'a>> {
                self.with(env, this, ("repo", TEXT, repo), |b, r: String| b.repo(r))
            }

            /// Scan every tag of each repository.
            #[napi]
            pub fn repos<'a>(
                &mut self,
                env: Env,
                this: This<'a>,
                #[napi(ts_arg_type = "string[]")] repos: Unknown,
            ) -> napi::Result<This<'a>> {
                self.with(
                    env,
                    this,
                    ("repos", "a list of texts", repos),
                    |b, r: Vec<String>| b.repos(r),
                )
            }

            /// Scan the given tags of `repo`.
            #[napi]
            pub fn repo_tags<'a>(
                &mut self,
                env: Env,
                this: This<'a>,
                #[napi(ts_arg_type = "string")] repo: Unknown,
                #[napi(ts_arg_type = "string[]")] tags: Unknown,
            ) -> napi::Result<This<'a>> {
                let tags: Vec<String> = sync(&env, arg("tags", "a list of texts", tags))?;
                self.with(env, this, ("repo", TEXT, repo), |b, r: String| {
                    b.repo_tags(r, tags)
                })
            }

            /// Only images created within the last `days` days (documented: 1-7 or 14).
            #[napi]
            pub fn created_within_days<'a>(
                &mut self,
                env: Env,
                this: This<'a>,
                #[napi(ts_arg_type = "number")] days: Unknown,
            ) -> napi::Result<This<'a>> {
                self.with(env, this, ("days", DAYS, days), |b, d: u32| {
                    b.created_within_days(u16::try_from(d).unwrap_or(u16::MAX))
                })
            }

            /// The registry's type.
            #[napi]
            pub fn registry_type<'a>(
                &mut self,
                env: Env,
                this: This<'a>,
                #[napi(ts_arg_type = "RegistryType | (string & {})")] t: Unknown,
            ) -> napi::Result<This<'a>> {
                self.with(env, this, ("registryType", TEXT, t), |b, t: String| {
                    b.registry_type(RegistryType::from_wire(&t))
                })
            }

            /// Only the latest `n` tags, newest first by creation date.
            #[napi]
            pub fn latest_tags<'a>(
                &mut self,
                env: Env,
                this: This<'a>,
                #[napi(ts_arg_type = "number")] n: Unknown,
            ) -> napi::Result<This<'a>> {
                self.with(
                    env,
                    this,
                    ("n", "a whole number of tags", n),
                    |b, n: u32| b.latest_tags(n),
                )
            }

            /// Validates and returns the request (the API's JSON); throws a `validation`
            /// `QualysCsError` listing every problem.
            #[napi(ts_return_type = "ScheduleRequest")]
            pub fn build(&self, env: Env) -> napi::Result<Js> {
                sync(&env, self.inner.clone().build().map(|r| Js(r.to_value())))
            }

            /// The request as built, unchecked.
            #[napi(ts_return_type = "ScheduleRequest")]
            pub fn build_unchecked(&self) -> Js {
                Js(self.inner.clone().build_unchecked().to_value())
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
    ($($name:ident),*) => {$(
        #[napi]
        impl $name {
            /// Rescan every image, not only new ones (needs the subscription feature;
            /// automatic schedules need an interval of 7 days or more, which `build` checks).
            #[napi]
            pub fn force_scan<'a>(&mut self, env: Env, this: This<'a>, #[napi(ts_arg_type = "boolean")] on: Unknown) -> napi::Result<This<'a>> {
                self.with(env, this, ("on", "true or false", on), |b, on: bool| b.force_scan(on))
            }
        }
    )*};
}

force_scan!(
    OnDemandScheduleBuilder,
    EveryDaysScheduleBuilder,
    WeeklyScheduleBuilder
);

#[napi]
impl WeeklyScheduleBuilder {
    /// Run at `time` (`HH:MM`, UTC) on the weekday.
    #[napi]
    pub fn at<'a>(
        &mut self,
        env: Env,
        this: This<'a>,
        #[napi(ts_arg_type = "string")] time: Unknown,
    ) -> napi::Result<This<'a>> {
        self.with(
            env,
            this,
            ("time", "a time HH:MM (UTC, text)", time),
            |b, t: String| b.at(t),
        )
    }
}
