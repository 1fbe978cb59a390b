//! Desired state: the schedules a team wants, as a YAML or JSON file (schedules as code).
//!
//! ```yaml
//! version: 1
//! registries:
//!   - registry: prod-acr            # the registry's name, URI or UUID
//!     schedules:
//!       - name: nightly-nginx
//!         daily: "02:00"            # exactly one of: onDemand: true | every: <days> |
//!         timezone: Europe/Berlin   #   weekly: {day: MONDAY, at: "02:00"} | daily: "HH:MM"
//!         repos:                    # optional timezone: daily/weekly times are local to it
//!           - library/nginx         # all tags
//!           - repo: app
//!             tags: [latest, "1.2"] # or "latest,1.2"
//!         createdWithinDays: 7      # optional
//!         forceScan: false          # optional
//!         latestTags: 5             # optional: only the latest N tags by creation date
//!         registryType: Azure       # optional
//! ```
//!
//! JSON files have the same shape. Every problem — syntax, unknown keys, wrong types, and every
//! rule of [`crate::validate()`] on the resulting requests — is reported at once, each naming
//! the file, the line and the field.

use crate::builder::ScheduleBuilder;
use crate::decode::{json_type, pointer_token};
use crate::enums::{RegistryType, WeekDay};
use crate::error::{Error, Violation};
use crate::model::ScheduleRequest;
use crate::registry_state::{Ensure, ManagedCredential, ManagedRegistry, SecretRef};
use crate::tz::LocalConversion;
use crate::validate::validate;
use jiff::Timestamp;
use marked_yaml::{LoaderOptions, Node};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

/// The whole desired state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DesiredState {
    /// Where it came from (file name), for messages.
    pub source: String,
    /// Registries, in file order.
    pub registries: Vec<DesiredRegistry>,
    /// Warnings (validation warnings, DST shifts), each naming file, line and field.
    pub warnings: Vec<Violation>,
}

/// The schedules wanted in one registry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DesiredRegistry {
    /// The registry's name, URI or UUID, as written.
    pub registry: String,
    /// Wanted schedules, in file order.
    pub schedules: Vec<DesiredSchedule>,
    /// How the registry itself should be (`manage:`), when the file manages it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub manage: Option<ManagedRegistry>,
}

/// One wanted schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DesiredSchedule {
    /// Name (the key matched against existing schedules).
    pub name: String,
    /// The request to send (UTC, time zones resolved).
    pub request: ScheduleRequest,
    /// The local-time conversion, when a timezone was given.
    pub conversion: Option<LocalConversion>,
    /// Line in the file where the schedule starts (1-based), when known.
    pub line: Option<usize>,
}

/// File formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "uniffi", uniffi(name = "DesiredFormat"))]
pub enum Format {
    /// YAML (also reads JSON, which is YAML's flow syntax).
    Yaml,
    /// JSON.
    Json,
}

