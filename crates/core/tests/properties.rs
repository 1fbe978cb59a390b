//! Property tests of the core: round trips of the wire models, validation that never panics and
//! agrees with itself across the typed and the untyped entry points, and JSON-pointer paths that
//! point into the input.
//!
//! Case counts are proptest's default (256; `PROPTEST_CASES` overrides it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use qualys_cs_core::{
    AdditionalFilters, Extra, Filter, JobError, Millis, Page, RULES, RegistryType, RepoTag, Report,
    Schedule, ScheduleRequest, ScheduleStatus, Severity, Violation, WeekDay, validate,
    validate_value,
};
use serde_json::{Map, Value, json};
use std::cell::Cell;

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Strings that exercise the rules: blanks, controls, separators, non-ASCII, near-misses.
fn weird_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => "[a-zA-Z0-9 ,:_/.~-]{0,12}",
        1 => "\\PC{0,8}",
        1 => select(vec![
            "", " ", "\t", "\n", "\u{0}", "\u{7f}", "\u{85}", "\u{a0}", "\u{200b}", "\u{202e}",
            "\u{feff}", "🚀", "夜間", "MONDAY", "monday", "00:00", "23:59", "24:00", "7:30",
            "０７:３０", "a,,b", ",", " , ", "latest, 1.25", "createdDate", "Azure", "null", "~1/",
        ])
        .prop_map(str::to_owned),
        1 => (0usize..3000).prop_map(|n| "x".repeat(n)),
    ]
}

/// Numbers at the edges: i64/u64 limits, huge and tiny floats, whole decimals.
fn weird_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (-400i64..=400).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        1 => select(vec![
            json!(i64::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(1e308),
            json!(-1e308),
            json!(5e-324),
            json!(7.0),
            json!(7.5),
            json!(-0.0),
            json!(4294967296u64),
        ]),
    ]
}

/// Object keys: mostly the request's own field names (so decoding goes deep), some others.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(vec![
            "name", "onDemand", "OnDemand", "scheduleIntervalInDays",
            "scheduleScanIntervalInDays", "weekDay", "schedule", "forceScan", "registryType",
            "filters", "additionalFilters", "days", "repoTags", "repo", "tag", "numberOfTags",
            "sortCriteria",
        ])
        .prop_map(str::to_owned),
        1 => weird_string(),
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        weird_number(),
        weird_string().prop_map(Value::String),
    ]
}

/// Arbitrary JSON, nested up to 6 levels.
fn any_json() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((key(), inner), 0..8).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A JSON value without floats (they do not always survive a trip through text exactly).
fn plain_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        weird_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Unknown fields: the `x_` prefix keeps them apart from every known name and alias.
fn extra() -> impl Strategy<Value = Extra> {
    prop_oneof![
        3 => Just(Extra::new()),
        1 => btree_map("x_[a-zA-Z0-9_/~ ]{0,8}", plain_json(), 1..3),
    ]
}

fn week_day() -> impl Strategy<Value = WeekDay> {
    prop_oneof![
        4 => select(WeekDay::KNOWN.to_vec()),
        1 => "[a-z]{0,9}".prop_map(WeekDay::Other),
    ]
}

fn registry_type() -> impl Strategy<Value = RegistryType> {
    prop_oneof![
        4 => select(RegistryType::KNOWN.to_vec()),
        1 => "[a-z_]{0,9}".prop_map(RegistryType::Other),
    ]
}

fn status() -> impl Strategy<Value = ScheduleStatus> {
    prop_oneof![
        4 => select(ScheduleStatus::KNOWN.to_vec()),
        1 => "[a-z]{1,12}".prop_map(ScheduleStatus::Other),
    ]
}

fn hh_mm() -> impl Strategy<Value = String> {
    (0u8..24, 0u8..60).prop_map(|(h, m)| format!("{h:02}:{m:02}"))
}

