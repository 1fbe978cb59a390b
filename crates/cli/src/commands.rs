//! The commands.

use crate::CliError;
use crate::args::{
    ApplyArgs, AuthCmd, BulkArgs, Cli, Command, CreateArgs, EmulatorCmd, Global, ListArgs,
    OutputFormat, PlanArgs, PreviewArgs, RegistryCmd, ScheduleCmd, SpecArgs, UpdateArgs,
    ValidateArgs, WaitArgs, parse_days,
};
use crate::connect::{self, Conn};
use crate::output::{self, emit, paint};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use qualys_cs_client::apply::{ApplyOptions, ApplyProgress, EnvFileSecretResolver, Outcome};
use qualys_cs_client::wait::{WaitFor, WaitOptions};
use qualys_cs_client::{BulkSelector, ListOptions};
use qualys_cs_core::desired::DesiredState;
use qualys_cs_core::explain::explain_schedule;
use qualys_cs_core::jiff::Timestamp;
use qualys_cs_core::plan::{Action, Plan, PlanOptions, reports_request_fields};
use qualys_cs_core::registry_state::RegistryPlanOptions;
use qualys_cs_core::{
    AdditionalFilters, Error, Schedule, ScheduleId, ScheduleRequest, ScheduleStatus, Violation,
    WeekDay, validate_value,
};
use serde_json::json;
use std::io::{IsTerminal, Read, Write};
use std::sync::Arc;

type R = Result<(), CliError>;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> R {
    let g = &cli.global;
    match cli.command {
        Command::Schedule(c) => schedule(g, c).await,
        Command::Registry(c) => registry(g, c).await,
        Command::Plan(a) => plan(g, a).await,
        Command::Apply(a) => apply(g, a).await,
        Command::Validate(a) => validate_file(g, a),
        Command::Emulator(c) => emulator(g, c).await,
        Command::Auth(AuthCmd::Check) => auth_check(g).await,
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "qualys-cs", &mut std::io::stdout());
            Ok(())
        }
    }
}

fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

fn bad(path: &str, code: &str, msg: impl Into<String>) -> CliError {
    CliError::Sdk(Error::validation(vec![Violation::new(path, code, msg)]))
}

/// Builds the request the spec flags describe; warnings (validation, DST) are printed.
///
/// The flags become the same schedule spec a desired-state file holds, parsed by core's
/// [`qualys_cs_core::desired::schedule_from_spec`]: one set of rules for flags and files.
/// Problems name the flag that caused them.
pub fn request_from_spec(
    name: &str,
    s: &SpecArgs,
    now: Timestamp,
) -> Result<ScheduleRequest, CliError> {
    let kinds = [
        s.on_demand,
        s.every.is_some(),
        s.weekly.is_some(),
        s.daily.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        return Err(usage(
            "say when the schedule runs with one of --on-demand, --every 10d, --weekly MONDAY [--at HH:MM], --daily HH:MM",
        ));
    }
    let mut spec = serde_json::Map::new();
    spec.insert("name".into(), json!(name));
    if s.on_demand {
        spec.insert("onDemand".into(), json!(true));
    } else if let Some(e) = &s.every {
        spec.insert(
            "every".into(),
            json!(parse_days(e, "--every").map_err(usage)?),
        );
    } else if let Some(day) = &s.weekly {
        let mut w = serde_json::Map::new();
        w.insert("day".into(), json!(day));
        if let Some(at) = &s.at {
            w.insert("at".into(), json!(at));
        }
        spec.insert("weekly".into(), serde_json::Value::Object(w));
    } else if let Some(at) = &s.daily {
        spec.insert("daily".into(), json!(at));
    }
    if let Some(z) = &s.tz {
        spec.insert("timezone".into(), json!(z));
    }
    let repos: Vec<serde_json::Value> = s
        .repos
        .iter()
        .map(|r| match r.split_once(':') {
            Some((repo, tags)) => json!({"repo": repo, "tags": tags}),
            None if !s.tags.is_empty() => json!({"repo": r, "tags": s.tags}),
            None => json!(r),
        })
        .collect();
    spec.insert("repos".into(), json!(repos));
    if let Some(d) = &s.created_within {
        spec.insert(
            "createdWithinDays".into(),
            json!(parse_days(d, "--created-within").map_err(usage)?),
        );
    }
    if let Some(n) = s.latest {
        spec.insert("latestTags".into(), json!(n));
    }
    if s.force_scan {
        spec.insert("forceScan".into(), json!(true));
    }
    if let Some(t) = &s.registry_type {
        spec.insert("registryType".into(), json!(t));
    }
    let (schedule, warnings) =
        qualys_cs_core::desired::schedule_from_spec(&serde_json::Value::Object(spec), now)
            .map_err(|e| match e {
                Error::Validation { violations } => CliError::Sdk(Error::validation(
                    violations.into_iter().map(flag_violation).collect(),
                )),
                other => CliError::Sdk(other),
            })?;
    let warnings: Vec<Violation> = warnings.into_iter().map(flag_violation).collect();
    output::problems(&[], &warnings);
    Ok(schedule.request)
}

