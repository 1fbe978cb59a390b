//! JSON in, JSON out: the helpers every language binding needs, written once here instead of in
//! each binding's glue (Python, Node). Pure: no I/O.
//!
//! - [`decode_response`]: an answer body decoded exactly as the client decodes it.
//! - [`decode_as`]: wire JSON read as a named core type and written back canonically.
//! - [`build_request`]: a request built by the typed builder from a JSON list of calls.
//! - [`report_value`], [`plan_facts`]: a validation report and a plan's derived facts as JSON.
//! - [`error_fields`]: every field of an error, for the bindings' exception objects.
//! - [`plain_serde_message`]: a serde message in JSON's words instead of Rust's.
//! - [`camel_keys`] / [`snake_keys`]: the SDK's own result keys re-cased for JavaScript.

use crate::builder::{ForceScanAllowed, WeeklyKind};
use crate::plan::{Change, Plan, PlanItem, PlanSummary};
use crate::{
    Error, Report, ScheduleBuilder, ScheduleRequest, Violation, decode_page, desired as d, jiff,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The kinds of answer [`decode_response`] reads (`http_error`: the error a status and body
/// map to, when a status is given).
pub const RESPONSE_KINDS: [&str; 10] = [
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

fn value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn invalid(path: &str, code: &str, message: String) -> Error {
    Error::validation(vec![Violation::new(path, code, message)])
}

/// Decodes an answer body of one kind of call (see [`RESPONSE_KINDS`]) and returns its
/// canonical JSON (a page: `{count, data, skipped}`; `create`: `{schedule_uuid}`).
pub fn decode_response(kind: &str, body: &str, status: Option<u16>) -> Result<Value, Error> {
    use crate::{BulkCancelResponse, BulkDeleteResponse, ErrorBody, Registry, RegistryDetails};
    use crate::{CreateResponse, Repository, Schedule, decode_body as one};
    fn page<T: DeserializeOwned + Serialize>(body: &str, lenient: bool) -> Result<Value, Error> {
        decode_page::<T>(body, lenient).map(|p| value(&p.0))
    }
    match kind {
        "create" => CreateResponse::from_body(body).map(|r| value(&r)),
        "schedule_page" => page::<Schedule>(body, false),
        "schedule_page_lenient" => page::<Schedule>(body, true),
        "registry_page" => page::<Registry>(body, false),
        "repository_page" => page::<Repository>(body, false),
        "registry" => one::<RegistryDetails>(body).map(|r| value(&r)),
        "bulk_delete" => one::<BulkDeleteResponse>(body).map(|r| value(&r)),
        "bulk_cancel" => one::<BulkCancelResponse>(body).map(|r| value(&r)),
        "error_body" => one::<ErrorBody>(body).map(|r| value(&r)),
        "http_error" if status.is_some() => Err(Error::from_http(
            status.unwrap_or_default(),
            None,
            body,
            None,
        )),
        other => Err(invalid(
            "/kind",
            "unknown_kind",
            format!("unknown kind {other:?}"),
        )),
    }
}

/// Wire JSON read as the core type named `type_name` (`"Schedule"`, `"Plan"`, …) and written
/// back in its canonical form; a name it does not know returns the JSON unchanged. What does
/// not fit is a `decode` error in JSON's words.
pub fn decode_as(type_name: &str, v: Value) -> Result<Value, Error> {
    fn canon<T: DeserializeOwned + Serialize>(v: Value) -> Result<Value, Error> {
        let message = |e: serde_json::Error| plain_serde_message(&e.to_string());
        let t = serde_json::from_value::<T>(v);
        t.map(|t| value(&t)).map_err(|e| Error::Decode {
            message: message(e),
            body: None,
        })
    }
    use crate as c;
    match type_name {
        "ScheduleRequest" => c::ScheduleRequest::from_value(&v).map(|r| r.to_value()),
        "CreateResponse" => c::CreateResponse::from_body(&v.to_string()).map(|r| value(&r)),
        "Report" => canon::<Report>(v),
        "Filter" => canon::<c::Filter>(v),
        "RepoTag" => canon::<c::RepoTag>(v),
        "AdditionalFilters" => canon::<c::AdditionalFilters>(v),
        "JobError" => canon::<c::JobError>(v),
        "Schedule" => canon::<c::Schedule>(v),
        "Registry" => canon::<c::Registry>(v),
        "RegistryDetails" => canon::<c::RegistryDetails>(v),
        "Repository" => canon::<c::Repository>(v),
        "BulkDeleteResponse" => canon::<c::BulkDeleteResponse>(v),
        "BulkCancelResponse" => canon::<c::BulkCancelResponse>(v),
        "ErrorBody" => canon::<c::ErrorBody>(v),
        "LocalConversion" => canon::<c::LocalConversion>(v),
        "Change" => canon::<Change>(v),
        "PlanItem" => canon::<PlanItem>(v),
        "PlanSummary" => canon::<PlanSummary>(v),
        "Plan" => canon::<Plan>(v),
        "DesiredSchedule" => canon::<d::DesiredSchedule>(v),
        "DesiredRegistry" => canon::<d::DesiredRegistry>(v),
        "DesiredState" => canon::<d::DesiredState>(v),
        _ => Ok(v),
    }
}

/// A builder call's argument `i`, typed (a `validation` error at `path` otherwise, saying
/// `what` to give).
pub fn arg<T: DeserializeOwned>(a: &[Value], i: usize, path: &str, what: &str) -> Result<T, Error> {
    let v = a.get(i).cloned().unwrap_or(Value::Null);
    serde_json::from_value(v.clone())
        .map_err(|_| invalid(path, "wrong_type", format!("give {what}, not {v}")))
}

type Own<K> = fn(ScheduleBuilder<K>, &str, &[Value]) -> Result<ScheduleBuilder<K>, Error>;

/// Replays builder calls; `own` takes the calls only some kinds have.
fn replay<K>(
    mut b: ScheduleBuilder<K>,
    ops: Vec<(String, Vec<Value>)>,
    own: Own<K>,
) -> Result<ScheduleBuilder<K>, Error> {
    const REPO: &str = "/filters/0/repoTags";
    for (op, a) in ops {
        b = match op.as_str() {
            "repo" => b.repo(arg::<String>(&a, 0, REPO, "a repository name")?),
            "repos" => b.repos(arg::<Vec<String>>(&a, 0, REPO, "a list of names")?),
            "repo_tags" => b.repo_tags(
                arg::<String>(&a, 0, REPO, "a repository name")?,
                arg::<Vec<String>>(&a, 1, "/filters/0/repoTags/0/tag", "a list of tags")?,
            ),
            "created_within_days" => {
                b.created_within_days(arg(&a, 0, "/filters/0/days", "a whole number of days")?)
            }
            "registry_type" => {
                let t: String = arg(&a, 0, "/registryType", "a registry type such as \"Azure\"")?;
                b.registry_type(crate::RegistryType::from_wire(&t))
            }
            "latest_tags" => {
                let path = "/additionalFilters/numberOfTags";
                b.latest_tags(arg(&a, 0, path, "a whole number of tags")?)
            }
            _ => own(b, &op, &a)?,
        };
    }
    Ok(b)
}

fn force_scan<K: ForceScanAllowed>(
    b: ScheduleBuilder<K>,
    op: &str,
    a: &[Value],
) -> Result<ScheduleBuilder<K>, Error> {
    match op {
        "force_scan" => Ok(b.force_scan(arg(a, 0, "/forceScan", "True or False")?)),
        _ => no_call(b, op, a),
    }
}

fn at(
    b: ScheduleBuilder<WeeklyKind>,
    op: &str,
    a: &[Value],
) -> Result<ScheduleBuilder<WeeklyKind>, Error> {
    match op {
        "at" => Ok(b.at(arg::<String>(a, 0, "/schedule", "a time \"HH:MM\"")?)),
        _ => force_scan(b, op, a),
    }
}

fn no_call<K>(_: ScheduleBuilder<K>, op: &str, _: &[Value]) -> Result<ScheduleBuilder<K>, Error> {
    Err(invalid("", "unknown_call", format!("no builder call {op}")))
}

/// A request built by the typed builder from a JSON description: the builder of `kind`
/// (`on_demand`, `every_days`, `weekly`, `daily`) started with `name` and its `first` argument
/// (days, weekday or time), then `ops` (`[[call, [arguments…]], …]`, e.g. `["repo",
/// ["nginx"]]`) replayed in order. `checked`: validated (every error at once), else as built.
/// An argument of the wrong type is a `validation` error at the request field it sets.
pub fn build_request(
    kind: &str,
    name: Value,
    first: Value,
    ops: Value,
    checked: bool,
) -> Result<Value, Error> {
    let name: String = arg(&[name], 0, "/name", "the schedule name as text")?;
    let (first, wrong) = ([first], |e: serde_json::Error| {
        invalid("", "wrong_type", plain_serde_message(&e.to_string()))
    });
    let ops: Vec<(String, Vec<Value>)> = serde_json::from_value(ops).map_err(wrong)?;
    macro_rules! done {
        ($b:expr) => {{
            let b = $b;
            if checked {
                b.build()?
            } else {
                b.build_unchecked()
            }
        }};
    }
    let req = match kind {
        "on_demand" => done!(replay(ScheduleRequest::on_demand(name), ops, force_scan)?),
        "every_days" => {
            let days = arg(
                &first,
                0,
                "/scheduleIntervalInDays",
                "a whole number of days",
            )?;
            done!(replay(
                ScheduleRequest::every_days(name, days),
                ops,
                force_scan
            )?)
        }
        "weekly" => {
            let day: String = arg(&first, 0, "/weekDay", "a weekday such as \"MONDAY\"")?;
            done!(replay(
                ScheduleRequest::weekly(name, crate::WeekDay::from_wire(&day)),
                ops,
                at
            )?)
        }
        _ => {
            let time: String = arg(&first, 0, "/schedule", "a time \"HH:MM\"")?;
            done!(replay(ScheduleRequest::daily(name, time), ops, no_call)?)
        }
    };
    Ok(req.to_value())
}

/// A serde message in JSON's words, not Rust's (`expected u32` → `expected a whole number`,
/// `struct Foo` → `an object`).
pub fn plain_serde_message(message: &str) -> String {
    let mut skip = false;
    let words = message.split(' ').filter_map(|w| {
        if std::mem::take(&mut skip) {
            return None;
        }
        let (word, tail) = w.split_at(w.trim_end_matches([',', '.', ';']).len());
        let word = match word {
            "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" => {
                "a whole number"
            }
            "f32" | "f64" => "a number",
            "struct" | "enum" => {
                skip = true;
                "an object"
            }
            w => w,
        };
        Some(format!("{word}{tail}"))
    });
    words.collect::<Vec<_>>().join(" ")
}

/// A validation report as `{valid, errors, warnings}`; an error (wrong JSON types) becomes a
/// report of its violations.
pub fn report_value(r: Result<Report, Error>) -> Value {
    let r = r.unwrap_or_else(|e| Report {
        errors: e.violations().to_vec(),
        warnings: Vec::new(),
    });
    json!({ "valid": r.is_valid(), "errors": r.errors, "warnings": r.warnings })
}

/// What a plan says beyond its items: `{text, summary, empty}` (snake_case keys).
pub fn plan_facts(p: &Plan) -> Value {
    json!({ "text": p.render_text(), "summary": value(&p.summary()), "empty": p.is_empty() })
}

/// A desired-state document as the bindings take it: YAML or JSON text, or the document as
/// JSON. `format` (`"yaml"`, `"yml"` or `"json"`, any case) wins; else the format follows
/// `source`'s extension (`.json` or YAML), else text is YAML and a document JSON. `source`
/// names the document in messages (default: `unnamed.0` for text, `unnamed.1` for a document).
pub fn desired_state(
    doc: Value,
    format: Option<&str>,
    source: Option<&str>,
    unnamed: (&str, &str),
    reference: jiff::Timestamp,
) -> Result<d::DesiredState, Error> {
    let format = match format.map(str::to_ascii_lowercase).as_deref() {
        Some("json") => Some(d::Format::Json),
        Some("yaml" | "yml") => Some(d::Format::Yaml),
        Some(other) => {
            let message = format!("format must be \"yaml\" or \"json\", not {other:?}");
            return Err(Error::config("format", message));
        }
        None => None,
    };
    let (text, name, by_default) = match doc {
        Value::String(text) => (text, source.unwrap_or(unnamed.0), d::Format::Yaml),
        v => (v.to_string(), source.unwrap_or(unnamed.1), d::Format::Json),
    };
    let format = format.or(source.map(d::Format::from_file_name));
    d::DesiredState::parse(&text, format.unwrap_or(by_default), name, reference)
}

/// An instant given as epoch milliseconds or RFC 3339 text (a JavaScript `Date` arrives as
/// milliseconds); `None` for anything else.
pub fn instant(v: &Value) -> Option<jiff::Timestamp> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n
            .as_f64()
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms as i64).ok()),
        _ => None,
    }
}