fn repo_tag() -> impl Strategy<Value = RepoTag> {
    (
        "[a-z][a-z0-9._-]{0,8}(/[a-z0-9._-]{1,8})?",
        prop_oneof![
            Just(None),
            vec("[a-zA-Z0-9._-]{1,8}", 1..4).prop_map(|t| Some(t.join(", "))),
        ],
        extra(),
    )
        .prop_map(|(repo, tag, extra)| RepoTag { repo, tag, extra })
}

fn filter() -> impl Strategy<Value = Filter> {
    (
        prop_oneof![
            Just(None),
            (1i64..=7).prop_map(Some),
            Just(Some(14)),
            (8i64..100).prop_map(Some)
        ],
        vec(repo_tag(), 1..4),
        extra(),
    )
        .prop_map(|(days, repo_tags, extra)| Filter {
            days,
            repo_tags,
            extra,
        })
}

fn additional_filters() -> impl Strategy<Value = AdditionalFilters> {
    (
        (1i64..100).prop_map(Some),
        prop_oneof![
            Just(None),
            Just(Some("createdDate".to_owned())),
            "[a-zA-Z]{1,10}".prop_map(Some)
        ],
        extra(),
    )
        .prop_map(|(number_of_tags, sort_criteria, extra)| AdditionalFilters {
            number_of_tags,
            sort_criteria,
            extra,
        })
}

/// A coherent request of one of the four kinds, mostly valid (warnings allowed).
fn coherent_request() -> impl Strategy<Value = ScheduleRequest> {
    let kind = (
        0u8..4,
        2i64..=365,
        week_day(),
        hh_mm(),
        any::<bool>(),
        any::<bool>(),
    );
    (
        prop_oneof![
            "[a-zA-Z][a-zA-Z0-9 _-]{0,15}",
            "\\PL{1,10}",
            Just("Automatic Scan Schedule".to_owned())
        ],
        kind,
        prop::option::of(registry_type()),
        vec(filter(), 1..3),
        prop::option::of(additional_filters()),
        extra(),
    )
        .prop_map(
            |(name, (k, n, day, time, flag, force), rt, filters, af, extra)| {
                let mut r = ScheduleRequest {
                    name,
                    registry_type: rt,
                    filters,
                    additional_filters: af,
                    extra,
                    ..Default::default()
                };
                match k {
                    0 => {
                        r.on_demand = true;
                        r.force_scan = flag.then_some(force);
                    }
                    1 => {
                        r.on_demand = false;
                        r.schedule_interval_in_days = Some(1);
                        r.schedule = Some(time);
                        r.force_scan = flag.then_some(false);
                    }
                    2 => {
                        r.on_demand = false;
                        r.schedule_interval_in_days = Some(7);
                        r.week_day = Some(day);
                        r.schedule = flag.then_some(time);
                        r.force_scan = Some(force);
                    }
                    _ => {
                        let n = if n == 7 { 8 } else { n };
                        r.on_demand = false;
                        r.schedule_interval_in_days = Some(n);
                        r.force_scan = (flag && n >= 7).then_some(force);
                    }
                }
                r
            },
        )
}

/// One change that may break a rule.
#[derive(Clone, Debug)]
enum Noise {
    Name(String),
    FlipOnDemand,
    Interval(Option<i64>),
    WeekDay(Option<WeekDay>),
    Schedule(Option<String>),
    ForceScan(Option<bool>),
    NoFilters,
    NoRepoTags,
    Repo(String),
    Tag(Option<String>),
    Days(Option<i64>),
    NumberOfTags(Option<i64>),
    Sort(Option<String>),
}

