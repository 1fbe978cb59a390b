//! Rendering: aligned tables for people, stable JSON and YAML for scripts, compiler-style
//! problems, colour only on a terminal.

use crate::args::OutputFormat;
use comfy_table::{ContentArrangement, Table, presets};
use qualys_cs_core::{Millis, Registry, RegistryDetails, Repository, Schedule, Violation};
use serde::Serialize;
use std::io::{IsTerminal, Write};

/// Writes `value` as JSON or YAML, or the table `table()` builds.
pub fn emit<T: Serialize + ?Sized>(fmt: OutputFormat, value: &T, table: impl FnOnce() -> String) {
    let text = match fmt {
        OutputFormat::Json => serde_json::to_string_pretty(value).unwrap_or_default() + "\n",
        OutputFormat::Yaml => {
            let v = serde_json::to_value(value).unwrap_or_default();
            serde_saphyr::to_string(&v).unwrap_or_default()
        }
        OutputFormat::Table => table(),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// A table with the project's look: no borders, aligned columns, no wrapping.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    t
}

/// Renders a table as text with one trailing newline and no trailing spaces.
pub fn render(t: &Table) -> String {
    let mut s: String = t
        .to_string()
        .lines()
        .map(|l| l.trim_end().trim_start_matches(' '))
        .collect::<Vec<_>>()
        .join("\n");
    s.push('\n');
    s
}

/// True when colour may be used on stdout.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Paints `s` with an ANSI colour when colour is on.
pub fn paint(s: &str, code: &str) -> String {
    if colour() {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_owned()
    }
}

/// Prints problems like a compiler: `error: /path: message (code)`.
pub fn problems(errors: &[Violation], warnings: &[Violation]) {
    let mut err = std::io::stderr().lock();
    for v in errors {
        let _ = writeln!(err, "error: {v}");
    }
    for v in warnings {
        let _ = writeln!(err, "warning: {v}");
    }
}

/// An instant as RFC 3339 UTC (seconds).
pub fn time(m: Option<Millis>) -> String {
    m.and_then(Millis::to_timestamp)
        .map(|t| {
            t.round(qualys_cs_core::jiff::Unit::Second)
                .map(|t| t.to_string())
                .unwrap_or_default()
        })
        .unwrap_or_else(|| "-".into())
}

/// "weekly THURSDAY 09:30", "daily 19:30", "every 10d", "on demand".
pub fn kind(s: &Schedule) -> String {
    if s.is_on_demand() {
        return "on demand".into();
    }
    match s.schedule_interval_in_days {
        Some(1) => format!("daily {} UTC", s.schedule.as_deref().unwrap_or("?")),
        Some(7) => format!(
            "weekly {} {} UTC",
            s.week_day.as_ref().map_or("?", |d| d.as_str()),
            s.schedule.as_deref().unwrap_or("00:00")
        ),
        Some(n) => format!("every {n}d"),
        // Qualys's 2021 shape reports no interval: say what is known.
        None => match s.schedule.as_deref() {
            Some(t) => format!("automatic {t} UTC (interval not reported)"),
            None => "automatic (interval not reported)".into(),
        },
    }
}

/// "nginx:latest,1.25 app".
pub fn repos(s: &Schedule) -> String {
    s.filters
        .iter()
        .flat_map(|f| f.repo_tags.iter())
        .map(|t| match &t.tag {
            Some(tag) => format!("{}:{tag}", t.repo),
            None => t.repo.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The schedules table.
pub fn schedules_table(items: &[Schedule]) -> String {
    let mut t = table(&["ID", "NAME", "WHEN", "STATUS", "REPOS", "CREATED"]);
    for s in items {
        t.add_row(vec![
            s.schedule_uuid.clone(),
            s.name.clone(),
            kind(s),
            s.status().to_string(),
            repos(s),
            time(s.created),
        ]);
    }
    render(&t)
}

/// One schedule, as key/value rows.
pub fn schedule_detail(s: &Schedule) -> String {
    let mut t = table(&["FIELD", "VALUE"]);
    // Qualys's 2021 shape leaves these out: "-" would claim "none".
    let absent: String = if qualys_cs_core::plan::reports_request_fields(s) || s.is_on_demand() {
        "-".into()
    } else {
        "not reported".into()
    };
    let rows: Vec<(&str, String)> = vec![
        ("id", s.schedule_uuid.clone()),
        ("name", s.name.clone()),
        ("when", kind(s)),
        ("status", s.status().to_string()),
        ("repos", repos(s)),
        (
            "created within",
            s.filters
                .first()
                .and_then(|f| f.days)
                .map_or("-".into(), |d| format!("{d} days")),
        ),
        (
            "latest tags",
            s.additional_filters
                .as_ref()
                .and_then(|a| a.number_of_tags)
                .map_or(absent.clone(), |n| n.to_string()),
        ),
        (
            "force scan",
            s.force_scan.map_or(absent.clone(), |b| b.to_string()),
        ),
        ("created", time(s.created)),
        ("updated", time(s.updated)),
        ("job started", time(s.job_start_date)),
        ("job completed", time(s.job_completion_date)),
        ("explain", qualys_cs_core::explain::explain_schedule(s)),
    ];
    for (k, v) in rows {
        t.add_row(vec![k.to_owned(), v]);
    }
    for e in &s.errors {
        t.add_row(vec![
            "error".to_owned(),
            e.error_message.clone().unwrap_or_default(),
        ]);
    }
    render(&t)
}

/// The registries table.
pub fn registries_table(items: &[Registry]) -> String {
    let mut t = table(&["ID", "NAME", "URI", "TYPE", "REPOS"]);
    for r in items {
        t.add_row(vec![
            r.registry_uuid.clone(),
            r.registry_name.clone().unwrap_or_else(|| "-".into()),
            r.registry_uri.clone().unwrap_or_else(|| "-".into()),
            r.registry_type
                .as_ref()
                .map_or("-".into(), |t| t.to_string()),
            r.repo_count.map_or("-".into(), |n| n.to_string()),
        ]);
    }
    render(&t)
}

/// One registry.
pub fn registry_detail(d: &RegistryDetails) -> String {
    let r = &d.registry;
    let mut t = table(&["FIELD", "VALUE"]);
    for (k, v) in [
        ("id", r.registry_uuid.clone()),
        (
            "name",
            r.registry_name.clone().unwrap_or_else(|| "-".into()),
        ),
        ("uri", r.registry_uri.clone().unwrap_or_else(|| "-".into())),
        (
            "type",
            r.registry_type
                .as_ref()
                .map_or("-".into(), |t| t.to_string()),
        ),
        (
            "repositories",
            r.repo_count.map_or("-".into(), |n| n.to_string()),
        ),
        (
            "credential type",
            d.credential_type.clone().unwrap_or_else(|| "-".into()),
        ),
        ("created", time(r.created)),
    ] {
        t.add_row(vec![k.to_owned(), v]);
    }
    render(&t)
}

/// The repositories table.
pub fn repositories_table(items: &[Repository]) -> String {
    let mut t = table(&["REPOSITORY", "IMAGES", "SCANNED", "VULNERABLE"]);
    let n = |x: Option<i64>| x.map_or("-".into(), |v| v.to_string());
    for r in items {
        t.add_row(vec![
            r.repo_name.clone(),
            n(r.total_images),
            n(r.total_scanned_images),
            n(r.total_vulnerable_images),
        ]);
    }
    render(&t)
}