/// A violation of the schedule spec, its path named by the flag that set the field.
fn flag_violation(v: Violation) -> Violation {
    let path = v.path.as_str();
    let flag = match path {
        "/name" => "--name".to_owned(),
        "/onDemand" => "--on-demand".to_owned(),
        "/every" => "--every".to_owned(),
        "/daily" => "--daily".to_owned(),
        "/weekly" | "/weekly/day" => "--weekly".to_owned(),
        "/weekly/at" => "--at".to_owned(),
        "/timezone" => "--tz".to_owned(),
        "/createdWithinDays" => "--created-within".to_owned(),
        "/latestTags" => "--latest".to_owned(),
        "/forceScan" => "--force-scan".to_owned(),
        "/registryType" => "--registry-type".to_owned(),
        "/repos" => "--repo".to_owned(),
        p => match p.strip_prefix("/repos/") {
            Some(rest) => {
                let n = rest
                    .split('/')
                    .next()
                    .and_then(|i| i.parse::<usize>().ok())
                    .map_or(0, |i| i + 1);
                format!("--repo #{n}")
            }
            None => p.to_owned(),
        },
    };
    Violation::new(flag, v.code, v.message)
}

/// The day a `--weekly` flag names (any case).
fn weekly_day(text: &str) -> Result<WeekDay, CliError> {
    WeekDay::parse_loose(text).ok_or_else(|| {
        bad(
            "--weekly",
            "invalid_week_day",
            format!(
                "--weekly takes one of {}; got {text:?}",
                WeekDay::known_list()
            ),
        )
    })
}

fn print_dry_run(g: &Global, method: &str, path: &str, body: &serde_json::Value) {
    let v = json!({"dryRun": true, "method": method, "path": path, "body": body});
    emit(g.output, &v, || {
        format!(
            "dry run: would send {method} {path}\n{}\n",
            serde_json::to_string_pretty(body).unwrap_or_default()
        )
    });
}

async fn schedule(g: &Global, c: ScheduleCmd) -> R {
    match c {
        ScheduleCmd::Create(a) => create(g, a).await,
        ScheduleCmd::List(a) => list(g, a).await,
        ScheduleCmd::Get(a) => {
            let conn = connect::connect(g).await?;
            let reg = connect::registry(&conn.client, &a.registry).await?;
            let id = ScheduleId::parse(&a.id)?;
            let s = conn.client.get_schedule(&reg, &id).await?;
            emit(g.output, &s, || output::schedule_detail(&s));
            Ok(())
        }
        ScheduleCmd::Update(a) => update(g, a).await,
        ScheduleCmd::Delete(a) => bulk(g, a, true).await,
        ScheduleCmd::Cancel(a) => bulk(g, a, false).await,
        ScheduleCmd::Wait(a) => wait(g, a).await,
        ScheduleCmd::NextRuns(a) => preview(g, a, false).await,
        ScheduleCmd::Explain(a) => preview(g, a, true).await,
    }
}

async fn create(g: &Global, a: CreateArgs) -> R {
    let req = request_from_spec(&a.name, &a.spec, Timestamp::now())?;
    if a.dry_run {
        let reg = a
            .registry
            .registry
            .clone()
            .unwrap_or_else(|| "{registryId}".into());
        print_dry_run(
            g,
            "POST",
            &format!("/csapi/v1.3/registry/{reg}/schedule"),
            &req.to_value(),
        );
        return Ok(());
    }
    let conn = connect::connect(g).await?;
    let reg = connect::registry(&conn.client, &a.registry).await?;
    let created = conn.client.create_schedule(&reg, &req).await?;
    let v = json!({
        "scheduleUuid": created.schedule_uuid,
        "registryId": reg,
        "name": req.name,
        "recovered": created.recovered,
        "warnings": created.warnings,
    });
    emit(g.output, &v, || {
        format!(
            "created schedule {} ({}) in registry {reg}\n{}\n",
            created.schedule_uuid,
            req.name,
            qualys_cs_core::explain(&req)
        )
    });
    Ok(())
}

