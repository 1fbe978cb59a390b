//! Lenient decoding of a request from arbitrary JSON: every wrong JSON type becomes a
//! violation naming its path, and decoding goes on so that validation can report everything
//! at once.

use crate::enums::{RegistryType, WeekDay};
use crate::error::Violation;
use crate::model::{AdditionalFilters, Extra, Filter, RepoTag, ScheduleRequest};
use serde_json::{Map, Value};

/// Escapes one JSON-pointer token (RFC 6901).
pub fn pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a decimal number",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

struct Ctx {
    errors: Vec<Violation>,
}

impl Ctx {
    fn wrong(&mut self, path: &str, field: &str, expected: &str, got: &Value) {
        self.errors.push(Violation::new(
            path,
            "wrong_type",
            format!("{field} must be {expected}, not {}", json_type(got)),
        ));
    }

    /// Takes a field that may be spelled in several ways; reports a conflict when two
    /// spellings disagree. Returns the value (None for absent or null) and its path.
    fn take<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        base: &str,
        names: &[&str],
    ) -> (Option<&'a Value>, String) {
        let mut found: Option<(&str, &'a Value)> = None;
        for n in names {
            // null is absent: a null spelling beside a valued one is no conflict.
            if let Some(v) = obj.get(*n).filter(|v| !v.is_null()) {
                match found {
                    None => found = Some((n, v)),
                    Some((first, fv)) if fv != v => {
                        self.errors.push(Violation::new(
                            format!("{base}/{}", pointer_token(n)),
                            "conflicting_fields",
                            format!(
                                "{n} and {first} are two spellings of the same field with different values; send only {}",
                                names[0]
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        match found {
            // Paths always use the canonical spelling: the request is normalised.
            Some((_, v)) => (
                (!v.is_null()).then_some(v),
                format!("{base}/{}", pointer_token(names[0])),
            ),
            None => (None, format!("{base}/{}", pointer_token(names[0]))),
        }
    }

    fn string(&mut self, v: Option<&Value>, path: &str, field: &str) -> Option<String> {
        match v? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong(path, field, "a string", other);
                None
            }
        }
    }

    fn boolean(&mut self, v: Option<&Value>, path: &str, field: &str) -> Option<bool> {
        match v? {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong(path, field, "true or false", other);
                None
            }
        }
    }

    fn integer(&mut self, v: Option<&Value>, path: &str, field: &str) -> Option<i64> {
        match v? {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Some(i)
                } else if n.as_u64().is_some() {
                    Some(i64::MAX)
                } else {
                    match n.as_f64() {
                        Some(f) if f.is_finite() && f.fract() == 0.0 => Some(f as i64),
                        _ => {
                            self.wrong(path, field, "a whole number", &Value::Number(n.clone()));
                            None
                        }
                    }
                }
            }
            other => {
                self.wrong(path, field, "a whole number", other);
                None
            }
        }
    }

    fn object<'a>(
        &mut self,
        v: Option<&'a Value>,
        path: &str,
        field: &str,
    ) -> Option<&'a Map<String, Value>> {
        match v? {
            Value::Object(m) => Some(m),
            other => {
                self.wrong(path, field, "an object", other);
                None
            }
        }
    }

    fn array<'a>(&mut self, v: Option<&'a Value>, path: &str, field: &str) -> Option<&'a [Value]> {
        match v? {
            Value::Array(a) => Some(a),
            other => {
                self.wrong(path, field, "an array", other);
                None
            }
        }
    }
}