impl Format {
    /// From a file name's extension (`.json` → JSON, anything else YAML).
    pub fn from_file_name(name: &str) -> Format {
        if name.to_ascii_lowercase().ends_with(".json") {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// JSON value plus the line of every JSON pointer in it.
struct Located {
    value: Value,
    lines: HashMap<String, usize>,
}

fn scalar_value(s: &marked_yaml::types::MarkedScalarNode) -> Value {
    let text: &str = s;
    if !s.may_coerce() {
        return Value::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    if text.chars().any(|c| c.is_ascii_digit())
        && let Ok(f) = text.parse::<f64>()
        && f.is_finite()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text.to_owned())
}

fn convert(node: &Node, path: &str, lines: &mut HashMap<String, usize>) -> Value {
    if let Some(m) = node.span().start() {
        lines.insert(path.to_owned(), m.line());
    }
    match node {
        Node::Scalar(s) => scalar_value(s),
        Node::Sequence(seq) => Value::Array(
            seq.iter()
                .enumerate()
                .map(|(i, n)| convert(n, &format!("{path}/{i}"), lines))
                .collect(),
        ),
        Node::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map.iter() {
                let key: &str = k;
                let p = format!("{path}/{}", pointer_token(key));
                // The key's line is the better place to point at for a field.
                let value = convert(v, &p, lines);
                if let Some(m) = k.span().start() {
                    lines.insert(p, m.line());
                }
                out.insert(key.to_owned(), value);
            }
            Value::Object(out)
        }
    }
}

fn parse_text(text: &str, format: Format, source: &str) -> Result<Located, Error> {
    if format == Format::Json {
        // Exact JSON syntax errors (with line) from serde_json first.
        if let Err(e) = serde_json::from_str::<Value>(text) {
            return Err(Error::validation(vec![Violation::new(
                "",
                "invalid_syntax",
                format!("{source}:{}: not valid JSON: {e}", e.line()),
            )]));
        }
    }
    let opts = LoaderOptions::default().error_on_duplicate_keys(true);
    let node = marked_yaml::parse_yaml_with_options(0, text, opts).map_err(|e| {
        Error::validation(vec![Violation::new(
            "",
            "invalid_syntax",
            format!("{source}: not valid YAML: {e}"),
        )])
    })?;
    let mut lines = HashMap::new();
    let value = convert(&node, "", &mut lines);
    Ok(Located { value, lines })
}

struct Cx<'a> {
    source: &'a str,
    lines: &'a HashMap<String, usize>,
    errors: Vec<Violation>,
    warnings: Vec<Violation>,
}

impl Cx<'_> {
    fn line_of(&self, path: &str) -> Option<usize> {
        // The nearest enclosing path that has a line.
        let mut p = path.to_owned();
        loop {
            if let Some(l) = self.lines.get(&p) {
                return Some(*l);
            }
            match p.rfind('/') {
                Some(i) => p.truncate(i),
                None => return None,
            }
        }
    }

    fn locate(&self, v: Violation) -> Violation {
        if self.source.is_empty() {
            return v;
        }
        let at = match self.line_of(&v.path) {
            Some(l) => format!("{}:{l}", self.source),
            None => self.source.to_owned(),
        };
        Violation::new(v.path.clone(), v.code, format!("{at}: {}", v.message))
    }

    fn err(&mut self, path: &str, code: &str, msg: String) {
        let v = self.locate(Violation::new(path, code, msg));
        self.errors.push(v);
    }

    fn warn(&mut self, v: Violation) {
        let v = self.locate(v);
        self.warnings.push(v);
    }

    fn obj<'v>(&mut self, v: &'v Value, path: &str, what: &str) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.err(
                    path,
                    "wrong_type",
                    format!("{what} must be a mapping, not {}", json_type(other)),
                );
                None
            }
        }
    }

    fn keys(&mut self, m: &Map<String, Value>, path: &str, known: &[&str]) {
        for k in m.keys() {
            if !known.contains(&k.as_str()) {
                let hint = crate::validate::suggest(k, known)
                    .map(|n| format!(" (did you mean {n}?)"))
                    .unwrap_or_default();
                self.err(
                    &format!("{path}/{}", pointer_token(k)),
                    "unknown_field",
                    format!(
                        "{k} is not a known key here{hint}; known keys: {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }

    fn string(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> Option<String> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.err(
                    &format!("{path}/{key}"),
                    "wrong_type",
                    format!("{key} must be a string, not {}", json_type(other)),
                );
                None
            }
        }
    }

    fn uint(&mut self, m: &Map<String, Value>, path: &str, key: &str, max: u64) -> Option<u64> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|x| x <= max) => n.as_u64(),
            Some(other) => {
                self.err(
                    &format!("{path}/{key}"),
                    "wrong_type",
                    format!("{key} must be a whole number from 0 to {max}, not {other}"),
                );
                None
            }
        }
    }

    fn boolean(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> Option<bool> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.err(
                    &format!("{path}/{key}"),
                    "wrong_type",
                    format!("{key} must be true or false, not {}", json_type(other)),
                );
                None
            }
        }
    }
}

const SCHEDULE_KEYS: &[&str] = &[
    "name",
    "onDemand",
    "every",
    "weekly",
    "daily",
    "timezone",
    "repos",
    "createdWithinDays",
    "forceScan",
    "latestTags",
    "registryType",
];

