//! The oas2021 gateway's schema check: a create/update body must match the `ScheduleRequest`
//! schema of Qualys's own v1.3 OpenAPI file (spec §6b), kept as a JSON Schema file in this
//! crate (`schemas/schedule-request.oas2021.schema.json`, also [`SCHEDULE_REQUEST_OAS2021`])
//! so that other suites can use the same file.
//!
//! The checker is small on purpose: it implements exactly the keywords the file uses —
//! `type` (one name or a list), `properties`, `items`, `required` — with JSON Schema's
//! meaning (`integer` = a number without a fractional part; properties not listed are
//! allowed), and [`supported`] refuses a schema that uses any other validation keyword, so
//! the file cannot silently outgrow it. (A general JSON Schema library cost minutes of cold
//! build on the 2-core dev machine; see the README.)

use serde_json::Value;
use std::sync::OnceLock;

/// The JSON Schema of `ScheduleRequest` as the 2021 OpenAPI file declares it: `filters`,
/// `name`, `onDemand`, `schedule`; nothing required, nothing nullable, other properties
/// allowed.
pub const SCHEDULE_REQUEST_OAS2021: &str =
    include_str!("../schemas/schedule-request.oas2021.schema.json");

/// Most problems listed in one message (the rest are counted).
pub const MAX_LISTED: usize = 20;

/// Keywords that only annotate (ignored by the check).
const ANNOTATIONS: &[&str] = &["$schema", "$id", "title", "description", "$comment"];
/// Keywords the check implements.
const KEYWORDS: &[&str] = &["type", "properties", "items", "required"];

/// One place where an instance does not match its schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaViolation {
    /// JSON pointer of the offending value (`""` = the whole body).
    pub path: String,
    /// What is wrong, e.g. `expected integer, got null`.
    pub message: String,
}

impl std::fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

/// The parsed [`SCHEDULE_REQUEST_OAS2021`].
pub fn schedule_request_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    // The file is part of the crate and tested; an unreadable one would check nothing.
    SCHEMA.get_or_init(|| serde_json::from_str(SCHEDULE_REQUEST_OAS2021).unwrap_or(Value::Null))
}

/// Checks a create/update body against [`SCHEDULE_REQUEST_OAS2021`].
pub fn check_schedule_request(body: &Value) -> Vec<SchemaViolation> {
    check(schedule_request_schema(), body)
}

/// The 422 message for these violations: a first line with the count, then one
/// `  /path: what is wrong` line each (at most [`MAX_LISTED`]).
pub fn message(violations: &[SchemaViolation]) -> String {
    let n = violations.len();
    let mut out = format!(
        "the request body does not match the OpenAPI ScheduleRequest schema: {n} problem{}",
        if n == 1 { "" } else { "s" }
    );
    for v in violations.iter().take(MAX_LISTED) {
        out.push_str("\n  ");
        out.push_str(&v.to_string());
    }
    if n > MAX_LISTED {
        out.push_str(&format!("\n  ... and {} more", n - MAX_LISTED));
    }
    out
}

/// Checks `instance` against `schema` (the keywords of the module docs); every problem is
/// reported, in document order.
pub fn check(schema: &Value, instance: &Value) -> Vec<SchemaViolation> {
    let mut out = Vec::new();
    walk(schema, instance, &mut String::new(), &mut out);
    out
}

/// `Ok` when `schema` uses only the keywords [`check`] implements (and annotations).
pub fn supported(schema: &Value) -> Result<(), String> {
    fn go(s: &Value, at: &str) -> Result<(), String> {
        let Value::Object(m) = s else {
            return Err(format!("{at}: a schema must be an object"));
        };
        for (k, v) in m {
            if ANNOTATIONS.contains(&k.as_str()) {
                continue;
            }
            if !KEYWORDS.contains(&k.as_str()) {
                return Err(format!("{at}: keyword {k:?} is not implemented"));
            }
            match k.as_str() {
                "properties" => {
                    let Value::Object(props) = v else {
                        return Err(format!("{at}/properties must be an object"));
                    };
                    for (name, sub) in props {
                        go(sub, &format!("{at}/properties/{name}"))?;
                    }
                }
                "items" => go(v, &format!("{at}/items"))?,
                "type" => {
                    let names: Vec<&Value> = match v {
                        Value::Array(a) => a.iter().collect(),
                        one => vec![one],
                    };
                    for n in names {
                        match n.as_str() {
                            Some(
                                "object" | "array" | "string" | "integer" | "number" | "boolean"
                                | "null",
                            ) => {}
                            _ => return Err(format!("{at}/type: unknown type {n}")),
                        }
                    }
                }
                _ => {
                    if !v.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
                        return Err(format!("{at}/required must be an array of names"));
                    }
                }
            }
        }
        Ok(())
    }
    go(schema, "#")
}