/// Every field of an error by name, as the bindings copy it onto their exception objects:
/// `code`, `message`, the HTTP details (`status`, `request_id`, `qualys_error_code`,
/// `server_message`, `body`), and each kind's own (`violations`, `retry_after` in seconds,
/// `not_sent`, `field`, `fields`). snake_case keys; details the error lacks are `null`.
pub fn error_fields(e: &Error) -> Value {
    let mut m = json!({"code": e.code(), "message": e.to_string()});
    if let Some(d) = e.http() {
        m["status"] = d.status.into();
        m["request_id"] = value(&d.request_id);
        m["qualys_error_code"] = value(&d.qualys_error_code);
        m["server_message"] = value(&d.message);
        m["body"] = value(&d.body);
    }
    match e {
        Error::Validation { violations } => m["violations"] = value(violations),
        Error::RateLimited { retry_after, .. } => {
            m["retry_after"] = value(&retry_after.map(|d| d.as_secs_f64()));
        }
        Error::Transport { not_sent, .. } => m["not_sent"] = (*not_sent).into(),
        Error::Decode { body, .. } => m["body"] = value(body),
        Error::Config { field, .. } => m["field"] = field.as_str().into(),
        Error::NotReported { fields, .. } => m["fields"] = value(fields),
        _ => {}
    }
    m
}