/// Maps a request pointer to the key of the desired file that set it.
fn file_path_of(req_path: &str, sp: &str, kind: &str) -> String {
    let rest = req_path;
    if let Some(tail) = rest.strip_prefix("/filters/0/repoTags/") {
        let idx = tail.split('/').next().unwrap_or("0");
        return format!("{sp}/repos/{idx}");
    }
    match rest {
        "/name" => format!("{sp}/name"),
        "/filters/0/days" => format!("{sp}/createdWithinDays"),
        "/filters" | "/filters/0/repoTags" => format!("{sp}/repos"),
        "/forceScan" => format!("{sp}/forceScan"),
        "/registryType" => format!("{sp}/registryType"),
        p if p.starts_with("/additionalFilters") => format!("{sp}/latestTags"),
        "/weekDay" if kind == "weekly" => format!("{sp}/weekly/day"),
        "/schedule" if kind == "weekly" => format!("{sp}/weekly/at"),
        "/schedule" | "/scheduleIntervalInDays" | "/weekDay" => format!("{sp}/{kind}"),
        _ => sp.to_owned(),
    }
}

impl DesiredState {
    /// Parses a desired-state file. `reference` is the instant local times are converted at
    /// (usually now). Every problem is reported at once in one `validation` error.
    pub fn parse(
        text: &str,
        format: Format,
        source: &str,
        reference: Timestamp,
    ) -> Result<DesiredState, Error> {
        let located = parse_text(text, format, source)?;
        let mut cx = Cx {
            source,
            lines: &located.lines,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let mut state = DesiredState {
            source: source.to_owned(),
            ..Default::default()
        };
        let Some(root) = cx.obj(&located.value, "", "the file") else {
            return Err(Error::validation(cx.errors));
        };
        cx.keys(root, "", &["version", "registries"]);
        match root.get("version") {
            None | Some(Value::Null) => {}
            Some(v) if v.as_u64() == Some(1) => {}
            Some(v) => cx.err(
                "/version",
                "unsupported_version",
                format!("version must be 1; got {v}"),
            ),
        }
        let regs = match root.get("registries") {
            Some(Value::Array(a)) => a.as_slice(),
            None | Some(Value::Null) => {
                cx.err(
                    "/registries",
                    "registries_required",
                    "registries is required: a list of {registry, schedules}".into(),
                );
                &[]
            }
            Some(other) => {
                cx.err(
                    "/registries",
                    "wrong_type",
                    format!("registries must be a list, not {}", json_type(other)),
                );
                &[]
            }
        };
        let mut seen_regs = BTreeSet::new();
        for (i, r) in regs.iter().enumerate() {
            let rp = format!("/registries/{i}");
            let Some(rm) = cx.obj(r, &rp, "each registries entry") else {
                continue;
            };
            cx.keys(rm, &rp, &["registry", "schedules", "manage"]);
            let reference_name = match cx.string(rm, &rp, "registry") {
                Some(s) if !s.trim().is_empty() => s.trim().to_owned(),
                _ => {
                    cx.err(
                        &format!("{rp}/registry"),
                        "registry_required",
                        "registry is required: the registry's name, URI or UUID".into(),
                    );
                    String::new()
                }
            };
            if !reference_name.is_empty() && !seen_regs.insert(reference_name.clone()) {
                cx.err(&format!("{rp}/registry"), "duplicate_registry", format!("registry {reference_name:?} is listed twice; merge its schedules into one entry"));
            }
            let manage = match rm.get("manage") {
                None | Some(Value::Null) => None,
                Some(v) => parse_manage(&mut cx, v, &format!("{rp}/manage"), &reference_name),
            };
            let mut reg = DesiredRegistry {
                registry: reference_name,
                schedules: Vec::new(),
                manage,
            };
            let scheds = match rm.get("schedules") {
                Some(Value::Array(a)) => a.as_slice(),
                None | Some(Value::Null) => &[],
                Some(other) => {
                    cx.err(
                        &format!("{rp}/schedules"),
                        "wrong_type",
                        format!("schedules must be a list, not {}", json_type(other)),
                    );
                    &[]
                }
            };
            let mut names = BTreeSet::new();
            for (j, s) in scheds.iter().enumerate() {
                let sp = format!("{rp}/schedules/{j}");
                if let Some(ds) = parse_schedule(&mut cx, s, &sp, reference) {
                    if !names.insert(ds.name.clone()) {
                        cx.err(&format!("{sp}/name"), "duplicate_schedule_name", format!("schedule name {:?} is used twice in this registry; names identify schedules, make them unique", ds.name));
                    }
                    reg.schedules.push(ds);
                }
            }
            state.registries.push(reg);
        }
        if cx.errors.is_empty() {
            state.warnings = cx.warnings;
            Ok(state)
        } else {
            Err(Error::validation(cx.errors))
        }
    }

    /// Reads the format from the file name (`.json` or YAML) and parses.
    pub fn parse_file_text(
        text: &str,
        file_name: &str,
        reference: Timestamp,
    ) -> Result<DesiredState, Error> {
        Self::parse(
            text,
            Format::from_file_name(file_name),
            file_name,
            reference,
        )
    }
}

const MANAGE_KEYS: &[&str] = &[
    "type",
    "uri",
    "credentialType",
    "credential",
    "aws",
    "connectorId",
    "projectId",
    "location",
    "registry",
    "dockerHubOrgName",
    "ensure",
];
const MANAGED_CREDENTIAL_KEYS: &[&str] = &[
    "username",
    "passwordEnv",
    "passwordFile",
    "tokenEnv",
    "tokenFile",
    "rotatedAt",
];
const MANAGED_AWS_KEYS: &[&str] = &["accountId", "arn", "region", "accountType"];
/// Keys that would hold a secret itself: never allowed in a file.
const LITERAL_SECRET_KEYS: &[&str] = &["password", "token", "accessToken"];

impl Cx<'_> {
    /// Reports every literal-secret key of `m` (without its value) and checks the other keys.
    fn keys_no_secrets(&mut self, m: &Map<String, Value>, path: &str, known: &[&str]) {
        let mut rest = Map::new();
        for (k, v) in m {
            if LITERAL_SECRET_KEYS.contains(&k.as_str()) {
                self.err(
                    &format!("{path}/{k}"),
                    "literal_secret",
                    format!(
                        "{k} holds a secret written into the file; secrets are never written in a desired-state file: remove it and use passwordEnv: <VARIABLE> or passwordFile: <path> (tokenEnv / tokenFile for an access token)"
                    ),
                );
            } else {
                rest.insert(k.clone(), v.clone());
            }
        }
        self.keys(&rest, path, known);
    }
}

