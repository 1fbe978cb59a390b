//! Validation of every rule of spec §4 (create) and §3 (update).
//!
//! All problems are reported at once. Errors stop a request before it is sent; warnings are
//! returned and logged, never blocking. Codes are stable; see [`RULES`].

use crate::decode::{self, pointer_token};
use crate::enums::{RegistryType, WeekDay};
use crate::error::{Error, Violation, truncate_for_message};
use crate::model::{Extra, Schedule, ScheduleRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Whether a rule blocks a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks the request.
    Error,
    /// Reported, never blocks.
    Warning,
}

/// Every validation code with its severity and a one-line description (documentation and
/// cross-language tests use this table).
pub const RULES: &[(&str, Severity, &str)] = &[
    (
        "wrong_type",
        Severity::Error,
        "a field has the wrong JSON type",
    ),
    ("invalid_json", Severity::Error, "the body is not JSON"),
    (
        "conflicting_fields",
        Severity::Error,
        "a field and its alias disagree",
    ),
    ("name_required", Severity::Error, "name is missing or blank"),
    (
        "name_control_characters",
        Severity::Error,
        "name holds control characters",
    ),
    (
        "interval_required",
        Severity::Error,
        "automatic schedule without scheduleIntervalInDays",
    ),
    (
        "interval_out_of_range",
        Severity::Error,
        "scheduleIntervalInDays outside 1..=365",
    ),
    (
        "interval_not_allowed",
        Severity::Error,
        "scheduleIntervalInDays on an on-demand schedule",
    ),
    (
        "week_day_required",
        Severity::Error,
        "interval 7 without weekDay",
    ),
    (
        "week_day_not_allowed",
        Severity::Error,
        "weekDay with an interval other than 7, or on demand",
    ),
    (
        "invalid_week_day",
        Severity::Error,
        "weekDay is not MONDAY..SUNDAY",
    ),
    (
        "schedule_required",
        Severity::Error,
        "interval 1 without a schedule time",
    ),
    (
        "invalid_schedule_time",
        Severity::Error,
        "schedule is not HH:MM between 00:00 and 23:59",
    ),
    (
        "schedule_not_daily",
        Severity::Warning,
        "schedule given with an interval other than 1 (daily) or 7 (weekly run time), or on demand",
    ),
    (
        "force_scan_interval_too_short",
        Severity::Error,
        "forceScan true on an automatic schedule with interval < 7",
    ),
    (
        "unknown_registry_type",
        Severity::Warning,
        "registryType is not a known value",
    ),
    ("filters_required", Severity::Error, "no filter"),
    (
        "repo_tags_required",
        Severity::Error,
        "a filter without repoTags",
    ),
    ("repo_required", Severity::Error, "repo missing or blank"),
    (
        "repo_whitespace",
        Severity::Error,
        "repo contains whitespace",
    ),
    (
        "tag_empty",
        Severity::Error,
        "tag holds an empty comma-separated entry",
    ),
    ("days_out_of_range", Severity::Error, "days <= 0"),
    (
        "days_undocumented",
        Severity::Warning,
        "days is not 1-7 or 14",
    ),
    (
        "number_of_tags_required",
        Severity::Error,
        "additionalFilters without numberOfTags",
    ),
    (
        "number_of_tags_out_of_range",
        Severity::Error,
        "numberOfTags < 1",
    ),
    (
        "unknown_sort_criteria",
        Severity::Warning,
        "sortCriteria is not createdDate",
    ),
    (
        "unknown_field",
        Severity::Warning,
        "a field this SDK does not know (sent as given)",
    ),
    (
        "update_not_automatic",
        Severity::Error,
        "update of an on-demand schedule",
    ),
    (
        "schedule_running",
        Severity::Error,
        "update while the schedule's job is running",
    ),
    (
        "immutable_on_demand",
        Severity::Error,
        "update changes onDemand",
    ),
    ("immutable_repo", Severity::Error, "update changes a repo"),
    ("immutable_tag", Severity::Error, "update changes a tag"),
    ("immutable_days", Severity::Error, "update changes days"),
];