async fn list(g: &Global, a: ListArgs) -> R {
    let conn = connect::connect(g).await?;
    let reg = connect::registry(&conn.client, &a.registry).await?;
    let mut opts = ListOptions::new().page_size(a.page_size);
    opts.filter = a.filter.clone();
    opts.sort = a.sort.clone();
    let items = match a.page {
        Some(p) => {
            conn.client
                .list_schedules(&reg, &opts.page_number(p))
                .await?
                .data
        }
        None => {
            conn.client
                .list_schedules_all(&reg, opts)
                .collect_all()
                .await?
        }
    };
    emit(g.output, &items, || output::schedules_table(&items));
    Ok(())
}

async fn update(g: &Global, a: UpdateArgs) -> R {
    let conn = connect::connect(g).await?;
    let reg = connect::registry(&conn.client, &a.registry).await?;
    let id = ScheduleId::parse(&a.id)?;
    let current = conn.client.get_schedule(&reg, &id).await?;
    unreported_for_update(&current, &a)?;
    let mut req = current.to_request();
    let now = Timestamp::now();
    if let Some(e) = &a.every {
        req.schedule_interval_in_days = Some(i64::from(parse_days(e, "--every").map_err(usage)?));
        req.week_day = None;
        req.schedule = None;
    }
    if let Some(d) = &a.weekly {
        let day = weekly_day(d)?;
        let at =
            a.at.clone()
                .or(req.schedule.clone())
                .unwrap_or_else(|| "00:00".into());
        let (day, at) = match &a.tz {
            Some(z) => {
                let c = qualys_cs_core::local_to_utc(&at, Some(&day), z, now)?;
                output::problems(&[], &c.warnings);
                (c.utc_week_day.unwrap_or(day), c.utc_time)
            }
            None => (day, at),
        };
        req.schedule_interval_in_days = Some(7);
        req.week_day = Some(day);
        req.schedule = Some(at);
    } else if let Some(at) = &a.at {
        req.schedule = Some(at.clone());
    }
    if let Some(t) = &a.daily {
        let t = match &a.tz {
            Some(z) => {
                let c = qualys_cs_core::local_to_utc(t, None, z, now)?;
                output::problems(&[], &c.warnings);
                c.utc_time
            }
            None => t.clone(),
        };
        req.schedule_interval_in_days = Some(1);
        req.week_day = None;
        req.schedule = Some(t);
    }
    if let Some(f) = a.force_scan {
        req.force_scan = Some(f);
    }
    match a.latest {
        Some(0) => req.additional_filters = None,
        Some(n) => req.additional_filters = Some(AdditionalFilters::latest(n)),
        None => {}
    }
    let report = qualys_cs_core::validate_update(&current, &req);
    if !report.is_valid() {
        return Err(CliError::Sdk(Error::validation(report.errors)));
    }
    if a.dry_run {
        print_dry_run(
            g,
            "PUT",
            &format!("/csapi/v1.3/registry/{reg}/schedule/{id}"),
            &req.to_value(),
        );
        return Ok(());
    }
    let warnings = conn.client.update_schedule(&reg, &id, &req).await?;
    output::problems(&[], &warnings);
    let v = json!({"scheduleUuid": id, "updated": true, "request": req.to_value()});
    emit(g.output, &v, || {
        format!("updated schedule {id}\n{}\n", qualys_cs_core::explain(&req))
    });
    Ok(())
}

/// An update replaces the whole schedule. Where the server's answer leaves fields out
/// (Qualys's 2021 shape: no interval, weekday, force scan or latest-N-tags), sending the
/// schedule back as listed would reset them: the flags must say what they should be.
fn unreported_for_update(current: &Schedule, a: &UpdateArgs) -> Result<(), CliError> {
    if current.is_on_demand() || reports_request_fields(current) {
        return Ok(());
    }
    let mut fields: Vec<&str> = Vec::new();
    let mut flags: Vec<&str> = Vec::new();
    if a.every.is_none() && a.weekly.is_none() && a.daily.is_none() {
        fields.extend(current.unreported_timing());
        flags.push("--every DAYS, --weekly DAY [--at HH:MM] or --daily HH:MM");
    }
    if a.force_scan.is_none() {
        fields.push("forceScan");
        flags.push("--force-scan true|false");
    }
    if a.latest.is_none() {
        fields.push("additionalFilters");
        flags.push("--latest N (0 for no limit)");
    }
    if fields.is_empty() {
        return Ok(());
    }
    Err(CliError::Sdk(Error::NotReported {
        message: format!(
            "the server does not report {} for schedule {}, and an update replaces the whole schedule: say what {} should be with {}, so that nothing is reset by accident; nothing was sent",
            fields.join(", "),
            current.schedule_uuid,
            if fields.len() == 1 { "it" } else { "they" },
            flags.join("; ")
        ),
        fields: fields.into_iter().map(str::to_owned).collect(),
    }))
}