fn extra(obj: &Map<String, Value>, known: &[&str]) -> Extra {
    obj.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Request fields and the spellings accepted for each (canonical first).
pub(crate) const REQUEST_FIELDS: &[&[&str]] = &[
    &["name"],
    &["onDemand", "OnDemand"],
    &["scheduleIntervalInDays", "scheduleScanIntervalInDays"],
    &["weekDay"],
    &["schedule"],
    &["forceScan"],
    &["registryType"],
    &["filters"],
    &["additionalFilters"],
];
pub(crate) const FILTER_FIELDS: &[&str] = &["days", "repoTags"];
pub(crate) const REPO_TAG_FIELDS: &[&str] = &["repo", "tag"];
pub(crate) const ADDITIONAL_FIELDS: &[&str] = &["numberOfTags", "sortCriteria"];

/// Decodes a request leniently; returns what could be read and the type errors.
pub fn decode_request(value: &Value) -> (ScheduleRequest, Vec<Violation>) {
    let mut cx = Ctx { errors: Vec::new() };
    let mut req = ScheduleRequest::default();
    let Value::Object(obj) = value else {
        cx.wrong("", "the request", "a JSON object", value);
        return (req, cx.errors);
    };
    let known: Vec<&str> = REQUEST_FIELDS
        .iter()
        .flat_map(|s| s.iter().copied())
        .collect();
    req.extra = extra(obj, &known);

    let (v, p) = cx.take(obj, "", REQUEST_FIELDS[0]);
    req.name = cx.string(v, &p, "name").unwrap_or_default();
    let (v, p) = cx.take(obj, "", REQUEST_FIELDS[1]);
    req.on_demand = cx.boolean(v, &p, "onDemand").unwrap_or(true);
    let (v, p) = cx.take(obj, "", REQUEST_FIELDS[2]);
    req.schedule_interval_in_days = cx.integer(v, &p, "scheduleIntervalInDays");
    let (v, p) = cx.take(obj, "", REQUEST_FIELDS[3]);
    req.week_day = cx.string(v, &p, "weekDay").map(|s| WeekDay::from_wire(&s));
    let (v, p) = cx.take(obj, "", REQUEST_FIELDS[4]);
    req.schedule = cx.string(v, &p, "schedule");
    let (v, p) = cx.take(obj, "", REQUEST_FIELDS[5]);
    req.force_scan = cx.boolean(v, &p, "forceScan");
    let (v, p) = cx.take(obj, "", REQUEST_FIELDS[6]);
    req.registry_type = cx
        .string(v, &p, "registryType")
        .map(|s| RegistryType::from_wire(&s));

    let (v, p) = cx.take(obj, "", REQUEST_FIELDS[7]);
    if let Some(items) = cx.array(v, &p, "filters") {
        for (i, item) in items.iter().enumerate() {
            let fp = format!("/filters/{i}");
            let Some(fobj) = cx.object(Some(item), &fp, "each filter") else {
                // Keep indices aligned with the document.
                req.filters.push(Filter::default());
                continue;
            };
            let mut f = Filter {
                extra: extra(fobj, FILTER_FIELDS),
                ..Default::default()
            };
            let (v, p) = cx.take(fobj, &fp, &["days"]);
            f.days = cx.integer(v, &p, "days");
            let (v, p) = cx.take(fobj, &fp, &["repoTags"]);
            if let Some(tags) = cx.array(v, &p, "repoTags") {
                for (j, t) in tags.iter().enumerate() {
                    let tp = format!("{fp}/repoTags/{j}");
                    let Some(tobj) = cx.object(Some(t), &tp, "each repoTags entry") else {
                        f.repo_tags.push(RepoTag::default());
                        continue;
                    };
                    let (rv, rp) = cx.take(tobj, &tp, &["repo"]);
                    let repo = cx.string(rv, &rp, "repo").unwrap_or_default();
                    let (tv, tpp) = cx.take(tobj, &tp, &["tag"]);
                    let tag = cx.string(tv, &tpp, "tag");
                    f.repo_tags.push(RepoTag {
                        repo,
                        tag,
                        extra: extra(tobj, REPO_TAG_FIELDS),
                    });
                }
            }
            req.filters.push(f);
        }
    }

    let (v, p) = cx.take(obj, "", REQUEST_FIELDS[8]);
    if let Some(aobj) = cx.object(v, &p, "additionalFilters") {
        let mut a = AdditionalFilters {
            extra: extra(aobj, ADDITIONAL_FIELDS),
            ..Default::default()
        };
        let (v, p) = cx.take(aobj, "/additionalFilters", &["numberOfTags"]);
        a.number_of_tags = cx.integer(v, &p, "numberOfTags");
        let (v, p) = cx.take(aobj, "/additionalFilters", &["sortCriteria"]);
        a.sort_criteria = cx.string(v, &p, "sortCriteria");
        req.additional_filters = Some(a);
    }
    (req, cx.errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_null_spelling_is_absent_not_a_conflict() {
        let (req, errors) = decode_request(&json!({
            "name": "x", "onDemand": null, "OnDemand": false,
            "scheduleIntervalInDays": 7, "scheduleScanIntervalInDays": null,
        }));
        assert_eq!(errors, []);
        assert!(!req.on_demand);
        assert_eq!(req.schedule_interval_in_days, Some(7));

        let (_, errors) = decode_request(&json!({"onDemand": true, "OnDemand": false}));
        let codes: Vec<_> = errors
            .iter()
            .map(|v| (v.path.as_str(), v.code.as_str()))
            .collect();
        assert_eq!(codes, [("/OnDemand", "conflicting_fields")]);
    }
}