fn noise() -> impl Strategy<Value = Noise> {
    let small_int = prop_oneof![(-3i64..=400), any::<i64>()];
    prop_oneof![
        weird_string().prop_map(Noise::Name),
        Just(Noise::FlipOnDemand),
        prop::option::of(small_int.clone()).prop_map(Noise::Interval),
        prop::option::of(week_day()).prop_map(Noise::WeekDay),
        prop::option::of(prop_oneof![hh_mm(), weird_string()]).prop_map(Noise::Schedule),
        prop::option::of(any::<bool>()).prop_map(Noise::ForceScan),
        Just(Noise::NoFilters),
        Just(Noise::NoRepoTags),
        weird_string().prop_map(Noise::Repo),
        prop::option::of(weird_string()).prop_map(Noise::Tag),
        prop::option::of(small_int.clone()).prop_map(Noise::Days),
        prop::option::of(small_int).prop_map(Noise::NumberOfTags),
        prop::option::of(weird_string()).prop_map(Noise::Sort),
    ]
}

fn apply(mut r: ScheduleRequest, noise: Vec<Noise>) -> ScheduleRequest {
    for n in noise {
        match n {
            Noise::Name(s) => r.name = s,
            Noise::FlipOnDemand => r.on_demand = !r.on_demand,
            Noise::Interval(i) => r.schedule_interval_in_days = i,
            Noise::WeekDay(d) => r.week_day = d,
            Noise::Schedule(s) => r.schedule = s,
            Noise::ForceScan(f) => r.force_scan = f,
            Noise::NoFilters => r.filters.clear(),
            Noise::NoRepoTags => {
                if let Some(f) = r.filters.first_mut() {
                    f.repo_tags.clear();
                }
            }
            Noise::Repo(s) => {
                if let Some(t) = r.filters.first_mut().and_then(|f| f.repo_tags.first_mut()) {
                    t.repo = s;
                }
            }
            Noise::Tag(s) => {
                if let Some(t) = r.filters.first_mut().and_then(|f| f.repo_tags.first_mut()) {
                    t.tag = s;
                }
            }
            Noise::Days(d) => {
                if let Some(f) = r.filters.first_mut() {
                    f.days = d;
                }
            }
            Noise::NumberOfTags(n) => {
                r.additional_filters
                    .get_or_insert_with(Default::default)
                    .number_of_tags = n;
            }
            Noise::Sort(s) => {
                r.additional_filters
                    .get_or_insert_with(Default::default)
                    .sort_criteria = s;
            }
        }
    }
    r
}

/// Requests of every kind, valid about half of the time.
fn request() -> impl Strategy<Value = ScheduleRequest> {
    (
        coherent_request(),
        prop_oneof![1 => Just(Vec::new()), 1 => vec(noise(), 1..4)],
    )
        .prop_map(|(r, n)| apply(r, n))
}

fn millis() -> impl Strategy<Value = Option<Millis>> {
    prop::option::of(any::<i64>().prop_map(Millis))
}

fn job_error() -> impl Strategy<Value = JobError> {
    let non_null = prop_oneof![
        "[A-Z_0-9]{1,8}".prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        vec(weird_string().prop_map(Value::String), 0..3).prop_map(Value::Array),
    ];
    (
        prop::option::of(non_null.clone()),
        prop::option::of(weird_string()),
        prop::option::of(non_null),
        extra(),
    )
        .prop_map(
            |(error_code, error_message, context_params, extra)| JobError {
                error_code,
                error_message,
                context_params,
                extra,
            },
        )
}