fn confirm(question: &str, yes: bool) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(usage(format!(
            "{question}: pass --yes to confirm when not running in a terminal"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    if matches!(line.trim(), "y" | "Y" | "yes" | "YES") {
        Ok(())
    } else {
        eprintln!("nothing done");
        Err(CliError::Exit(1))
    }
}

async fn bulk(g: &Global, a: BulkArgs, delete: bool) -> R {
    let verb = if delete { "delete" } else { "cancel" };
    if a.ids.is_empty() && a.filter.is_none() {
        return Err(usage(format!(
            "schedule {verb} needs schedule ids or --filter"
        )));
    }
    let ids = a
        .ids
        .iter()
        .map(|i| ScheduleId::parse(i))
        .collect::<Result<Vec<_>, _>>()?;
    let conn = connect::connect(g).await?;
    let reg = connect::registry(&conn.client, &a.registry).await?;
    if let Some(f) = &a.filter {
        confirm(
            &format!("{verb} every schedule matching {f:?} in registry {reg}?"),
            a.yes,
        )?;
        let sel = BulkSelector::filter(f.clone());
        let job = if delete {
            conn.client
                .bulk_delete_schedules(&reg, &sel)
                .await?
                .deletion_job_id
        } else {
            conn.client
                .bulk_cancel_schedules(&reg, &sel)
                .await?
                .cancel_job_id
        };
        let v = json!({"jobId": job, "operation": verb, "filter": f});
        emit(g.output, &v, || format!("bulk {verb} job {job} started\n"));
        return Ok(());
    }
    let mut done = Vec::new();
    let mut first_err = None;
    for id in &ids {
        let r = if delete {
            conn.client.delete_schedule(&reg, id).await
        } else {
            conn.client.cancel_schedule(&reg, id).await
        };
        match r {
            Ok(()) => done.push(json!({"scheduleUuid": id, "ok": true})),
            Err(e) => {
                eprintln!("error: {verb} {id}: {e}");
                done.push(json!({"scheduleUuid": id, "ok": false, "error": {"code": e.code(), "message": e.to_string()}}));
                first_err.get_or_insert(e);
            }
        }
    }
    emit(g.output, &done, || {
        done.iter()
            .filter(|d| d["ok"] == true)
            .map(|d| format!("{verb}d {}\n", d["scheduleUuid"].as_str().unwrap_or("")))
            .collect()
    });
    match first_err {
        Some(e) => Err(CliError::Exit(crate::exit_code(&e))),
        None => Ok(()),
    }
}

async fn wait(g: &Global, a: WaitArgs) -> R {
    let conn = connect::connect(g).await?;
    let reg = connect::registry(&conn.client, &a.registry).await?;
    let id = ScheduleId::parse(&a.id)?;
    let until = if a.statuses.is_empty() {
        WaitFor::Terminal
    } else {
        WaitFor::Any(
            a.statuses
                .iter()
                .map(|s| {
                    ScheduleStatus::parse_loose(s).unwrap_or_else(|| ScheduleStatus::from_wire(s))
                })
                .collect(),
        )
    };
    let opts = WaitOptions {
        until,
        timeout: a.timeout,
        interval: a.interval,
    };
    let s = conn.client.wait_for_schedule(&reg, &id, &opts).await?;
    let status = s.status();
    emit(g.output, &s, || format!("schedule {id} is {status}\n"));
    if a.statuses.is_empty() && matches!(status, ScheduleStatus::Error | ScheduleStatus::Failed) {
        eprintln!("error: schedule {id} ended {status}");
        return Err(CliError::Exit(1));
    }
    Ok(())
}

fn parse_instant(s: &Option<String>, flag: &str) -> Result<Timestamp, CliError> {
    match s {
        None => Ok(Timestamp::now()),
        Some(t) => t.parse().map_err(|_| {
            usage(format!(
                "{flag} takes an RFC 3339 instant such as 2026-01-31T12:00:00Z; got {t:?}"
            ))
        }),
    }
}

async fn preview(g: &Global, a: PreviewArgs, explain_only: bool) -> R {
    let after = parse_instant(&a.after, "--after")?;
    if let Some(id) = &a.id {
        let conn = connect::connect(g).await?;
        let reg = connect::registry(&conn.client, &a.registry).await?;
        let s = conn
            .client
            .get_schedule(&reg, &ScheduleId::parse(id)?)
            .await?;
        return preview_listed(g, &a, &s, after, explain_only);
    }
    let created = parse_instant(&a.created, "--created")?;
    let req = request_from_spec("preview", &a.spec, created)?;
    if explain_only {
        let sentence = qualys_cs_core::explain(&req);
        emit(g.output, &json!({"explain": sentence}), || {
            format!("{sentence}\n")
        });
        return Ok(());
    }
    let runs = qualys_cs_core::next_runs(&req, created, after, a.count)?;
    print_runs(g, &a, &req, created, after, &runs)
}

/// `next-runs ID` / `explain ID`: from the schedule as the server listed it. Where the answer
/// leaves out the fields that decide when it runs, a sentence says so and the exit code is 11.
fn preview_listed(
    g: &Global,
    a: &PreviewArgs,
    s: &Schedule,
    after: Timestamp,
    explain_only: bool,
) -> R {
    let missing = s.unreported_timing();
    let not_reported = |what: &str| {
        let at = s
            .schedule
            .as_deref()
            .map(|t| format!("; its time of day is {t} UTC"))
            .unwrap_or_default();
        format!(
            "the server does not report {} for this schedule ({}), so {what}{at}. (Qualys's 2021 API shape leaves these fields out of its answers.)",
            missing.join(" or "),
            s.schedule_uuid
        )
    };
    if explain_only {
        let sentence = explain_schedule(s);
        emit(
            g.output,
            &json!({"explain": sentence, "notReported": missing}),
            || format!("{sentence}\n"),
        );
        if missing.is_empty() {
            return Ok(());
        }
        eprintln!("error: {}", not_reported("when it runs is unknown"));
        return Err(CliError::Exit(11));
    }
    match s.next_runs(after, a.count) {
        Ok(runs) => {
            let created = s.created.and_then(|m| m.to_timestamp()).unwrap_or(after);
            print_runs(g, a, &s.to_request(), created, after, &runs)
        }
        Err(Error::NotReported { fields, .. }) => {
            let message = not_reported("its next runs cannot be computed");
            if g.output != OutputFormat::Table {
                emit(
                    g.output,
                    &json!({"notReported": fields, "message": message}),
                    String::new,
                );
            }
            eprintln!("error: {message}");
            Err(CliError::Exit(11))
        }
        Err(e) => Err(e.into()),
    }
}

fn print_runs(
    g: &Global,
    a: &PreviewArgs,
    req: &ScheduleRequest,
    created: Timestamp,
    after: Timestamp,
    runs: &[Timestamp],
) -> R {
    let zoned = match &a.show_tz {
        Some(z) => Some(qualys_cs_core::next_runs_in_zone(
            req, created, after, a.count, z,
        )?),
        None => None,
    };
    let rows: Vec<serde_json::Value> = runs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut v = json!({"utc": t.to_string()});
            if let Some(z) = &zoned {
                v["local"] = json!(z[i]);
            }
            v
        })
        .collect();
    emit(g.output, &rows, || {
        if rows.is_empty() {
            return "no future runs (on-demand schedules run once, when created)\n".into();
        }
        let mut header = vec!["#", "UTC"];
        if zoned.is_some() {
            header.push("LOCAL");
        }
        let mut t = output::table(&header);
        for (i, r) in rows.iter().enumerate() {
            let mut row = vec![
                (i + 1).to_string(),
                r["utc"].as_str().unwrap_or("").to_owned(),
            ];
            if zoned.is_some() {
                row.push(r["local"].as_str().unwrap_or("").to_owned());
            }
            t.add_row(row);
        }
        output::render(&t)
    });
    Ok(())
}

