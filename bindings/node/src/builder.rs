//! The typed request builder of the core, one JavaScript class per kind of schedule so that
//! TypeScript offers only that kind's options (as the Rust typestate does): `forceScan` is not
//! offered on daily schedules, `at` only on weekly ones. An argument of the wrong type, or a
//! weekday that is not one, throws a `validation` error at once, naming the argument.

use napi::Env;
use napi::bindgen_prelude::{This, Unknown};
use napi_derive::napi;
use qualys_cs_core::builder::{DailyKind, EveryDaysKind, OnDemandKind, WeeklyKind};
use qualys_cs_core::{
    Error as CoreError, RegistryType, ScheduleBuilder as CoreBuilder, ScheduleRequest, WeekDay,
};

use crate::convert::{Js, arg, one_of};
use crate::error::sync;

fn name(u: Unknown<'_>) -> Result<String, CoreError> {
    arg("name", "the schedule's name (text)", u)
}

fn days(u: Unknown<'_>) -> Result<u16, CoreError> {
    // Out-of-range values are reported by build() (interval_out_of_range).
    let days: u32 = arg("days", "a whole number of days", u)?;
    Ok(u16::try_from(days).unwrap_or(u16::MAX))
}

fn week_day(u: Unknown<'_>) -> Result<WeekDay, CoreError> {
    let known: Vec<&str> = WeekDay::KNOWN.iter().map(WeekDay::as_str).collect();
    one_of("weekDay", "invalid_week_day", &known, u).map(WeekDay::from_wire)
}

fn time(u: Unknown<'_>) -> Result<String, CoreError> {
    arg("time", "a time HH:MM (UTC, text)", u)
}

/// Starts a schedule request of one kind; chain the options, then `build()`.
///
/// ```ts
/// const request = ScheduleBuilder.weekly('nightly', 'THURSDAY').at('06:55').repo('library/nginx').build()
/// ```
#[napi]
pub struct ScheduleBuilder {}

/// The kinds: `kind(argument: "TS type" => reader, …) -> Class core call`.
macro_rules! kinds {
    ($([$($doc:tt)*] $kind:ident($($a:ident: $ts:literal => $read:expr),*)
        -> $class:ident $new:expr;)*) => {
        #[napi]
        impl ScheduleBuilder {$(
            $(#[doc = $doc])*
            #[napi]
            pub fn $kind(env: Env, $(#[napi(ts_arg_type = $ts)] $a: Unknown),*) -> napi::Result<$class> {
                $(let $a = sync(&env, ($read)($a))?;)*
                Ok($class(($new)($($a),*)))
            }
        )*}
    };
}

kinds! {
    ["A one-off scan that runs at once."]
    on_demand(name: "string" => self::name) -> OnDemandScheduleBuilder ScheduleRequest::on_demand;
    ["An automatic scan every `days` days (1..=365). Use `weekly` for 7 and `daily` for 1."]
    every_days(name: "string" => self::name, days: "number" => self::days)
        -> EveryDaysScheduleBuilder ScheduleRequest::every_days;
    ["An automatic scan every week on `day` (interval 7), at 00:00 UTC unless `.at()` is set."
     "A day that is not one (`'thursday'`) throws a `validation` error with a did-you-mean."]
    weekly(name: "string" => self::name, day: "WeekDay" => week_day)
        -> WeeklyScheduleBuilder ScheduleRequest::weekly;
    ["An automatic scan every day at `time` (`HH:MM`, UTC)."]
    daily(name: "string" => self::name, time: "string" => self::time)
        -> DailyScheduleBuilder ScheduleRequest::daily;
}

/// Chainable options: `method(argument: type = "TS type", "what it must be", …) |builder| new`.
macro_rules! options {
    ($class:ident { $([$($doc:tt)*] $method:ident($($a:ident: $t:ty = $ts:literal, $what:literal),*)
        |$b:ident| $body:expr;)* }) => {
        #[napi]
        impl $class {$(
            $(#[doc = $doc])*
            #[napi]
            pub fn $method<'a>(&mut self, env: Env, this: This<'a>, $(#[napi(ts_arg_type = $ts)] $a: Unknown),*)
                -> napi::Result<This<'a>> {
                $(let $a: $t = sync(&env, arg(stringify!($a), $what, $a))?;)*
                let $b = self.0.clone();
                self.0 = $body;
                Ok(this)
            }
        )*}
    };
}

macro_rules! builders {
    ($([$($doc:tt)*] $class:ident($kind:ty);)*) => {$(
        $(#[doc = $doc])*
        #[napi]
        pub struct $class(CoreBuilder<$kind>);

        #[napi]
        impl $class {
            /// Validates and returns the request (the API's JSON); throws a `validation`
            /// `QualysCsError` listing every problem.
            #[napi(ts_return_type = "ScheduleRequest")]
            pub fn build(&self, env: Env) -> napi::Result<Js> {
                sync(&env, self.0.clone().build().map(|r| Js(r.to_value())))
            }

            /// The request as built, unchecked.
            #[napi(ts_return_type = "ScheduleRequest")]
            pub fn build_unchecked(&self) -> Js {
                Js(self.0.clone().build_unchecked().to_value())
            }
        }

        options!($class {
            ["Scan every tag of `repo`."]
            repo(repo: String = "string", "text") |b| b.repo(repo);
            ["Scan every tag of each repository."]
            repos(repos: Vec<String> = "string[]", "a list of texts") |b| b.repos(repos);
            ["Scan the given tags of `repo`."]
            repo_tags(repo: String = "string", "text", tags: Vec<String> = "string[]", "a list of texts")
                |b| b.repo_tags(repo, tags);
            ["Only images created within the last `days` days (documented: 1-7 or 14)."]
            created_within_days(days: u32 = "number", "a whole number of days")
                |b| b.created_within_days(u16::try_from(days).unwrap_or(u16::MAX));
            ["The registry's type."]
            registry_type(registry_type: String = "RegistryType | (string & {})", "text")
                |b| b.registry_type(RegistryType::from_wire(&registry_type));
            ["Only the latest `n` tags, newest first by creation date."]
            latest_tags(n: u32 = "number", "a whole number of tags") |b| b.latest_tags(n);
        });
    )*};
}

builders! {
    ["Builds an on-demand request (`ScheduleBuilder.onDemand`)."] OnDemandScheduleBuilder(OnDemandKind);
    ["Builds an every-N-days request (`ScheduleBuilder.everyDays`)."] EveryDaysScheduleBuilder(EveryDaysKind);
    ["Builds a weekly request (`ScheduleBuilder.weekly`)."] WeeklyScheduleBuilder(WeeklyKind);
    ["Builds a daily request (`ScheduleBuilder.daily`)."] DailyScheduleBuilder(DailyKind);
}

macro_rules! force_scan {
    ($($class:ident),*) => {$(options!($class {
        ["Rescan every image, not only new ones (needs the subscription feature; automatic"
         "schedules need an interval of 7 days or more, which `build` checks)."]
        force_scan(on: bool = "boolean", "true or false") |b| b.force_scan(on);
    });)*};
}

force_scan!(
    OnDemandScheduleBuilder,
    EveryDaysScheduleBuilder,
    WeeklyScheduleBuilder
);

options!(WeeklyScheduleBuilder {
    ["Run at `time` (`HH:MM`, UTC) on the weekday."]
    at(time: String = "string", "a time HH:MM (UTC, text)") |b| b.at(time);
});