fn is_type(name: &str, v: &Value) -> bool {
    match name {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => match v {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        _ => false,
    }
}

fn json_type(v: &Value) -> &'static str {
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

fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn walk(schema: &Value, v: &Value, path: &mut String, out: &mut Vec<SchemaViolation>) {
    let Value::Object(s) = schema else { return };
    if let Some(t) = s.get("type") {
        let names: Vec<&str> = match t {
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            one => one.as_str().into_iter().collect(),
        };
        if !names.is_empty() && !names.iter().any(|n| is_type(n, v)) {
            let expected = names.join(" or ");
            let hint = if v.is_null() {
                " (the property is not nullable: omit it instead of sending null)"
            } else {
                ""
            };
            out.push(SchemaViolation {
                path: path.clone(),
                message: format!("expected {expected}, got {}{hint}", json_type(v)),
            });
            // The value's own keywords do not apply to a value of the wrong type.
            return;
        }
    }
    if let (Some(Value::Array(req)), Value::Object(obj)) = (s.get("required"), v) {
        for name in req.iter().filter_map(Value::as_str) {
            if !obj.contains_key(name) {
                out.push(SchemaViolation {
                    path: path.clone(),
                    message: format!("required property {name:?} is missing"),
                });
            }
        }
    }
    if let (Some(Value::Object(props)), Value::Object(obj)) = (s.get("properties"), v) {
        for (name, value) in obj {
            if let Some(sub) = props.get(name) {
                let len = path.len();
                path.push('/');
                path.push_str(&token(name));
                walk(sub, value, path, out);
                path.truncate(len);
            }
        }
    }
    if let (Some(items), Value::Array(arr)) = (s.get("items"), v) {
        for (i, item) in arr.iter().enumerate() {
            let len = path.len();
            path.push('/');
            path.push_str(&i.to_string());
            walk(items, item, path, out);
            path.truncate(len);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn the_file_parses_and_uses_only_implemented_keywords() {
        let s: Value = serde_json::from_str(SCHEDULE_REQUEST_OAS2021).expect("valid JSON");
        assert_eq!(&s, schedule_request_schema());
        supported(&s).expect("only type, properties, items, required");
        assert!(supported(&json!({"type": "string", "nullable": true})).is_err());
        assert!(supported(&json!({"type": "date"})).is_err());
        // Exactly the four OpenAPI properties, none required.
        let props: Vec<&String> = s["properties"].as_object().unwrap().keys().collect();
        assert_eq!(props, ["filters", "name", "onDemand", "schedule"]);
        assert!(s.get("required").is_none());
    }

    #[test]
    fn valid_bodies_pass_including_extra_properties() {
        for body in [
            json!({}),
            json!({"name": "n", "onDemand": true, "filters": [{"repoTags": [{"repo": "a"}]}]}),
            json!({"name": "n", "onDemand": false, "schedule": "06:55", "scheduleIntervalInDays": 7,
                   "weekDay": "THURSDAY", "forceScan": true, "registryType": "Azure",
                   "additionalFilters": null, "OnDemand": null, "whatever": [null],
                   "filters": [{"days": 90, "repoTags": [{"repo": "a", "tag": "x,y", "extra": null}]}]}),
            json!({"filters": [{"days": 7.0, "repoTags": []}]}),
        ] {
            assert_eq!(check_schedule_request(&body), vec![], "{body}");
        }
    }

    #[test]
    fn nulls_and_wrong_types_name_their_path() {
        let body = json!({
            "name": null, "onDemand": "yes", "schedule": null,
            "filters": [
                {"days": null, "repoTags": [{"repo": "a", "tag": null}, {"repo": 5}]},
                {"days": 1.5, "repoTags": null},
                null
            ]
        });
        let got: Vec<String> = check_schedule_request(&body)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            got,
            [
                "/name: expected string, got null (the property is not nullable: omit it instead of sending null)",
                "/onDemand: expected boolean, got a string",
                "/schedule: expected string, got null (the property is not nullable: omit it instead of sending null)",
                "/filters/0/days: expected integer, got null (the property is not nullable: omit it instead of sending null)",
                "/filters/0/repoTags/0/tag: expected string, got null (the property is not nullable: omit it instead of sending null)",
                "/filters/0/repoTags/1/repo: expected string, got a number",
                "/filters/1/days: expected integer, got a decimal number",
                "/filters/1/repoTags: expected array, got null (the property is not nullable: omit it instead of sending null)",
                "/filters/2: expected object, got null (the property is not nullable: omit it instead of sending null)",
            ]
        );
        let root = check_schedule_request(&json!(["x"]));
        assert_eq!(root[0].to_string(), "(root): expected object, got an array");
        let m = message(&root);
        assert!(m.starts_with("the request body does not match the OpenAPI ScheduleRequest schema: 1 problem\n  (root): "), "{m}");
    }

    #[test]
    fn required_and_type_lists_and_escaping() {
        let s = json!({"type": "object", "required": ["a/b"], "properties": {"x~y": {"type": ["string", "null"]}}});
        let got = check(&s, &json!({"x~y": 1}));
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0].to_string(),
            "(root): required property \"a/b\" is missing"
        );
        assert_eq!(
            got[1].to_string(),
            "/x~0y: expected string or null, got a number"
        );
        assert!(check(&s, &json!({"a/b": 1, "x~y": null})).is_empty());
        let many: Vec<SchemaViolation> =
            check_schedule_request(&json!({"filters": vec![Value::Null; 25]}));
        let m = message(&many);
        assert!(
            m.contains(": 25 problems") && m.ends_with("... and 5 more"),
            "{m}"
        );
    }
}