async fn registry(g: &Global, c: RegistryCmd) -> R {
    let c = match c {
        RegistryCmd::Write(w) => return crate::registry_cmd::run(g, w).await,
        other => other,
    };
    let conn = connect::connect(g).await?;
    let arg = |r: String| crate::args::RegistryArg { registry: Some(r) };
    match c {
        RegistryCmd::List => {
            let items = conn
                .client
                .list_registries_all(ListOptions::new())
                .collect_all()
                .await?;
            emit(g.output, &items, || output::registries_table(&items));
        }
        RegistryCmd::Get { registry } => {
            let id = connect::registry(&conn.client, &arg(registry)).await?;
            let d = conn.client.get_registry(&id).await?;
            emit(g.output, &d, || output::registry_detail(&d));
        }
        RegistryCmd::Repos { registry } => {
            let id = connect::registry(&conn.client, &arg(registry)).await?;
            let items = conn
                .client
                .list_repositories_all(&id, ListOptions::new())
                .collect_all()
                .await?;
            emit(g.output, &items, || output::repositories_table(&items));
        }
        RegistryCmd::Write(_) => {} // handled above
    }
    Ok(())
}

fn read_file(path: &std::path::Path) -> Result<(String, String), CliError> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| usage(format!("cannot read standard input: {e}")))?;
        return Ok((s, "<stdin>".into()));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
    Ok((text, path.display().to_string()))
}