/// A list item as the API could send it, with every optional part present or not.
fn schedule() -> impl Strategy<Value = Schedule> {
    let head = (
        "[0-9a-f-]{0,36}",
        weird_string(),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<i64>()),
        prop::option::of(week_day()),
        prop::option::of(weird_string()),
        prop::option::of(any::<bool>()),
        prop::option::of(registry_type()),
        prop::option::of(status()),
    );
    let body = (
        vec(filter(), 0..3),
        prop::option::of(additional_filters()),
        vec(job_error(), 0..3),
        vec(millis(), 8),
        extra(),
    );
    (head, body).prop_map(
        |(
            (schedule_uuid, name, on_demand, interval, week_day, schedule, force_scan, rt, status),
            (filters, additional_filters, errors, dates, extra),
        )| Schedule {
            schedule_uuid,
            name,
            on_demand,
            schedule_interval_in_days: interval,
            week_day,
            schedule,
            force_scan,
            registry_type: rt,
            status,
            filters,
            additional_filters,
            errors,
            created: dates[0],
            updated: dates[1],
            job_start_date: dates[2],
            job_completion_date: dates[3],
            job_listing_start_date: dates[4],
            job_listing_completion_date: dates[5],
            job_scanning_start_date: dates[6],
            job_scanning_completion_date: dates[7],
            extra,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Mutations of the seed sample
// ---------------------------------------------------------------------------------------------

/// The second sample body of the seed page (it has every field, additionalFilters included).
fn seed() -> Value {
    json!({
        "filters": [{"days": null, "repoTags": [{"repo": "azuretest", "tag": null}]}],
        "name": "Automatic Scan Schedule",
        "onDemand": false,
        "schedule": "09:30",
        "forceScan": true,
        "registryType": "Azure",
        "scheduleIntervalInDays": 7,
        "additionalFilters": {"numberOfTags": 5, "sortCriteria": "createdDate"},
        "weekDay": "THURSDAY"
    })
}

const SEED_POINTERS: &[&str] = &[
    "",
    "/filters",
    "/filters/0",
    "/filters/0/days",
    "/filters/0/repoTags",
    "/filters/0/repoTags/0",
    "/filters/0/repoTags/0/repo",
    "/filters/0/repoTags/0/tag",
    "/name",
    "/onDemand",
    "/schedule",
    "/forceScan",
    "/registryType",
    "/scheduleIntervalInDays",
    "/additionalFilters",
    "/additionalFilters/numberOfTags",
    "/additionalFilters/sortCriteria",
    "/weekDay",
];

#[derive(Clone, Debug)]
enum Mutation {
    Remove(&'static str),
    Replace(&'static str, Value),
    Insert(&'static str, String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = select(SEED_POINTERS.to_vec());
    prop_oneof![
        2 => at.clone().prop_map(Mutation::Remove),
        3 => (at.clone(), any_json()).prop_map(|(p, v)| Mutation::Replace(p, v)),
        2 => (at, key(), any_json()).prop_map(|(p, k, v)| Mutation::Insert(p, k, v)),
    ]
}

fn mutate(mut doc: Value, ms: &[Mutation]) -> Value {
    for m in ms {
        match m {
            Mutation::Remove(p) => {
                let Some((parent, last)) = p.rsplit_once('/') else {
                    continue;
                };
                match doc.pointer_mut(parent) {
                    Some(Value::Object(o)) => {
                        o.shift_remove(last);
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(i) = last.parse::<usize>()
                            && i < a.len()
                        {
                            a.remove(i);
                        }
                    }
                    _ => {}
                }
            }
            Mutation::Replace(p, v) => {
                if let Some(slot) = doc.pointer_mut(p) {
                    *slot = v.clone();
                }
            }
            Mutation::Insert(p, k, v) => {
                if let Some(Value::Object(o)) = doc.pointer_mut(p) {
                    o.insert(k.clone(), v.clone());
                }
            }
        }
    }
    doc
}

// ---------------------------------------------------------------------------------------------
// Invariants of a report
// ---------------------------------------------------------------------------------------------

/// Syntax of RFC 6901: empty, or `/`-separated tokens where `~` is followed by `0` or `1`.
fn is_json_pointer(p: &str) -> bool {
    if p.is_empty() {
        return true;
    }
    if !p.starts_with('/') {
        return false;
    }
    let b = p.as_bytes();
    b.iter()
        .enumerate()
        .all(|(i, c)| *c != b'~' || matches!(b.get(i + 1), Some(b'0' | b'1')))
}

/// The input as the validator reads it: an alias' value stands under the canonical name when
/// the canonical spelling is absent or null (paths always use the canonical spelling).
fn normalised(input: &Value) -> Value {
    let mut v = input.clone();
    if let Value::Object(o) = &mut v {
        for (canonical, alias) in [
            ("onDemand", "OnDemand"),
            ("scheduleIntervalInDays", "scheduleScanIntervalInDays"),
        ] {
            if o.get(canonical).is_none_or(Value::is_null)
                && let Some(a) = o.get(alias).cloned()
            {
                o.insert(canonical.to_owned(), a);
            }
        }
    }
    v
}

/// Every code is a RULES code of the right severity, every path a JSON pointer, every message
/// non-empty; `wrong_type` paths point at a non-null value of the (normalised) input and
/// `conflicting_fields` paths at a value of the raw input.
fn check_report(input: &Value, report: &Report) -> Result<(), TestCaseError> {
    let norm = normalised(input);
    for (list, want) in [
        (&report.errors, Severity::Error),
        (&report.warnings, Severity::Warning),
    ] {
        for v in list {
            let rule = RULES.iter().find(|(c, _, _)| *c == v.code);
            prop_assert!(rule.is_some(), "code {} is not in RULES", v.code);
            prop_assert_eq!(rule.map(|r| r.1), Some(want), "severity of {}", v.code);
            prop_assert!(is_json_pointer(&v.path), "bad pointer {:?}", v.path);
            prop_assert!(!v.message.trim().is_empty(), "empty message for {}", v.code);
            if v.code == "wrong_type" {
                // A null field is absent, never mistyped; a null array item or body is.
                let at = norm.pointer(&v.path);
                let parent = v.path.rsplit_once('/').and_then(|(p, _)| norm.pointer(p));
                let null_allowed = v.path.is_empty() || parent.is_some_and(Value::is_array);
                prop_assert!(
                    at.is_some_and(|x| !x.is_null() || null_allowed),
                    "wrong_type path {:?} does not point at a mistyped value of {}",
                    v.path,
                    input
                );
            }
            if v.code == "conflicting_fields" {
                prop_assert!(
                    input.pointer(&v.path).is_some(),
                    "conflict path {:?}",
                    v.path
                );
            }
        }
    }
    Ok(())
}

fn has_type_problem(report: &Report) -> bool {
    report
        .errors
        .iter()
        .any(|v| v.code == "wrong_type" || v.code == "conflicting_fields")
}

fn reverse_keys(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let m: Map<String, Value> = o
                .iter()
                .rev()
                .map(|(k, v)| (k.clone(), reverse_keys(v)))
                .collect();
            Value::Object(m)
        }
        Value::Array(a) => Value::Array(a.iter().map(reverse_keys).collect()),
        other => other.clone(),
    }
}

fn pairs(vs: &[Violation]) -> Vec<(&str, &str)> {
    vs.iter()
        .map(|v| (v.path.as_str(), v.code.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// proptest's defaults (256 cases), with failing inputs saved beside this file.
fn config() -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// (a) to_value → from_value gives the same request back.
    #[test]
    fn request_round_trips(req in request()) {
        let back = ScheduleRequest::from_value(&req.to_value());
        prop_assert_eq!(back, Ok(req));
    }

    /// (a) A listed schedule survives serde, as a value and as text, alone and in a page.
    #[test]
    fn schedule_round_trips(s in schedule()) {
        let v = serde_json::to_value(&s).unwrap();
        prop_assert_eq!(serde_json::from_value::<Schedule>(v).unwrap(), s.clone());
        let text = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(serde_json::from_str::<Schedule>(&text).unwrap(), s.clone());
        let page = Page {
            count: 1,
            data: vec![s],
            ..Default::default()
        };
        let text = serde_json::to_string(&page).unwrap();
        prop_assert_eq!(serde_json::from_str::<Page<Schedule>>(&text).unwrap(), page);
    }

    /// (b) Arbitrary JSON never panics, and the report keeps its invariants (e).
    #[test]
    fn validate_value_accepts_any_json(v in any_json()) {
        let report = validate_value(&v);
        check_report(&v, &report)?;
        // Key order does not change the verdict.
        prop_assert_eq!(validate_value(&reverse_keys(&v)), report);
    }

    /// (b) Arbitrary mutations of the seed sample: no panic, invariants hold (e), and whenever
    /// the JSON types are right the untyped and the typed validation agree.
    #[test]
    fn validate_value_accepts_mutated_seed(ms in vec(mutation(), 1..6)) {
        let doc = mutate(seed(), &ms);
        let report = validate_value(&doc);
        check_report(&doc, &report)?;
        if !has_type_problem(&report) {
            let req = ScheduleRequest::from_value(&doc);
            prop_assert!(req.is_ok(), "no type error reported, yet from_value failed: {:?}", req);
            prop_assert_eq!(validate(&req.unwrap()), report);
        } else {
            prop_assert!(ScheduleRequest::from_value(&doc).is_err());
        }
    }

    /// (c) The untyped validation of a request's JSON is the typed validation of the request.
    #[test]
    fn validate_value_of_to_value_is_validate(req in request()) {
        let report = validate(&req);
        prop_assert_eq!(validate_value(&req.to_value()), report.clone());
        check_report(&req.to_value(), &report)?;
    }
}

/// (d) A request that validates with no errors still does after a trip through JSON text, with
/// the same warnings. Counts the valid samples so the property cannot pass vacuously.
#[test]
fn valid_requests_stay_valid_through_json_text() {
    let valid = Cell::new(0usize);
    let mut runner = TestRunner::new(config());
    let cases = runner.config().cases as usize;
    runner
        .run(&request(), |req| {
            let report = validate(&req);
            if report.is_valid() {
                valid.set(valid.get() + 1);
                let text = serde_json::to_string(&req.to_value()).unwrap();
                let v: Value = serde_json::from_str(&text).unwrap();
                let again = validate_value(&v);
                prop_assert!(
                    again.is_valid(),
                    "became invalid: {:?} from {}",
                    again.errors,
                    text
                );
                prop_assert_eq!(pairs(&again.warnings), pairs(&report.warnings));
            }
            Ok(())
        })
        .unwrap();
    assert!(
        valid.get() * 4 >= cases,
        "only {} of {cases} generated requests were valid: the generator drifted",
        valid.get()
    );
}

/// (b) Deep nesting anywhere in the document neither panics nor overflows the stack.
#[test]
fn deep_nesting_is_harmless() {
    // Built by hand: `json!` would serialise the inner value recursively.
    fn nest(depth: usize, wrap_object: bool) -> Value {
        let mut v = json!("leaf");
        for _ in 0..depth {
            v = if wrap_object {
                Value::Object(Map::from_iter([("filters".to_owned(), v)]))
            } else {
                Value::Array(vec![v])
            };
        }
        v
    }
    // 128 is the deepest serde_json parses from text; bindings may hand over deeper values.
    for depth in [128, 1000] {
        for wrap in [false, true] {
            let deep = nest(depth, wrap);
            let mut req = seed();
            req["filters"] = deep.clone();
            let r = validate_value(&req);
            assert!(r.errors.iter().any(|v| v.code == "wrong_type"), "{depth}");
            req["filters"] = json!([{"repoTags": [{"repo": "a", "tag": null, "x": deep.clone()}]}]);
            let r = validate_value(&req);
            // Only the unknown field warns (the seed's weekly time is no warning, spec §4).
            assert_eq!(pairs(&r.warnings).len(), 1, "{:?}", r.warnings);
            let r = validate_value(&deep);
            assert!(!r.errors.is_empty());
        }
    }
}
