//! Runs the shared, language-neutral test vectors of `tests/vectors/*.json` through the core.
//!
//! The Python, Node and Kotlin suites run the same files through their bindings; the format is
//! described in `tests/vectors/README.md`. Every test collects all failing cases and reports them
//! together, by name.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use qualys_cs_core::jiff::Timestamp;
use qualys_cs_core::{
    BulkCancelResponse, BulkDeleteResponse, CreateResponse, Error, ErrorBody, RULES, Registry,
    RegistryDetails, Report, Repository, Schedule, ScheduleRequest, Severity, Violation,
    decode_body, decode_page, next_runs, validate, validate_update, validate_value,
};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Codes that only `validate_update` emits; every other code of `RULES` can come from a create.
const UPDATE_ONLY: &[&str] = &[
    "update_not_automatic",
    "schedule_running",
    "immutable_on_demand",
    "immutable_repo",
    "immutable_tag",
    "immutable_days",
];

const MIN_REQUESTS: usize = 70;
const MIN_UPDATES: usize = 10;
const MIN_RESPONSES: usize = 20;
const MIN_NEXT_RUNS: usize = 8;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

/// The `cases` of one vector file.
fn load(file: &str) -> Vec<Value> {
    let path = vectors_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
    match doc.get("cases") {
        Some(Value::Array(cases)) => cases.clone(),
        _ => panic!("{} has no \"cases\" array", path.display()),
    }
}

/// Collects the failures of one file and reports them all at the end.
struct Run {
    file: &'static str,
    cases: usize,
    failures: Vec<String>,
    names: BTreeSet<String>,
}

impl Run {
    fn new(file: &'static str) -> Self {
        Run {
            file,
            cases: 0,
            failures: Vec::new(),
            names: BTreeSet::new(),
        }
    }

    /// Checks the shape of a case (unique name, only known keys) and returns its name.
    fn start(&mut self, case: &Value, allowed: &[&str]) -> String {
        self.cases += 1;
        let name = case["name"].as_str().unwrap_or("<unnamed>").to_owned();
        if case["name"].as_str().is_none_or(str::is_empty) {
            self.fail(&name, "the case has no name");
        }
        if !self.names.insert(name.clone()) {
            self.fail(&name, "duplicate case name");
        }
        if let Some(obj) = case.as_object() {
            for k in obj.keys() {
                if !allowed.contains(&k.as_str()) {
                    self.fail(&name, format!("unknown key {k:?} in the case"));
                }
            }
        } else {
            self.fail(&name, "the case is not an object");
        }
        name
    }

    fn fail(&mut self, name: &str, why: impl AsRef<str>) {
        self.failures.push(format!("[{name}] {}", why.as_ref()));
    }

    fn finish(self, min: usize) {
        let label = self.file.trim_end_matches(".json");
        assert!(
            self.failures.is_empty(),
            "{} of {} {} vectors failed:\n{}",
            self.failures.len(),
            self.cases,
            label,
            self.failures.join("\n")
        );
        assert!(
            self.cases >= min,
            "{} holds {} cases, fewer than the required {min}",
            self.file,
            self.cases
        );
        visible(&format!("vectors: {label} {} passed", self.cases));
    }
}