fn load_desired(path: &std::path::Path) -> Result<DesiredState, CliError> {
    let (text, name) = read_file(path)?;
    let d = DesiredState::parse_file_text(&text, &name, Timestamp::now())?;
    output::problems(&[], &d.warnings);
    Ok(d)
}

fn plan_text(p: &Plan) -> String {
    let mut out = String::new();
    for line in p.render_text().lines() {
        let t = line.trim_start();
        let painted = if t.starts_with("-/+") {
            paint(line, "33")
        } else if t.starts_with('+') {
            paint(line, "32")
        } else if t.starts_with('~') {
            paint(line, "33")
        } else if t.starts_with('-') {
            paint(line, "31")
        } else if t.starts_with('!') {
            paint(line, "35")
        } else {
            line.to_owned()
        };
        out.push_str(&painted);
        out.push('\n');
    }
    out
}

/// `plan --remote-validate`: the service's verdict on every registry the plan would create
/// (`POST /registry/validate`), with the secret read from its reference. "Validate Registry
/// Parameters" is for "a registry you intend to create" and refuses one that exists, so a
/// registry to update is listed as not asked.
async fn remote_validate(conn: &Conn, p: &Plan) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for r in &p.registries {
        if r.action == Action::Update {
            out.push(
                json!({"registry": r.registry, "action": r.action, "valid": null,
                "skipped": "exists already: the service validates only registries to create"}),
            );
            continue;
        }
        if r.action != Action::Create {
            continue;
        }
        let verdict = match r.manage.request_with(&EnvFileSecretResolver) {
            Err(e) => {
                json!({"valid": false, "error": {"code": e.code(), "message": e.to_string()}})
            }
            Ok(req) => match conn.client.validate_registry(&req).await {
                Ok(v) => json!({"valid": v.valid, "message": v.message, "warnings": v.warnings}),
                Err(e) => {
                    json!({"valid": false, "error": {"code": e.code(), "message": e.to_string()}})
                }
            },
        };
        let mut v = json!({"registry": r.registry, "action": r.action});
        if let (Some(m), Some(extra)) = (v.as_object_mut(), verdict.as_object()) {
            m.extend(extra.clone());
        }
        out.push(v);
    }
    out
}

fn remote_validation_text(items: &[serde_json::Value]) -> String {
    let mut s = String::from("remote validation (POST /registry/validate):\n");
    for v in items {
        let registry = v["registry"].as_str().unwrap_or_default();
        let verdict = if v["valid"] == true {
            "accepted".to_owned()
        } else if let Some(why) = v["skipped"].as_str() {
            format!("not asked ({why})")
        } else if let Some(m) = v["error"]["message"].as_str() {
            format!("not checked: {m}")
        } else {
            format!(
                "REFUSED: {}",
                v["message"].as_str().unwrap_or("the service said no")
            )
        };
        s.push_str(&format!("  {registry}: {verdict}\n"));
    }
    s
}

async fn plan(g: &Global, a: PlanArgs) -> R {
    let desired = load_desired(&a.file)?;
    let conn = connect::connect(g).await?;
    let p = conn
        .client
        .plan_with(
            &desired,
            PlanOptions { prune: a.prune },
            &RegistryPlanOptions {
                update_credentials: a.update_credentials,
            },
        )
        .await?;
    if a.remote_validate {
        let checks = remote_validate(&conn, &p).await;
        emit(
            g.output,
            &json!({"plan": p, "remoteValidation": checks}),
            || format!("{}{}", plan_text(&p), remote_validation_text(&checks)),
        );
        if checks.iter().any(|c| c["valid"] == false) {
            return Err(CliError::Exit(3));
        }
    } else {
        emit(g.output, &p, || plan_text(&p));
    }
    if a.detailed_exitcode && !p.is_empty() {
        return Err(CliError::Exit(9));
    }
    Ok(())
}