/// Keys whose values are the API's own JSON (camelCase already, unknown fields kept as given):
/// re-casing stops there.
const WIRE_KEYS: [&str; 5] = ["request", "body", "from", "to", "raw"];

fn recase(v: Value, key: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.into_iter().map(|x| recase(x, key)).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| match WIRE_KEYS.contains(&k.as_str()) {
                    true => (key(&k), x),
                    false => (key(&k), recase(x, key)),
                })
                .collect(),
        ),
        other => other,
    }
}

/// The SDK's own results (snake_case in Rust) with camelCase keys; the API's own JSON inside
/// (`request`, `body`, `from`, `to`, `raw`) is left as it is.
pub fn camel_keys(v: Value) -> Value {
    recase(v, &|k| {
        let mut parts = k.split('_');
        let first = parts.next().unwrap_or_default().to_owned();
        parts.fold(first, |out, p| {
            out + &p[..p.len().min(1)].to_uppercase() + &p[p.len().min(1)..]
        })
    })
}

/// The reverse of [`camel_keys`], for results given back (a plan to apply).
pub fn snake_keys(v: Value) -> Value {
    let lower = |c: char| match c.is_ascii_uppercase() {
        true => format!("_{}", c.to_ascii_lowercase()),
        false => c.to_string(),
    };
    recase(v, &|k| k.chars().map(lower).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_recase_both_ways_and_stop_at_wire_json() {
        let v = json!({"job_start": 1, "items": [{"dry_run": true, "request": {"a_b": 1}}]});
        let c = camel_keys(v.clone());
        assert_eq!(
            c,
            json!({"jobStart": 1, "items": [{"dryRun": true, "request": {"a_b": 1}}]})
        );
        assert_eq!(snake_keys(c), v);
    }

    #[test]
    fn serde_messages_in_json_words() {
        let m = "invalid type: string \"x\", expected u32 at line 1";
        assert_eq!(
            plain_serde_message(m),
            "invalid type: string \"x\", expected a whole number at line 1"
        );
        assert_eq!(
            plain_serde_message("expected struct Filter"),
            "expected an object"
        );
    }

    #[test]
    fn responses_decode_and_unknown_kinds_are_named() {
        let v = decode_response(
            "create",
            r#"{"scheduleUuid":"0c0b2a3e-1f55-4b1a-9f2e-6f1d2c3b4a5d"}"#,
            None,
        );
        assert_eq!(
            v.unwrap()["schedule_uuid"],
            "0c0b2a3e-1f55-4b1a-9f2e-6f1d2c3b4a5d"
        );
        let e = decode_response("http_error", "{}", None).unwrap_err();
        assert_eq!(e.violations()[0].code, "unknown_kind");
        assert!(decode_response("schedule_page", "not json", None).is_err());
        let e = decode_response("http_error", "{}", Some(404)).unwrap_err();
        assert_eq!(e.code(), "not_found");
        assert_eq!(decode_as("Unknown", json!(5)).unwrap(), json!(5));
    }

    #[test]
    fn requests_build_from_calls_and_wrong_arguments_name_the_field() {
        let ops = json!([
            ["repo", ["nginx"]],
            ["at", ["06:55"]],
            ["force_scan", [true]]
        ]);
        let r = build_request("weekly", json!("w"), json!("THURSDAY"), ops, true).unwrap();
        assert_eq!(
            (r["schedule"].clone(), r["forceScan"].clone()),
            (json!("06:55"), json!(true))
        );
        let e = build_request(
            "daily",
            json!("d"),
            json!("01:00"),
            json!([["at", ["02:00"]]]),
            true,
        );
        assert_eq!(e.unwrap_err().violations()[0].code, "unknown_call");
        let e = build_request("every_days", json!("e"), json!("x"), json!([]), false).unwrap_err();
        assert_eq!(e.violations()[0].path, "/scheduleIntervalInDays");
    }

    #[test]
    fn error_fields_name_every_detail() {
        let e = Error::from_http(
            429,
            Some("r-1".into()),
            "{}",
            Some(std::time::Duration::from_millis(1500)),
        );
        let f = error_fields(&e);
        assert_eq!(
            (f["code"].clone(), f["status"].clone()),
            (json!("rate_limited"), json!(429))
        );
        assert_eq!(
            (f["request_id"].clone(), f["retry_after"].clone()),
            (json!("r-1"), json!(1.5))
        );
        let f = error_fields(&Error::config("port", "bad"));
        assert_eq!((f["field"].clone(), f.get("status")), (json!("port"), None));
    }

    #[test]
    fn instants_from_millis_or_text() {
        let t = instant(&json!("2026-01-05T10:00:00Z")).unwrap();
        assert_eq!(instant(&json!(t.as_millisecond())), Some(t));
        assert_eq!(instant(&json!(true)), None);
    }

    #[test]
    fn desired_states_from_text_or_documents_in_the_format_given_or_implied() {
        let t = jiff::Timestamp::UNIX_EPOCH;
        let doc = json!({"registries": []});
        let names = ("desired.yaml", "<dict>");
        assert!(desired_state(doc.clone(), None, None, names, t).is_ok());
        assert!(desired_state(json!(doc.to_string()), None, Some("a.json"), names, t).is_ok());
        assert!(desired_state(json!("registries: []"), Some("YML"), None, names, t).is_ok());
        let e = desired_state(doc, Some("toml"), None, names, t).unwrap_err();
        assert!(
            matches!(e, Error::Config { ref field, .. } if field == "format"),
            "{e}"
        );
        let e = desired_state(
            json!("registries: ["),
            Some("json"),
            Some("x.yaml"),
            names,
            t,
        );
        assert_eq!(e.unwrap_err().code(), "validation");
    }

    #[test]
    fn reports_from_errors_list_the_violations() {
        let e = Error::validation(vec![Violation::new("/name", "wrong_type", "x")]);
        let v = report_value(Err(e));
        assert_eq!(
            (v["valid"].clone(), v["errors"][0]["code"].clone()),
            (json!(false), json!("wrong_type"))
        );
    }
}