/// Writes a line that the test harness does not capture, so counts show in every run.
fn visible(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Sorted (path, code) pairs of an expected list: `[{"path", "code"}]`.
fn expected_pairs(v: &Value) -> Result<Vec<(String, String)>, String> {
    let Some(items) = v.as_array() else {
        return Err(format!("expected a list of {{path, code}}, got {v}"));
    };
    let mut out = Vec::new();
    for item in items {
        match (item["path"].as_str(), item["code"].as_str()) {
            (Some(p), Some(c)) if item.as_object().is_some_and(|o| o.len() == 2) => {
                out.push((p.to_owned(), c.to_owned()));
            }
            _ => {
                return Err(format!(
                    "malformed entry {item}: needs exactly path and code"
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn actual_pairs(vs: &[Violation]) -> Vec<(String, String)> {
    let mut out: Vec<_> = vs
        .iter()
        .map(|v| (v.path.clone(), v.code.clone()))
        .collect();
    out.sort();
    out
}

fn show(pairs: &[(String, String)]) -> String {
    let items: Vec<String> = pairs.iter().map(|(p, c)| format!("{p:?} {c}")).collect();
    format!("[{}]", items.join(", "))
}

/// Compares a report with the case's `errors` and `warnings` (multisets of (path, code)).
fn compare_report(run: &mut Run, name: &str, case: &Value, report: &Report) {
    for (key, actual) in [("errors", &report.errors), ("warnings", &report.warnings)] {
        let expected = match expected_pairs(&case[key]) {
            Ok(e) => e,
            Err(e) => {
                run.fail(name, format!("{key}: {e}"));
                continue;
            }
        };
        let got = actual_pairs(actual);
        if got != expected {
            run.fail(
                name,
                format!(
                    "{key} differ\n    expected {}\n    got      {}\n    messages: {}",
                    show(&expected),
                    show(&got),
                    actual
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" | ")
                ),
            );
        }
        for v in actual {
            if v.message.trim().is_empty() {
                run.fail(name, format!("{} {} has an empty message", v.path, v.code));
            }
        }
    }
}

#[test]
fn requests_vectors() {
    let mut run = Run::new("requests.json");
    for case in load("requests.json") {
        let name = run.start(
            &case,
            &[
                "name",
                "description",
                "input",
                "input_text",
                "errors",
                "warnings",
                "canonical",
            ],
        );
        let report = match (case.get("input"), case.get("input_text")) {
            (Some(input), None) => validate_value(input),
            (None, Some(Value::String(text))) => match ScheduleRequest::from_json(text) {
                Ok(req) => validate(&req),
                Err(e) => Report {
                    errors: e.violations().to_vec(),
                    warnings: Vec::new(),
                },
            },
            _ => {
                run.fail(&name, "needs exactly one of input / input_text (a string)");
                continue;
            }
        };
        compare_report(&mut run, &name, &case, &report);

        if let Some(canonical) = case.get("canonical") {
            let Some(input) = case.get("input") else {
                run.fail(&name, "canonical needs input");
                continue;
            };
            if !report.errors.is_empty() {
                run.fail(&name, "canonical is only for valid cases");
            }
            match ScheduleRequest::from_value(input) {
                Ok(req) => {
                    let got = req.to_value();
                    if &got != canonical {
                        run.fail(
                            &name,
                            format!(
                                "canonical differs\n    expected {canonical}\n    got      {got}"
                            ),
                        );
                    }
                    // The canonical form is a fixed point with the same verdict.
                    let again = validate_value(&got);
                    if again != validate(&req) {
                        run.fail(&name, "the canonical form validates differently");
                    }
                    match ScheduleRequest::from_value(&got) {
                        Ok(r2) if r2.to_value() == got => {}
                        _ => run.fail(&name, "the canonical form does not round-trip"),
                    }
                }
                Err(e) => run.fail(&name, format!("from_value failed: {e}")),
            }
        }
    }
    run.finish(MIN_REQUESTS);
}

#[test]
fn updates_vectors() {
    let mut run = Run::new("updates.json");
    for case in load("updates.json") {
        let name = run.start(
            &case,
            &[
                "name",
                "description",
                "current",
                "next",
                "errors",
                "warnings",
            ],
        );
        let current: Schedule = match serde_json::from_value(case["current"].clone()) {
            Ok(s) => s,
            Err(e) => {
                run.fail(&name, format!("current is not a Schedule: {e}"));
                continue;
            }
        };
        let next = match ScheduleRequest::from_value(&case["next"]) {
            Ok(r) => r,
            Err(e) => {
                run.fail(&name, format!("next does not decode: {e}"));
                continue;
            }
        };
        let report = validate_update(&current, &next);
        compare_report(&mut run, &name, &case, &report);
    }
    run.finish(MIN_UPDATES);
}

fn to_json<T: Serialize>(v: Result<T, Error>) -> Result<Value, Error> {
    v.map(|t| serde_json::to_value(t).expect("serialisable"))
}

/// The fields of an error that vectors may assert on.
fn error_json(e: &Error) -> Value {
    let mut m = Map::new();
    m.insert("code".into(), json!(e.code()));
    if let Some(d) = e.http() {
        m.insert("status".into(), json!(d.status));
        m.insert("request_id".into(), json!(d.request_id));
        m.insert("qualys_error_code".into(), json!(d.qualys_error_code));
        m.insert("message".into(), json!(d.message));
        m.insert("body".into(), json!(d.body));
    }
    if let Error::Decode { body, .. } = e {
        m.insert("body".into(), json!(body));
    }
    Value::Object(m)
}

const KINDS: &[&str] = &[
    "create",
    "schedule_page",
    "schedule_page_lenient",
    "registry_page",
    "registry",
    "repository_page",
    "bulk_delete",
    "bulk_cancel",
    "error_body",
    "http_error",
];

#[test]
fn responses_vectors() {
    let mut run = Run::new("responses.json");
    let mut kinds_seen = BTreeSet::new();
    for case in load("responses.json") {
        let name = run.start(
            &case,
            &[
                "name",
                "description",
                "kind",
                "status",
                "body",
                "expect",
                "expect_error",
            ],
        );
        let Some(body) = case["body"].as_str() else {
            run.fail(&name, "body must be a string (the raw text)");
            continue;
        };
        let kind = case["kind"].as_str().unwrap_or_default();
        kinds_seen.insert(kind.to_owned());
        let got: Result<Value, Error> = match kind {
            "create" => to_json(CreateResponse::from_body(body)),
            "schedule_page" => to_json(decode_page::<Schedule>(body, false).map(|(p, _)| p)),
            "schedule_page_lenient" => to_json(decode_page::<Schedule>(body, true).map(|(p, _)| p)),
            "registry_page" => to_json(decode_page::<Registry>(body, false).map(|(p, _)| p)),
            "registry" => to_json(decode_body::<RegistryDetails>(body)),
            "repository_page" => to_json(decode_page::<Repository>(body, false).map(|(p, _)| p)),
            "bulk_delete" => to_json(decode_body::<BulkDeleteResponse>(body)),
            "bulk_cancel" => to_json(decode_body::<BulkCancelResponse>(body)),
            "error_body" => to_json(decode_body::<ErrorBody>(body)),
            "http_error" => {
                let Some(status) = case["status"].as_u64().and_then(|s| u16::try_from(s).ok())
                else {
                    run.fail(&name, "http_error needs an integer status");
                    continue;
                };
                Err(Error::from_http(status, None, body, None))
            }
            other => {
                run.fail(&name, format!("unknown kind {other:?}"));
                continue;
            }
        };
        match (case.get("expect"), case.get("expect_error"), got) {
            (Some(expect), None, Ok(value)) => {
                if &value != expect {
                    run.fail(
                        &name,
                        format!(
                            "decoded value differs\n    expected {expect}\n    got      {value}"
                        ),
                    );
                }
            }
            (Some(_), None, Err(e)) => run.fail(&name, format!("expected a value, got error {e}")),
            (None, Some(Value::Object(expect)), result) => {
                let actual = match result {
                    Ok(v) => {
                        run.fail(&name, format!("expected an error, decoded {v}"));
                        continue;
                    }
                    Err(e) => error_json(&e),
                };
                for (k, want) in expect {
                    match actual.get(k) {
                        Some(have) if have == want => {}
                        Some(have) => run.fail(
                            &name,
                            format!("error field {k}: expected {want}, got {have}"),
                        ),
                        None => run.fail(&name, format!("error field {k} does not exist here")),
                    }
                }
                if !expect.contains_key("code") {
                    run.fail(&name, "expect_error needs a code");
                }
            }
            _ => run.fail(
                &name,
                "needs exactly one of expect / expect_error (an object)",
            ),
        }
    }
    for k in KINDS {
        if !kinds_seen.contains(*k) {
            run.failures.push(format!("no case of kind {k}"));
        }
    }
    run.finish(MIN_RESPONSES);
}

#[test]
fn next_runs_vectors() {
    let mut run = Run::new("next_runs.json");
    for case in load("next_runs.json") {
        let name = run.start(
            &case,
            &[
                "name",
                "description",
                "request",
                "created",
                "after",
                "n",
                "expect",
                "expect_error",
            ],
        );
        let req = match ScheduleRequest::from_value(&case["request"]) {
            Ok(r) => r,
            Err(e) => {
                run.fail(&name, format!("request does not decode: {e}"));
                continue;
            }
        };
        let ts = |k: &str| -> Result<Timestamp, String> {
            let s = case[k]
                .as_str()
                .ok_or(format!("{k} must be an RFC 3339 string"))?;
            s.parse::<Timestamp>().map_err(|e| format!("{k}: {e}"))
        };
        let (created, after) = match (ts("created"), ts("after")) {
            (Ok(c), Ok(a)) => (c, a),
            (Err(e), _) | (_, Err(e)) => {
                run.fail(&name, e);
                continue;
            }
        };
        let Some(n) = case["n"].as_u64().and_then(|n| usize::try_from(n).ok()) else {
            run.fail(&name, "n must be a non-negative integer");
            continue;
        };
        let got = next_runs(&req, created, after, n);
        match (case.get("expect"), case.get("expect_error"), got) {
            (Some(Value::Array(expect)), None, Ok(runs)) => {
                let want: Result<Vec<Timestamp>, _> = expect
                    .iter()
                    .map(|v| v.as_str().unwrap_or_default().parse::<Timestamp>())
                    .collect();
                match want {
                    Ok(want) if want == runs => {}
                    Ok(want) => run.fail(
                        &name,
                        format!("runs differ\n    expected {want:?}\n    got      {runs:?}"),
                    ),
                    Err(e) => run.fail(&name, format!("expect holds a bad instant: {e}")),
                }
            }
            (Some(_), None, Err(e)) => run.fail(&name, format!("expected runs, got error {e}")),
            (None, Some(Value::String(code)), Err(e)) => {
                if e.code() != code {
                    run.fail(
                        &name,
                        format!("expected error {code}, got {} ({e})", e.code()),
                    );
                }
            }
            (None, Some(_), Ok(runs)) => {
                run.fail(&name, format!("expected an error, got runs {runs:?}"));
            }
            _ => run.fail(
                &name,
                "needs exactly one of expect (list) / expect_error (code)",
            ),
        }
    }
    run.finish(MIN_NEXT_RUNS);
}

/// Codes used by a file's cases, with whether each was expected as an error or a warning.
fn codes_in(file: &str) -> BTreeMap<String, BTreeSet<&'static str>> {
    let mut out: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for case in load(file) {
        for (key, sev) in [("errors", "error"), ("warnings", "warning")] {
            for v in case[key].as_array().into_iter().flatten() {
                if let Some(c) = v["code"].as_str() {
                    out.entry(c.to_owned()).or_default().insert(sev);
                }
            }
        }
    }
    out
}

#[test]
fn vectors_cover_every_rule() {
    let requests = codes_in("requests.json");
    let updates = codes_in("updates.json");
    let rules: BTreeMap<&str, Severity> = RULES.iter().map(|(c, s, _)| (*c, *s)).collect();
    let mut problems = Vec::new();

    for code in UPDATE_ONLY {
        if !rules.contains_key(code) {
            problems.push(format!("update-only code {code} is not in RULES"));
        }
    }
    for (code, _, _) in RULES {
        if UPDATE_ONLY.contains(code) {
            if !updates.contains_key(*code) {
                problems.push(format!("no updates.json case expects {code}"));
            }
        } else if !requests.contains_key(*code) {
            problems.push(format!("no requests.json case expects {code}"));
        }
    }
    for (file, codes) in [("requests.json", &requests), ("updates.json", &updates)] {
        for (code, seen_as) in codes {
            match rules.get(code.as_str()) {
                None => problems.push(format!("{file} uses {code}, which is not in RULES")),
                Some(sev) => {
                    let want = match sev {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    };
                    if seen_as.iter().any(|s| *s != want) {
                        problems.push(format!(
                            "{file} lists {code} as {seen_as:?}, but RULES says it is a {want}"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "rule coverage problems:\n{}",
        problems.join("\n")
    );
    visible(&format!(
        "vectors: {} rule codes covered ({} create, {} update-only)",
        RULES.len(),
        RULES.len() - UPDATE_ONLY.len(),
        UPDATE_ONLY.len()
    ));
}

// ---------------------------------------------------------------------------------------------
// registries.json: registry requests (issue 17)

const MIN_REGISTRIES: usize = 40;

/// Every string under a secret key of `v` (any depth), and the user-info of a `registryUri`.
fn secrets_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("password" | "accessToken" | "token", Value::String(s)) if !s.is_empty() => {
                        out.push(s.clone());
                    }
                    ("registryUri", Value::String(s)) => {
                        let rest = s.split_once("://").map_or(s.as_str(), |(_, r)| r);
                        let authority = rest.split('/').next().unwrap_or_default();
                        if let Some((info, _)) = authority.rsplit_once('@') {
                            out.push(info.to_owned());
                        }
                    }
                    _ => secrets_in(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| secrets_in(x, out)),
        _ => {}
    }
}

#[test]
fn registries_vectors() {
    use qualys_cs_core::registry::{RegistryRequest, validate_registry_value};
    let mut run = Run::new("registries.json");
    for case in load("registries.json") {
        let name = run.start(
            &case,
            &[
                "name",
                "description",
                "input",
                "errors",
                "warnings",
                "canonical",
            ],
        );
        let Some(input) = case.get("input") else {
            run.fail(&name, "needs input");
            continue;
        };
        let report = validate_registry_value(input);
        compare_report(&mut run, &name, &case, &report);

        let mut secrets = Vec::new();
        secrets_in(input, &mut secrets);
        for v in report.errors.iter().chain(&report.warnings) {
            for s in &secrets {
                if v.message.contains(s.as_str()) || v.path.contains(s.as_str()) {
                    run.fail(&name, format!("{} {} repeats a secret", v.path, v.code));
                }
            }
        }

        let decoded = RegistryRequest::from_value(input);
        if let Ok(req) = &decoded {
            let shown = format!("{req:?} {}", req.redacted_value());
            for s in &secrets {
                if shown.contains(s.as_str()) {
                    run.fail(&name, "Debug or redacted_value shows a secret");
                }
            }
        }
        if let Some(canonical) = case.get("canonical") {
            if !report.errors.is_empty() {
                run.fail(&name, "canonical is only for valid cases");
            }
            match decoded {
                Ok(req) => {
                    let got = req.to_wire_value();
                    if &got != canonical {
                        run.fail(
                            &name,
                            format!(
                                "canonical differs\n    expected {canonical}\n    got      {got}"
                            ),
                        );
                    }
                    if validate_registry_value(&got) != report {
                        run.fail(&name, "the canonical form validates differently");
                    }
                }
                Err(e) => run.fail(&name, format!("from_value failed: {e}")),
            }
        }
    }
    run.finish(MIN_REGISTRIES);
}

#[test]
fn registry_vectors_cover_every_registry_rule() {
    use qualys_cs_core::registry::REGISTRY_RULES;
    let used = codes_in("registries.json");
    let rules: BTreeMap<&str, Severity> =
        REGISTRY_RULES.iter().map(|(c, s, _, _)| (*c, *s)).collect();
    let mut problems = Vec::new();
    for (code, _, source, _) in REGISTRY_RULES {
        if !used.contains_key(*code) {
            problems.push(format!("no registries.json case expects {code}"));
        }
        if !["doc", "oas", "ours"].contains(source) {
            problems.push(format!("{code} has source {source:?}, not doc/oas/ours"));
        }
    }
    for (code, seen_as) in &used {
        match rules.get(code.as_str()) {
            None => problems.push(format!(
                "registries.json uses {code}, which is not in REGISTRY_RULES"
            )),
            Some(sev) => {
                let want = match sev {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                if seen_as.iter().any(|s| *s != want) {
                    problems.push(format!(
                        "registries.json lists {code} as {seen_as:?}, but REGISTRY_RULES says {want}"
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "registry rule coverage problems:\n{}",
        problems.join("\n")
    );
    visible(&format!(
        "vectors: {} registry rule codes covered",
        REGISTRY_RULES.len()
    ));
}