async fn apply(g: &Global, a: ApplyArgs) -> R {
    let desired = load_desired(&a.file)?;
    let conn = connect::connect(g).await?;
    let p = conn
        .client
        .plan_with(
            &desired,
            PlanOptions { prune: a.prune },
            &RegistryPlanOptions {
                update_credentials: a.update_credentials,
            },
        )
        .await?;
    if g.output == OutputFormat::Table {
        print!("{}", plan_text(&p));
    }
    if p.is_empty() {
        if g.output == OutputFormat::Table {
            println!("No changes.");
        } else {
            emit(g.output, &json!({"plan": p, "items": []}), String::new);
        }
        return Ok(());
    }
    if !a.dry_run {
        confirm("Apply this plan?", a.yes)?;
    }
    let changes = (p.items.iter().filter(|i| i.action.is_change()).count()
        + p.registries.iter().filter(|r| r.action.is_change()).count()) as u64;
    let bar = if std::io::stderr().is_terminal() && !a.dry_run {
        let b = ProgressBar::with_draw_target(
            Some((p.items.len() + p.registries.len()) as u64),
            ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let cb_bar = bar.clone();
    let progress = Arc::new(move |pr: &ApplyProgress| {
        cb_bar.set_position(pr.done as u64);
        cb_bar.set_message(pr.item.clone());
    });
    let report = conn
        .client
        .apply(
            &p,
            &ApplyOptions {
                concurrency: a.concurrency.max(1),
                dry_run: a.dry_run,
            },
            Some(progress),
        )
        .await;
    bar.finish_and_clear();
    emit(g.output, &report, || {
        let mut s = String::new();
        // Registry lines: creates and updates ran first, deletes last; shown in that order.
        let registry_line = |s: &mut String, r: &qualys_cs_client::apply::RegistryResult| {
            let verb = format!("{:?}", r.action).to_lowercase();
            match r.outcome {
                Outcome::DryRun => {
                    for q in &r.requests {
                        s.push_str(&format!(
                            "dry run: {verb} registry {}: would send {} {}\n",
                            r.registry, q.method, q.path
                        ));
                    }
                }
                Outcome::Applied => s.push_str(&format!(
                    "{verb} registry {}: done{}\n",
                    r.registry,
                    r.registry_id
                        .as_deref()
                        .map(|x| format!(" ({x})"))
                        .unwrap_or_default()
                )),
                Outcome::Failed => s.push_str(&format!(
                    "{verb} registry {}: FAILED: {}\n",
                    r.registry,
                    r.error.as_ref().map(|e| e.to_string()).unwrap_or_default()
                )),
                Outcome::NoOp => {}
            }
        };
        for r in report
            .registries
            .iter()
            .filter(|r| r.action != Action::Delete)
        {
            registry_line(&mut s, r);
        }
        for i in &report.items {
            if i.action == Action::Unchanged || i.action == Action::Skip {
                continue;
            }
            let verb = format!("{:?}", i.action).to_lowercase();
            match i.outcome {
                Outcome::DryRun => {
                    for r in &i.requests {
                        s.push_str(&format!(
                            "dry run: {} {}/{}: would send {} {}\n",
                            verb, i.registry, i.name, r.method, r.path
                        ));
                    }
                }
                Outcome::Applied => s.push_str(&format!(
                    "{verb} {}/{}: done{}\n",
                    i.registry,
                    i.name,
                    i.schedule_id
                        .as_deref()
                        .map(|x| format!(" ({x})"))
                        .unwrap_or_default()
                )),
                Outcome::Failed => s.push_str(&format!(
                    "{verb} {}/{}: FAILED: {}\n",
                    i.registry,
                    i.name,
                    i.error.as_ref().map(|e| e.to_string()).unwrap_or_default()
                )),
                Outcome::NoOp => {}
            }
        }
        for r in report
            .registries
            .iter()
            .filter(|r| r.action == Action::Delete)
        {
            registry_line(&mut s, r);
        }
        if a.dry_run {
            s.push_str(&format!(
                "Dry run: {changes} change(s) planned, nothing sent.\n"
            ));
        } else {
            s.push_str(&format!(
                "Apply complete: {} applied, {} failed.\n",
                report.applied(),
                report.failed()
            ));
        }
        s
    });
    if report.failed() > 0 {
        return Err(CliError::Exit(10));
    }
    Ok(())
}

fn validate_file(g: &Global, a: ValidateArgs) -> R {
    let (text, name) = read_file(&a.file)?;
    let as_json: Option<serde_json::Value> = serde_json::from_str(&text).ok();
    let is_request =
        matches!(&as_json, Some(serde_json::Value::Object(m)) if !m.contains_key("registries"));
    if is_request {
        let v = as_json.unwrap_or_default();
        let report = validate_value(&v);
        emit(g.output, &report, || {
            if report.is_valid() {
                format!(
                    "{name}: valid request ({} warning(s))\n",
                    report.warnings.len()
                )
            } else {
                String::new()
            }
        });
        output::problems(&report.errors, &report.warnings);
        if !report.is_valid() {
            eprintln!("error: {name}: {} problem(s)", report.errors.len());
            return Err(CliError::Exit(3));
        }
        return Ok(());
    }
    match DesiredState::parse_file_text(&text, &name, Timestamp::now()) {
        Ok(d) => {
            let n: usize = d.registries.iter().map(|r| r.schedules.len()).sum();
            let managed = d.registries.iter().filter(|r| r.manage.is_some()).count();
            // Secret references are checked here too (a warning: validation may run where the
            // secrets are not); the value read is dropped at once, never shown.
            let mut warnings = d.warnings.clone();
            for (i, r) in d.registries.iter().enumerate() {
                let Some(m) = &r.manage else { continue };
                if m.ensure == qualys_cs_core::registry_state::Ensure::Absent {
                    continue;
                }
                let Some(sr) = m.secret_ref() else { continue };
                if let Err(e) = qualys_cs_core::registry_state::SecretResolver::resolve(
                    &EnvFileSecretResolver,
                    sr,
                ) {
                    let line = m.line.map(|l| format!(":{l}")).unwrap_or_default();
                    warnings.push(Violation::new(
                        format!("/registries/{i}/manage/credential/{}", sr.key()),
                        "secret_unresolved",
                        format!("{name}{line}: {e} (apply will fail for this registry)"),
                    ));
                }
            }
            let d = qualys_cs_core::desired::DesiredState { warnings, ..d };
            output::problems(&[], &d.warnings);
            let v = json!({"valid": true, "schedules": n, "managedRegistries": managed, "warnings": d.warnings});
            emit(g.output, &v, || {
                format!(
                    "{name}: valid desired state, {n} schedule(s) in {} registr{}{}\n",
                    d.registries.len(),
                    if d.registries.len() == 1 { "y" } else { "ies" },
                    if managed > 0 {
                        format!(" ({managed} managed)")
                    } else {
                        String::new()
                    }
                )
            });
            Ok(())
        }
        Err(e) => Err(CliError::Sdk(e)),
    }
}

async fn emulator(g: &Global, c: EmulatorCmd) -> R {
    let EmulatorCmd::Serve {
        host,
        port,
        in_memory,
        wire,
    } = c;
    let mut b = qualys_cs_emulator::Emulator::builder()
        .host(host)
        .port(port)
        .wire(wire)
        .realtime_clock(true);
    if in_memory {
        b = b.in_memory();
    } else {
        let dir = connect::emulator_dir(g);
        std::fs::create_dir_all(&dir)
            .map_err(|e| usage(format!("cannot create {}: {e}", dir.display())))?;
        b = b.data_dir(dir);
    }
    let emu = b
        .start()
        .await
        .map_err(|e| CliError::Sdk(Error::config("emulator", e.to_string())))?;
    println!("listening on {}", emu.url());
    println!(
        "demo user {} / password {}; demo registry {}; wire profile {}",
        qualys_cs_emulator::DEMO_USER,
        qualys_cs_emulator::DEMO_PASSWORD,
        qualys_cs_emulator::DEMO_REGISTRY_ID,
        emu.wire()
    );
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    emu.stop().await;
    Ok(())
}

async fn auth_check(g: &Global) -> R {
    let Conn {
        client,
        emulator: _emu,
    } = connect::connect(g).await?;
    let page = client
        .list_registries(&ListOptions::new().page_size(1))
        .await?;
    let v = json!({
        "ok": true,
        "gateway": client.gateway_url(),
        "username": client.username(),
        "registries": page.count,
    });
    emit(g.output, &v, || {
        format!(
            "ok: {} at {}; {} registr{} visible\n",
            client.username().unwrap_or("token"),
            client.gateway_url(),
            page.count,
            if page.count == 1 { "y" } else { "ies" }
        )
    });
    Ok(())
}