/// Parses a `manage:` block (see [`crate::registry_state`]). Every problem is reported,
/// with its line; a literal secret never appears in a message.
fn parse_manage(cx: &mut Cx<'_>, v: &Value, mp: &str, reference: &str) -> Option<ManagedRegistry> {
    let m = cx.obj(v, mp, "manage")?;
    let errors_before = cx.errors.len();
    cx.keys_no_secrets(m, mp, MANAGE_KEYS);
    let ensure = match cx.string(m, mp, "ensure").as_deref().map(str::trim) {
        None | Some("present") => Ensure::Present,
        Some("absent") => Ensure::Absent,
        Some(other) => {
            cx.err(
                &format!("{mp}/ensure"),
                "invalid_ensure",
                format!("ensure must be present or absent; got {other:?}"),
            );
            Ensure::Present
        }
    };
    let registry_type = match cx.string(m, mp, "type") {
        Some(t) => RegistryType::from_wire(t.trim()),
        None if ensure == Ensure::Absent => RegistryType::Other(String::new()),
        None => {
            cx.err(
                &format!("{mp}/type"),
                "registry_type_required",
                format!("manage needs type: one of {}", RegistryType::known_list()),
            );
            RegistryType::Other(String::new())
        }
    };
    let uri = cx
        .string(m, mp, "uri")
        .map(|u| u.trim().to_owned())
        .unwrap_or_else(|| reference.to_owned());
    let credential = match m.get("credential") {
        None | Some(Value::Null) => None,
        Some(cv) => {
            let cp = format!("{mp}/credential");
            cx.obj(cv, &cp, "credential").map(|c| {
                cx.keys_no_secrets(c, &cp, MANAGED_CREDENTIAL_KEYS);
                let mut refs = Vec::new();
                for key in ["passwordEnv", "passwordFile", "tokenEnv", "tokenFile"] {
                    let Some(val) = cx.string(c, &cp, key) else {
                        continue;
                    };
                    let val = val.trim().to_owned();
                    let env = key.ends_with("Env");
                    let bad = val.is_empty()
                        || (env
                            && !val
                                .chars()
                                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_'));
                    if bad {
                        cx.err(
                            &format!("{cp}/{key}"),
                            "invalid_secret_ref",
                            if env {
                                format!("{key} must name an environment variable (letters, digits, _), e.g. ACME_REGISTRY_PASSWORD")
                            } else {
                                format!("{key} must be the path of a file that holds the secret")
                            },
                        );
                        continue;
                    }
                    refs.push((key, match key {
                        "passwordEnv" => SecretRef::PasswordEnv { name: val },
                        "passwordFile" => SecretRef::PasswordFile { path: val },
                        "tokenEnv" => SecretRef::TokenEnv { name: val },
                        _ => SecretRef::TokenFile { path: val },
                    }));
                }
                if refs.len() > 1 {
                    cx.err(
                        &format!("{cp}/{}", refs[1].0),
                        "conflicting_secret_refs",
                        format!(
                            "{} are mutually exclusive: the credential has one secret; keep one",
                            refs.iter().map(|r| r.0).collect::<Vec<_>>().join(" and ")
                        ),
                    );
                }
                let rotated_at = cx.string(c, &cp, "rotatedAt").and_then(|t| {
                    let parsed = crate::registry_state::parse_rotated_at(&t);
                    if parsed.is_none() {
                        cx.err(
                            &format!("{cp}/rotatedAt"),
                            "invalid_rotated_at",
                            format!("rotatedAt must be an RFC 3339 instant such as \"2026-11-30T09:00:00Z\"; got {t:?}"),
                        );
                    }
                    parsed
                });
                ManagedCredential {
                    username: cx.string(c, &cp, "username"),
                    secret: refs.into_iter().next().map(|r| r.1),
                    rotated_at,
                }
            })
        }
    };
    let aws = match m.get("aws") {
        None | Some(Value::Null) => None,
        Some(av) => {
            let ap = format!("{mp}/aws");
            cx.obj(av, &ap, "aws").map(|a| {
                cx.keys(a, &ap, MANAGED_AWS_KEYS);
                // An AWS account id is twelve digits: YAML reads it unquoted as a number.
                let account_id = match a.get("accountId") {
                    Some(Value::Number(n)) if n.is_u64() => Some(n.to_string()),
                    _ => cx.string(a, &ap, "accountId"),
                };
                crate::registry::AwsAccount {
                    account_id,
                    arn: cx.string(a, &ap, "arn"),
                    region: cx.string(a, &ap, "region"),
                    account_type: cx.string(a, &ap, "accountType"),
                    extra: Default::default(),
                }
            })
        }
    };
    let managed = ManagedRegistry {
        registry_type,
        uri,
        credential_type: cx.string(m, mp, "credentialType"),
        credential,
        aws,
        connector_id: cx.string(m, mp, "connectorId"),
        project_id: cx.string(m, mp, "projectId"),
        location: cx.string(m, mp, "location"),
        registry: cx.string(m, mp, "registry"),
        docker_hub_org_name: cx.string(m, mp, "dockerHubOrgName"),
        ensure,
        line: cx.lines.get(mp).map(|l| *l as u64),
    };
    if cx.errors.len() > errors_before {
        return None;
    }
    if ensure == Ensure::Present {
        let report = crate::registry_state::check_managed(&managed);
        for v in report.errors {
            let v = crate::registry_state::at_manage(v, mp);
            cx.err(&v.path, &v.code, v.message);
        }
        for v in report.warnings {
            cx.warn(crate::registry_state::at_manage(v, mp));
        }
    }
    Some(managed)
}

/// One schedule described as in a desired-state file — `{name, onDemand | every | weekly |
/// daily, timezone, repos, createdWithinDays, forceScan, latestTags, registryType}` — from any
/// front end. The command line turns its flags into this and calls it, so flags and files
/// share one parser and one set of rules. `reference` is the instant local times are
/// converted at. Every problem comes back at once in one `validation` error whose paths are
/// the spec's keys (`/daily`, `/weekly/day`, `/repos/0`); warnings (validation, DST shifts)
/// come back beside the schedule.
pub fn schedule_from_spec(
    spec: &Value,
    reference: Timestamp,
) -> Result<(DesiredSchedule, Vec<Violation>), Error> {
    let lines = HashMap::new();
    let mut cx = Cx {
        source: "",
        lines: &lines,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    match parse_schedule(&mut cx, spec, "", reference) {
        Some(ds) if cx.errors.is_empty() => Ok((ds, cx.warnings)),
        _ => Err(Error::validation(cx.errors)),
    }
}

fn parse_schedule(
    cx: &mut Cx<'_>,
    s: &Value,
    sp: &str,
    reference: Timestamp,
) -> Option<DesiredSchedule> {
    let m = cx.obj(s, sp, "each schedule")?;
    cx.keys(m, sp, SCHEDULE_KEYS);
    let errors_before = cx.errors.len();
    let name = cx.string(m, sp, "name").unwrap_or_default();
    let timezone = cx.string(m, sp, "timezone");

    let kinds: Vec<&str> = ["onDemand", "every", "weekly", "daily"]
        .into_iter()
        .filter(|k| {
            m.get(*k)
                .is_some_and(|v| !v.is_null() && *v != Value::Bool(false))
        })
        .collect();
    let kind = match kinds.as_slice() {
        [one] => *one,
        [] => {
            cx.err(sp, "kind_required", "say when the schedule runs with exactly one of onDemand: true, every: <days>, weekly: {day: MONDAY, at: \"02:00\"}, daily: \"HH:MM\"".into());
            return None;
        }
        several => {
            cx.err(
                &format!("{sp}/{}", several[1]),
                "conflicting_kinds",
                format!("{} are mutually exclusive; keep one", several.join(" and ")),
            );
            return None;
        }
    };
    if timezone.is_some() && !(kind == "daily" || kind == "weekly") {
        cx.err(&format!("{sp}/timezone"), "timezone_not_allowed", format!("timezone applies to daily and weekly schedules only (this one is {kind}); remove it"));
    }

    let mut conversion = None;
    let builder: Builder = match kind {
        "onDemand" => {
            if cx.boolean(m, sp, "onDemand") != Some(true) {
                return None;
            }
            Builder::OnDemand(ScheduleRequest::on_demand(name.clone()))
        }
        "every" => {
            let days = cx.uint(m, sp, "every", 365)?;
            if days == 0 {
                cx.err(
                    &format!("{sp}/every"),
                    "interval_out_of_range",
                    "every must be between 1 and 365 days".into(),
                );
                return None;
            }
            Builder::Every(ScheduleRequest::every_days(name.clone(), days as u16))
        }
        "daily" => {
            let at = cx.string(m, sp, "daily")?;
            match &timezone {
                Some(z) => match ScheduleRequest::daily_in_zone(name.clone(), &at, z, reference) {
                    Ok((b, c)) => {
                        conversion = Some(c);
                        Builder::Daily(b)
                    }
                    Err(e) => {
                        for v in e.violations() {
                            let p = if v.path == "/timezone" {
                                format!("{sp}/timezone")
                            } else {
                                format!("{sp}/daily")
                            };
                            cx.err(&p, &v.code, v.message.clone());
                        }
                        return None;
                    }
                },
                None => Builder::Daily(ScheduleRequest::daily(name.clone(), at)),
            }
        }
        _ => {
            let wp = format!("{sp}/weekly");
            let wm = cx.obj(m.get("weekly")?, &wp, "weekly")?;
            cx.keys(wm, &wp, &["day", "at"]);
            let day_text = match cx.string(wm, &wp, "day") {
                Some(d) => d,
                None => {
                    cx.err(
                        &format!("{wp}/day"),
                        "week_day_required",
                        format!("weekly needs day: one of {}", WeekDay::known_list()),
                    );
                    return None;
                }
            };
            let Some(day) = WeekDay::parse_loose(&day_text) else {
                cx.err(
                    &format!("{wp}/day"),
                    "invalid_week_day",
                    format!(
                        "day must be one of {}; got {day_text:?}",
                        WeekDay::known_list()
                    ),
                );
                return None;
            };
            let at = cx.string(wm, &wp, "at");
            match (&timezone, at) {
                (Some(z), at) => {
                    let at = at.unwrap_or_else(|| "00:00".into());
                    match ScheduleRequest::weekly_in_zone(name.clone(), day, &at, z, reference) {
                        Ok((b, c)) => {
                            conversion = Some(c);
                            Builder::Weekly(b)
                        }
                        Err(e) => {
                            for v in e.violations() {
                                let p = if v.path == "/timezone" {
                                    format!("{sp}/timezone")
                                } else {
                                    format!("{wp}/at")
                                };
                                cx.err(&p, &v.code, v.message.clone());
                            }
                            return None;
                        }
                    }
                }
                (None, Some(at)) => {
                    Builder::Weekly(ScheduleRequest::weekly(name.clone(), day).at(at))
                }
                (None, None) => Builder::Weekly(ScheduleRequest::weekly(name.clone(), day)),
            }
        }
    };

    let mut req = builder.finish(cx, m, sp);
    if cx.errors.len() > errors_before {
        return None;
    }
    let report = validate(&req);
    for v in report.errors {
        let p = file_path_of(&v.path, sp, kind);
        cx.err(&p, &v.code, v.message);
    }
    for v in report.warnings {
        let p = file_path_of(&v.path, sp, kind);
        cx.warn(Violation::new(p, v.code, v.message));
    }
    if let Some(c) = &conversion {
        for w in &c.warnings {
            cx.warn(Violation::new(
                format!("{sp}/timezone"),
                w.code.clone(),
                w.message.clone(),
            ));
        }
    }
    req.extra.clear();
    Some(DesiredSchedule {
        name,
        request: req,
        conversion,
        line: cx.lines.get(sp).copied(),
    })
}

enum Builder {
    OnDemand(ScheduleBuilder<crate::builder::OnDemandKind>),
    Every(ScheduleBuilder<crate::builder::EveryDaysKind>),
    Weekly(ScheduleBuilder<crate::builder::WeeklyKind>),
    Daily(ScheduleBuilder<crate::builder::DailyKind>),
}

macro_rules! common_options {
    ($b:expr, $cx:expr, $m:expr, $sp:expr) => {{
        let mut b = $b;
        let rp = format!("{}/repos", $sp);
        match $m.get("repos") {
            Some(Value::Array(items)) => {
                for (i, it) in items.iter().enumerate() {
                    let ip = format!("{rp}/{i}");
                    match it {
                        Value::String(r) => b = b.repo(r.clone()),
                        Value::Object(o) => {
                            $cx.keys(o, &ip, &["repo", "tags"]);
                            let repo = $cx.string(o, &ip, "repo").unwrap_or_default();
                            match o.get("tags") {
                                None | Some(Value::Null) => b = b.repo(repo),
                                Some(Value::String(t)) => {
                                    let tags: Vec<&str> = t.split(',').collect();
                                    b = b.repo_tags(repo, tags);
                                }
                                Some(Value::Array(ts)) => {
                                    let mut tags = Vec::new();
                                    for (k, t) in ts.iter().enumerate() {
                                        match t {
                                            Value::String(s) => tags.push(s.clone()),
                                            Value::Number(n) => tags.push(n.to_string()),
                                            other => $cx.err(&format!("{ip}/tags/{k}"), "wrong_type", format!("each tag must be a string, not {}", json_type(other))),
                                        }
                                    }
                                    b = b.repo_tags(repo, tags);
                                }
                                Some(other) => $cx.err(&format!("{ip}/tags"), "wrong_type", format!("tags must be a list or a comma-separated string, not {}", json_type(other))),
                            }
                        }
                        other => $cx.err(&ip, "wrong_type", format!("each repos entry must be a repository name or {{repo, tags}}, not {}", json_type(other))),
                    }
                }
            }
            None | Some(Value::Null) => {}
            Some(other) => $cx.err(&rp, "wrong_type", format!("repos must be a list, not {}", json_type(other))),
        }
        if let Some(d) = $cx.uint($m, $sp, "createdWithinDays", u64::from(u16::MAX)) {
            b = b.created_within_days(d as u16);
        }
        if let Some(n) = $cx.uint($m, $sp, "latestTags", u64::from(u32::MAX)) {
            b = b.latest_tags(n as u32);
        }
        if let Some(t) = $cx.string($m, $sp, "registryType") {
            b = b.registry_type(RegistryType::parse_loose(&t).unwrap_or_else(|| RegistryType::from_wire(&t)));
        }
        b
    }};
}

impl Builder {
    fn finish(self, cx: &mut Cx<'_>, m: &Map<String, Value>, sp: &str) -> ScheduleRequest {
        let force = cx.boolean(m, sp, "forceScan");
        match self {
            Builder::OnDemand(b) => {
                let b = common_options!(b, cx, m, sp);
                force
                    .map_or(b.clone(), |f| b.force_scan(f))
                    .build_unchecked()
            }
            Builder::Every(b) => {
                let b = common_options!(b, cx, m, sp);
                force
                    .map_or(b.clone(), |f| b.force_scan(f))
                    .build_unchecked()
            }
            Builder::Weekly(b) => {
                let b = common_options!(b, cx, m, sp);
                force
                    .map_or(b.clone(), |f| b.force_scan(f))
                    .build_unchecked()
            }
            Builder::Daily(b) => {
                if force == Some(true) {
                    cx.err(&format!("{sp}/forceScan"), "force_scan_interval_too_short", "forceScan is only valid for on-demand schedules and automatic schedules every 7 days or more; a daily schedule cannot force a rescan".into());
                }
                common_options!(b, cx, m, sp).build_unchecked()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-01-10T00:00:00Z".parse().expect("ts")
    }

    const GOOD: &str = r#"version: 1
registries:
  - registry: demo
    schedules:
      - name: nightly
        daily: "02:00"
        timezone: Europe/Berlin
        repos: [library/nginx, {repo: app, tags: [latest, "1.2"]}]
        createdWithinDays: 7
      - name: weekly
        weekly: {day: monday, at: "06:00"}
        repos: [app]
        forceScan: true
        latestTags: 5
      - name: once
        onDemand: true
        repos:
          - app
"#;

    #[test]
    fn parses_yaml_with_zones() {
        let s = DesiredState::parse(GOOD, Format::Yaml, "d.yaml", now()).expect("parses");
        let r = &s.registries[0];
        assert_eq!(r.registry, "demo");
        let nightly = &r.schedules[0].request;
        assert_eq!(nightly.schedule.as_deref(), Some("01:00"));
        assert_eq!(
            nightly.filters[0].repo_tags[1].tag.as_deref(),
            Some("latest,1.2")
        );
        assert_eq!(nightly.filters[0].days, Some(7));
        assert_eq!(r.schedules[0].line, Some(5));
        assert_eq!(r.schedules[1].request.week_day, Some(WeekDay::Monday));
        assert!(r.schedules[2].request.on_demand);
        assert!(
            s.warnings
                .iter()
                .any(|w| w.code == "dst_shift" && w.message.starts_with("d.yaml:7:")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn reports_every_problem_with_file_line_and_field() {
        let text = "registries:\n  - registry: demo\n    schedules:\n      - name: a\n        daily: \"25:00\"\n        repos: [\"my repo\"]\n      - name: b\n        every: 3\n        forceScan: true\n        repo: [x]\n";
        let e = DesiredState::parse(text, Format::Yaml, "f.yaml", now()).expect_err("bad");
        let got: Vec<(String, String)> = e
            .violations()
            .iter()
            .map(|v| (v.path.clone(), v.code.clone()))
            .collect();
        assert!(
            got.contains(&(
                "/registries/0/schedules/0/daily".into(),
                "invalid_schedule_time".into()
            )),
            "{got:?}"
        );
        assert!(
            got.contains(&(
                "/registries/0/schedules/0/repos/0".into(),
                "repo_whitespace".into()
            )),
            "{got:?}"
        );
        assert!(
            got.contains(&(
                "/registries/0/schedules/1/repo".into(),
                "unknown_field".into()
            )),
            "{got:?}"
        );
        let msg = e.to_string();
        assert!(
            msg.contains("/registries/0/schedules/0/daily: f.yaml:5: schedule must be"),
            "{msg}"
        );
        assert!(msg.contains("did you mean repos?"), "{msg}");
    }

    #[test]
    fn json_files_parse_and_syntax_errors_name_the_line() {
        let text = r#"{"registries": [{"registry": "demo", "schedules": [{"name": "x", "every": 10, "repos": ["a"]}]}]}"#;
        let s = DesiredState::parse(text, Format::Json, "d.json", now()).expect("parses");
        assert_eq!(
            s.registries[0].schedules[0]
                .request
                .schedule_interval_in_days,
            Some(10)
        );
        let e = DesiredState::parse("{\n\"registries\": [,]}", Format::Json, "d.json", now())
            .expect_err("bad");
        assert!(e.to_string().contains("d.json:2"), "{e}");
    }
}