/// The result of validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Report {
    /// Problems that stop the request.
    pub errors: Vec<Violation>,
    /// Problems reported but not blocking.
    pub warnings: Vec<Violation>,
}

impl Report {
    /// No errors (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(warnings)` when valid, else the `validation` error with every error.
    pub fn into_result(self) -> Result<Vec<Violation>, Error> {
        if self.errors.is_empty() {
            Ok(self.warnings)
        } else {
            Err(Error::validation(self.errors))
        }
    }

    fn error(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.errors.push(Violation::new(path, code, message));
    }

    fn warn(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.warnings.push(Violation::new(path, code, message));
    }
}

const DOCUMENTED_DAYS: &[i64] = &[1, 2, 3, 4, 5, 6, 7, 14];

/// Parses `HH:MM` (two digits each, 00:00–23:59) into (hour, minute).
pub fn parse_hh_mm(s: &str) -> Option<(u8, u8)> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    let h = (b[0] - b'0') * 10 + (b[1] - b'0');
    let m = (b[3] - b'0') * 10 + (b[4] - b'0');
    (h < 24 && m < 60).then_some((h, m))
}

fn quoted(s: &str) -> String {
    format!("{:?}", truncate_for_message(s, 60))
}

/// Validates a request against every rule of spec §4.
pub fn validate(req: &ScheduleRequest) -> Report {
    let mut r = Report::default();

    // name
    if req.name.trim().is_empty() {
        r.error(
            "/name",
            "name_required",
            "name is required and must not be blank; give the schedule a name such as \"nightly-scan\"",
        );
    } else if let Some((i, c)) = req.name.chars().enumerate().find(|(_, c)| c.is_control()) {
        r.error(
            "/name",
            "name_control_characters",
            format!(
                "name must not contain control characters (found U+{:04X} at character {i}); remove it",
                c as u32
            ),
        );
    }

    let interval = req.schedule_interval_in_days;
    let interval_ok = interval.filter(|n| (1..=365).contains(n));

    if req.is_automatic() {
        match interval {
            None => r.error(
                "/scheduleIntervalInDays",
                "interval_required",
                "scheduleIntervalInDays is required when onDemand is false; set it between 1 and 365 (1 = daily, 7 = weekly), or set onDemand to true for a one-off scan",
            ),
            Some(n) if interval_ok.is_none() => r.error(
                "/scheduleIntervalInDays",
                "interval_out_of_range",
                format!("scheduleIntervalInDays must be between 1 and 365; got {n}"),
            ),
            Some(_) => {}
        }
        match (interval_ok, &req.week_day) {
            (Some(7), None) => r.error(
                "/weekDay",
                "week_day_required",
                format!(
                    "weekDay is required when scheduleIntervalInDays is 7; set it to one of {}",
                    WeekDay::known_list()
                ),
            ),
            (Some(n), Some(_)) if n != 7 => r.error(
                "/weekDay",
                "week_day_not_allowed",
                format!(
                    "weekDay is only valid when scheduleIntervalInDays is 7 (got {n}); remove it or set the interval to 7"
                ),
            ),
            _ => {}
        }
        match (interval_ok, &req.schedule) {
            (Some(1), None) => r.error(
                "/schedule",
                "schedule_required",
                "schedule (the daily start time, HH:MM in UTC, e.g. \"19:30\") is required when scheduleIntervalInDays is 1",
            ),
            // With interval 7, schedule is the weekly run time: both of Qualys's own samples
            // send it, so it is no warning (spec §4).
            (Some(n), Some(_)) if n != 1 && n != 7 => r.warn(
                "/schedule",
                "schedule_not_daily",
                format!(
                    "schedule is documented as valid only when scheduleIntervalInDays is 1 (or 7, as the weekly run time); got {n}, so it may be ignored"
                ),
            ),
            _ => {}
        }
        if req.force_scan == Some(true)
            && let Some(n) = interval_ok.filter(|n| *n < 7)
        {
            r.error(
                    "/forceScan",
                    "force_scan_interval_too_short",
                    format!(
                        "forceScan is only valid for on-demand schedules and automatic schedules with scheduleIntervalInDays of 7 or more (got {n}); set forceScan to false or raise the interval"
                    ),
                );
        }
    } else {
        if interval.is_some() {
            r.error(
                "/scheduleIntervalInDays",
                "interval_not_allowed",
                "scheduleIntervalInDays is only for automatic schedules; remove it, or set onDemand to false for a recurring scan",
            );
        }
        if req.week_day.is_some() {
            r.error(
                "/weekDay",
                "week_day_not_allowed",
                "weekDay is only valid for automatic weekly schedules (onDemand false, scheduleIntervalInDays 7); remove it or set onDemand to false",
            );
        }
        if req.schedule.is_some() {
            r.warn(
                "/schedule",
                "schedule_not_daily",
                "schedule is ignored for on-demand schedules, which run at once; remove it",
            );
        }
    }

    if let Some(WeekDay::Other(s)) = &req.week_day {
        let known: Vec<&str> = WeekDay::KNOWN.iter().map(WeekDay::as_str).collect();
        let hint = WeekDay::parse_loose(s)
            .map(|k| k.as_str().to_owned())
            .or_else(|| suggest(s, &known).map(str::to_owned))
            .map(|k| format!(" (did you mean {k}?)"))
            .unwrap_or_default();
        r.error(
            "/weekDay",
            "invalid_week_day",
            format!(
                "weekDay must be one of {}; got {}{hint}",
                WeekDay::known_list(),
                quoted(s)
            ),
        );
    }
    if let Some(s) = &req.schedule
        && parse_hh_mm(s).is_none()
    {
        r.error(
            "/schedule",
            "invalid_schedule_time",
            format!(
                "schedule must be a UTC time HH:MM between 00:00 and 23:59, e.g. \"06:55\"; got {}",
                quoted(s)
            ),
        );
    }
    if let Some(RegistryType::Other(s)) = &req.registry_type {
        r.warn(
            "/registryType",
            "unknown_registry_type",
            format!(
                "registryType {} is not one this SDK knows ({}); it is sent as given",
                quoted(s),
                RegistryType::known_list()
            ),
        );
    }

    // filters
    if req.filters.is_empty() {
        r.error(
            "/filters",
            "filters_required",
            "filters must hold at least one filter with at least one repoTags entry, e.g. [{\"days\": null, \"repoTags\": [{\"repo\": \"nginx\", \"tag\": null}]}]",
        );
    }
    for (i, f) in req.filters.iter().enumerate() {
        let fp = format!("/filters/{i}");
        if f.repo_tags.is_empty() {
            r.error(
                format!("{fp}/repoTags"),
                "repo_tags_required",
                "each filter needs at least one repoTags entry naming a repo, e.g. {\"repo\": \"nginx\", \"tag\": null}",
            );
        }
        if let Some(d) = f.days {
            if d <= 0 {
                r.error(
                    format!("{fp}/days"),
                    "days_out_of_range",
                    format!(
                        "days must be a positive number of days (documented: 1-7 or 14), or null for no age filter; got {d}"
                    ),
                );
            } else if !DOCUMENTED_DAYS.contains(&d) {
                r.warn(
                    format!("{fp}/days"),
                    "days_undocumented",
                    format!("days {d} is not a documented value (1-7 or 14); Qualys may treat it differently"),
                );
            }
        }
        for (j, t) in f.repo_tags.iter().enumerate() {
            let tp = format!("{fp}/repoTags/{j}");
            if t.repo.trim().is_empty() {
                r.error(
                    format!("{tp}/repo"),
                    "repo_required",
                    "repo is required: name the repository to scan, e.g. \"library/nginx\"",
                );
            } else if t.repo.chars().any(char::is_whitespace) {
                r.error(
                    format!("{tp}/repo"),
                    "repo_whitespace",
                    format!("repo must not contain whitespace; got {}", quoted(&t.repo)),
                );
            }
            if let Some(tag) = &t.tag
                && tag.split(',').any(|x| x.trim().is_empty())
            {
                r.error(
                        format!("{tp}/tag"),
                        "tag_empty",
                        format!(
                            "tag must be comma-separated tags with no empty entry, or null for all tags; got {}",
                            quoted(tag)
                        ),
                    );
            }
            unknown_fields(&mut r, &tp, &t.extra, decode::REPO_TAG_FIELDS);
        }
        unknown_fields(&mut r, &fp, &f.extra, decode::FILTER_FIELDS);
    }

    if let Some(a) = &req.additional_filters {
        match a.number_of_tags {
            None => r.error(
                "/additionalFilters/numberOfTags",
                "number_of_tags_required",
                "additionalFilters needs numberOfTags (how many of the latest tags to scan, at least 1); set it or set additionalFilters to null",
            ),
            Some(n) if n < 1 => r.error(
                "/additionalFilters/numberOfTags",
                "number_of_tags_out_of_range",
                format!("numberOfTags must be at least 1; got {n}"),
            ),
            Some(_) => {}
        }
        if let Some(s) = &a.sort_criteria
            && s != "createdDate"
        {
            r.warn(
                    "/additionalFilters/sortCriteria",
                    "unknown_sort_criteria",
                    format!(
                        "sortCriteria {} is not the documented value \"createdDate\"; it is sent as given",
                        quoted(s)
                    ),
                );
        }
        unknown_fields(
            &mut r,
            "/additionalFilters",
            &a.extra,
            decode::ADDITIONAL_FIELDS,
        );
    }

    let top: Vec<&str> = decode::REQUEST_FIELDS
        .iter()
        .flat_map(|s| s.iter().copied())
        .collect();
    unknown_fields(&mut r, "", &req.extra, &top);
    r
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The known name closest to `unknown` (same letters ignoring case and separators, or at most
/// two edits away), for "did you mean" hints.
pub fn suggest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let u = squash(unknown);
    known
        .iter()
        .map(|k| (edit_distance(&squash(k), &u), *k))
        .filter(|(d, _)| *d <= 2.min(u.len() / 3 + 1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn unknown_fields(r: &mut Report, base: &str, extra: &Extra, known: &[&str]) {
    for k in extra.keys() {
        let hint = suggest(k, known)
            .map(|n| format!("; did you mean {n}?"))
            .unwrap_or_default();
        r.warn(
            format!("{base}/{}", pointer_token(k)),
            "unknown_field",
            format!("{k} is not a field this SDK knows; it is sent as given{hint}"),
        );
    }
}

/// Rules that depend on whether the schedule is on demand or automatic.
const MODE_CODES: &[&str] = &[
    "interval_required",
    "interval_not_allowed",
    "week_day_required",
    "week_day_not_allowed",
    "schedule_required",
    "schedule_not_daily",
    "force_scan_interval_too_short",
];

/// Validates a request given as arbitrary JSON: wrong JSON types are violations (`wrong_type`),
/// then every rule runs on what could be read. Rule errors under a field that had the wrong
/// type are not repeated.
pub fn validate_value(value: &Value) -> Report {
    let (req, type_errors) = decode::decode_request(value);
    if matches!(type_errors.first(), Some(v) if v.path.is_empty()) {
        return Report {
            errors: type_errors,
            warnings: Vec::new(),
        };
    }
    let mut report = validate(&req);
    let covered = |p: &str| {
        type_errors
            .iter()
            .any(|t| p == t.path || p.starts_with(&format!("{}/", t.path)))
    };
    report.errors.retain(|v| !covered(&v.path));
    report.warnings.retain(|v| !covered(&v.path));
    // A mistyped onDemand leaves the kind of schedule unknown: the rules that depend on it
    // would only guess, so they wait until onDemand is fixed.
    if type_errors.iter().any(|t| t.path == "/onDemand") {
        report
            .errors
            .retain(|v| !MODE_CODES.contains(&v.code.as_str()));
        report
            .warnings
            .retain(|v| !MODE_CODES.contains(&v.code.as_str()));
    }
    let mut errors = type_errors;
    errors.extend(report.errors);
    Report {
        errors,
        warnings: report.warnings,
    }
}

/// Validates an update of `current` to `next` (spec §3): only automatic schedules, not while
/// running, `onDemand`/`repo`/`tag`/`days` unchanged; plus every create rule on `next`.
pub fn validate_update(current: &Schedule, next: &ScheduleRequest) -> Report {
    let mut r = Report::default();
    if current.is_on_demand() {
        r.error(
            "",
            "update_not_automatic",
            "only automatic schedules can be updated; this one is on demand: delete it and create a new one instead",
        );
    }
    let status = current.status();
    if status.is_running() {
        r.error(
            "",
            "schedule_running",
            format!(
                "the schedule's job is {status}; wait for it to finish or cancel it, then update"
            ),
        );
    }
    if next.on_demand != current.is_on_demand() {
        r.error(
            "/onDemand",
            "immutable_on_demand",
            format!(
                "onDemand cannot change on update (it is {}); delete the schedule and create a new one",
                current.is_on_demand()
            ),
        );
    }
    // Compare filters only when the current schedule's answer carried them.
    if !current.filters.is_empty() {
        if current.filters.len() != next.filters.len() {
            r.error(
                "/filters",
                "immutable_repo",
                "repositories cannot change on update (the number of filters differs); delete the schedule and create a new one",
            );
        } else {
            for (i, (c, n)) in current.filters.iter().zip(&next.filters).enumerate() {
                let fp = format!("/filters/{i}");
                if c.days != n.days {
                    r.error(
                        format!("{fp}/days"),
                        "immutable_days",
                        format!(
                            "days cannot change on update (it is {}); delete the schedule and create a new one",
                            c.days.map_or("null".to_owned(), |d| d.to_string())
                        ),
                    );
                }
                if c.repo_tags.len() != n.repo_tags.len() {
                    r.error(
                        format!("{fp}/repoTags"),
                        "immutable_repo",
                        "repositories cannot change on update (the number of repoTags differs); delete the schedule and create a new one",
                    );
                    continue;
                }
                for (j, (ct, nt)) in c.repo_tags.iter().zip(&n.repo_tags).enumerate() {
                    let tp = format!("{fp}/repoTags/{j}");
                    if ct.repo != nt.repo {
                        r.error(
                            format!("{tp}/repo"),
                            "immutable_repo",
                            format!(
                                "repo cannot change on update (it is {}); delete the schedule and create a new one",
                                quoted(&ct.repo)
                            ),
                        );
                    }
                    if ct.tags() != nt.tags() {
                        r.error(
                            format!("{tp}/tag"),
                            "immutable_tag",
                            format!(
                                "tag cannot change on update (it is {}); delete the schedule and create a new one",
                                ct.tag.as_deref().map_or("null".to_owned(), quoted)
                            ),
                        );
                    }
                }
            }
        }
    }
    let rest = validate(next);
    r.errors.extend(rest.errors);
    r.warnings.extend(rest.warnings);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_misspelt_weekday_gets_a_did_you_mean() {
        for (given, want) in [
            ("thursdy", "THURSDAY"),
            ("thursday", "THURSDAY"),
            ("Mondy", "MONDAY"),
        ] {
            let r = validate_value(&json!({
                "name": "w", "onDemand": false, "scheduleIntervalInDays": 7,
                "weekDay": given, "filters": [{"repoTags": [{"repo": "a"}]}]
            }));
            let e = r
                .errors
                .iter()
                .find(|v| v.path == "/weekDay")
                .expect("weekDay error");
            assert_eq!(e.code, "invalid_week_day");
            assert!(
                e.message.contains(&format!("did you mean {want}?")),
                "{}",
                e.message
            );
        }
        let r = validate_value(&json!({
            "name": "w", "onDemand": false, "scheduleIntervalInDays": 7,
            "weekDay": "someday", "filters": [{"repoTags": [{"repo": "a"}]}]
        }));
        assert!(
            !r.errors[0].message.contains("did you mean"),
            "{}",
            r.errors[0].message
        );
    }
}
