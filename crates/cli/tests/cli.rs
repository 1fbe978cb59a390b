//! Runs the `qualys-cs` binary against an in-process emulator (real HTTP, port 0). Every test
//! that talks to the emulator runs once per wire profile (`full::*`, `oas2021::*`); snapshots
//! whose output depends on the shape carry the profile as a suffix (`name@oas2021.snap`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use assert_cmd::Command;
use predicates::prelude::*;
use qualys_cs_emulator::{
    BlockingEmulatorHandle, DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator, WireProfile,
};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

/// Runs each `fn name(wire: WireProfile)` as two tests, `full::name` and `oas2021::name`.
macro_rules! on_both_wires {
    ($($name:ident),* $(,)?) => {
        mod full {
            $( #[test] fn $name() { super::$name(super::WireProfile::Full) } )*
        }
        mod oas2021 {
            $( #[test] fn $name() { super::$name(super::WireProfile::Oas2021) } )*
        }
    };
}

on_both_wires!(
    registry_commands_in_every_output_format,
    create_list_get_update_delete_round_trip,
    validation_errors_print_like_a_compiler_and_send_nothing,
    dry_run_create_and_apply_send_nothing,
    plan_apply_and_reapply_converges,
    next_runs_and_explain_of_a_listed_schedule,
    registry_by_name_uri_or_uuid,
    wait_follows_the_emulator_clock,
    cancel_and_bulk_delete,
    password_stdin_and_exit_codes_and_no_secret_in_output,
    embedded_emulator_persists_between_invocations,
    emulator_serve_prints_its_address_first_and_completions_work,
);

struct Env {
    emu: BlockingEmulatorHandle,
    home: tempfile::TempDir,
    wire: WireProfile,
}

impl Env {
    fn new(wire: WireProfile) -> Env {
        let emu = Emulator::builder()
            .in_memory()
            .wire(wire)
            .start_blocking()
            .expect("emulator");
        assert_eq!(emu.wire(), wire);
        Env {
            emu,
            home: tempfile::tempdir().unwrap(),
            wire,
        }
    }

    fn oas(&self) -> bool {
        self.wire == WireProfile::Oas2021
    }

    /// `GET /_emulator/schedules`: every schedule as stored, the request under
    /// `emulator.request`, whatever the wire profile.
    fn raw_schedules(&self) -> Vec<Value> {
        qualys_cs_client::install_crypto_provider();
        reqwest::blocking::get(format!("{}/_emulator/schedules", self.emu.url()))
            .unwrap()
            .json()
            .unwrap()
    }

    /// The request stored for this schedule.
    fn stored_request(&self, id: &str) -> Value {
        self.raw_schedules()
            .into_iter()
            .find(|s| s["scheduleUuid"] == id)
            .unwrap_or_else(|| panic!("{id} is stored"))["emulator"]["request"]
            .clone()
    }

    /// The binary with the emulator's address and the demo credentials in its environment.
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("qualys-cs").unwrap();
        c.env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("QUALYS_GATEWAY_URL", self.emu.url())
            .env("QUALYS_USERNAME", DEMO_USER)
            .env("QUALYS_PASSWORD", DEMO_PASSWORD)
            .timeout(Duration::from_secs(60));
        c
    }

    fn journal(&self) -> Vec<Value> {
        qualys_cs_client::install_crypto_provider();
        let v: Value = reqwest::blocking::get(format!("{}/_emulator/requests", self.emu.url()))
            .unwrap()
            .json()
            .unwrap();
        match v {
            Value::Array(a) => a,
            Value::Object(mut m) => m
                .remove("requests")
                .and_then(|r| r.as_array().cloned())
                .unwrap_or_default(),
            _ => vec![],
        }
    }

    fn writes(&self) -> Vec<String> {
        self.journal()
            .iter()
            .filter(|e| matches!(e["method"].as_str(), Some("POST" | "PUT" | "DELETE")))
            .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/csapi")))
            .map(|e| {
                format!(
                    "{} {}",
                    e["method"].as_str().unwrap(),
                    e["path"].as_str().unwrap()
                )
            })
            .collect()
    }

    fn clear_journal(&self) {
        qualys_cs_client::install_crypto_provider();
        reqwest::blocking::Client::new()
            .delete(format!("{}/_emulator/requests", self.emu.url()))
            .send()
            .unwrap();
    }

    fn create(&self, name: &str, extra: &[&str]) -> String {
        let out = self
            .cmd()
            .args([
                "-o",
                "json",
                "schedule",
                "create",
                "--name",
                name,
                "--repo",
                "library/nginx",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["scheduleUuid"].as_str().unwrap().to_owned()
    }
}

fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"d3e0c0de-5eed-4a11-9e57-0000000000d0", "[DEMO_REGISTRY]"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[UUID]",
        ),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[TIME]"),
        (r"\b\d{13}\b", "[MS]"),
        (r"http://127\.0\.0\.1:\d+", "[URL]"),
    ]
}

/// A snapshot that is the same on both wire profiles.
macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => filters(), prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

/// A snapshot of output that depends on the wire profile: `name@full`, `name@oas2021`.
macro_rules! snap_wire {
    ($wire:expr, $name:expr, $value:expr) => {
        insta::with_settings!({
            filters => filters(),
            prepend_module_to_snapshot => false,
            snapshot_suffix => $wire.as_str(),
        }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn registry_commands_in_every_output_format(wire: WireProfile) {
    let env = Env::new(wire);
    for fmt in ["table", "json", "yaml"] {
        let out = env
            .cmd()
            .args(["-o", fmt, "registry", "list"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        snap_wire!(wire, format!("registry_list_{fmt}"), stdout(&out));
    }
    let out = env
        .cmd()
        .args(["registry", "get", DEMO_REGISTRY_ID])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    snap_wire!(wire, "registry_get_table", stdout(&out));
    let out = env
        .cmd()
        .args(["-o", "json", "registry", "repos", DEMO_REGISTRY_ID])
        .output()
        .unwrap();
    let repos: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !repos.as_array().unwrap().is_empty(),
        "the demo registry has repositories"
    );
}

fn create_list_get_update_delete_round_trip(wire: WireProfile) {
    let env = Env::new(wire);
    let id = env.create(
        "weekly-app",
        &[
            "--weekly",
            "thursday",
            "--at",
            "09:30",
            "--force-scan",
            "--latest",
            "5",
        ],
    );
    let stored = env.stored_request(&id);
    assert_eq!(stored["weekDay"], "THURSDAY");
    assert_eq!(stored["scheduleIntervalInDays"], 7);
    assert_eq!(stored["forceScan"], true);
    assert_eq!(stored["additionalFilters"]["numberOfTags"], 5);

    let out = env
        .cmd()
        .args(["-o", "json", "schedule", "list"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scheduleUuid"] == id.as_str())
        .expect("listed");
    assert_eq!(s["schedule"], "09:30");
    if env.oas() {
        // Qualys's 2021 list item: none of these (spec §6b).
        for k in [
            "weekDay",
            "scheduleIntervalInDays",
            "forceScan",
            "additionalFilters",
        ] {
            assert!(s.get(k).is_none_or(Value::is_null), "{k}: {s}");
        }
    } else {
        assert_eq!(s["weekDay"], "THURSDAY");
        assert_eq!(s["scheduleIntervalInDays"], 7);
        assert_eq!(s["additionalFilters"]["numberOfTags"], 5);
    }

    let out = env.cmd().args(["schedule", "list"]).output().unwrap();
    snap_wire!(wire, "schedule_list_table", stdout(&out));
    let out = env
        .cmd()
        .args(["-o", "yaml", "schedule", "get", &id])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    snap_wire!(wire, "schedule_get_yaml", stdout(&out));
    let out = env.cmd().args(["schedule", "get", &id]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    snap_wire!(wire, "schedule_get_table", stdout(&out));

    // An update replaces the whole schedule: where the server does not report force scan,
    // the command will not reset it silently; it says so, sends nothing, and exits 11.
    env.clear_journal();
    let update = [
        "schedule", "update", &id, "--weekly", "MONDAY", "--at", "02:00", "--latest", "0",
    ];
    let out = env.cmd().args(update).output().unwrap();
    if env.oas() {
        assert_eq!(out.status.code(), Some(11), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("the server does not report forceScan for schedule")
                && err.contains("--force-scan true|false")
                && err.contains("nothing was sent"),
            "{err}"
        );
        assert!(env.writes().is_empty(), "{:?}", env.writes());
        assert_eq!(env.stored_request(&id), stored, "unchanged");
        let out = env
            .cmd()
            .args(update)
            .args(["--force-scan", "true"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    } else {
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let stored = env.stored_request(&id);
    assert_eq!(stored["weekDay"], "MONDAY");
    assert_eq!(stored["schedule"], "02:00");
    assert_eq!(stored["forceScan"], true, "kept: {stored}");
    assert!(
        stored.get("additionalFilters").is_none_or(Value::is_null),
        "{stored}"
    );
    let out = env
        .cmd()
        .args(["-o", "json", "schedule", "get", &id])
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["schedule"], "02:00");
    assert_eq!(
        s["weekDay"],
        if env.oas() {
            Value::Null
        } else {
            "MONDAY".into()
        }
    );
    assert!(s.get("additionalFilters").is_none_or(Value::is_null), "{s}");

    env.cmd()
        .args(["schedule", "delete", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("deleted {id}")));
    env.cmd()
        .args(["schedule", "get", &id])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("not found"));
}

fn validation_errors_print_like_a_compiler_and_send_nothing(wire: WireProfile) {
    let env = Env::new(wire);
    env.clear_journal();
    let out = env
        .cmd()
        .args([
            "schedule",
            "create",
            "--name",
            "x",
            "--every",
            "3d",
            "--force-scan",
            "--repo",
            "my repo",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    // Flags are parsed by core's schedule spec (the one desired-state files use); each
    // problem names the flag that caused it.
    assert!(
        err.contains("error: --force-scan: forceScan is only valid"),
        "{err}"
    );
    assert!(err.contains("(force_scan_interval_too_short)"), "{err}");
    assert!(
        err.contains("error: --repo #1: repo must not contain whitespace"),
        "{err}"
    );
    assert!(err.contains("2 problems; nothing was sent"), "{err}");
    // The spec's own rules, as in files: a time zone only with --daily / --weekly, a day
    // that is not a weekday.
    let out = env
        .cmd()
        .args([
            "schedule",
            "create",
            "--name",
            "x",
            "--every",
            "10d",
            "--tz",
            "Europe/Paris",
            "--weekly-typo-guard",
            "--repo",
            "a",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "unknown flag: {}", stderr(&out));
    let out = env
        .cmd()
        .args([
            "schedule",
            "create",
            "--name",
            "x",
            "--every",
            "10d",
            "--tz",
            "Europe/Paris",
            "--repo",
            "a",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: --tz: timezone applies to daily and weekly"),
        "{}",
        stderr(&out)
    );
    let out = env
        .cmd()
        .args([
            "schedule", "create", "--name", "x", "--weekly", "thursdy", "--repo", "a",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: --weekly: "),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("(invalid_week_day)"),
        "{}",
        stderr(&out)
    );
    assert!(
        env.journal().is_empty(),
        "nothing reached the server: {:?}",
        env.journal()
    );

    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("req.json");
    std::fs::write(
        &f,
        r#"{"name": "", "onDemand": false, "scheduleIntervalInDays": "7", "filters": []}"#,
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["validate", "-f", f.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    snap!(
        "validate_request_errors",
        stderr(&out).replace(dir.path().to_str().unwrap(), "[DIR]")
    );
}

fn dry_run_create_and_apply_send_nothing(wire: WireProfile) {
    let env = Env::new(wire);
    env.clear_journal();
    let out = env
        .cmd()
        .args([
            "schedule",
            "create",
            "--name",
            "n",
            "--daily",
            "19:30",
            "--repo",
            "app:latest,1.2",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    snap!("create_dry_run", stdout(&out));
    assert!(
        env.journal().is_empty(),
        "a dry run sends nothing, not even /auth"
    );

    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("desired.yaml");
    std::fs::write(&f, DESIRED).unwrap();
    let out = env
        .cmd()
        .args(["apply", "-f", f.to_str().unwrap(), "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Dry run: 2 change(s) planned, nothing sent."),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        env.writes(),
        Vec::<String>::new(),
        "dry-run apply sends no write"
    );
}

const DESIRED: &str = "version: 1
registries:
  - registry: d3e0c0de-5eed-4a11-9e57-0000000000d0
    schedules:
      - name: nightly
        daily: \"02:00\"
        repos: [library/nginx]
      - name: weekly
        weekly: {day: MONDAY, at: \"06:00\"}
        repos: [{repo: app, tags: [latest]}]
        latestTags: 3
";

fn plan_apply_and_reapply_converges(wire: WireProfile) {
    let env = Env::new(wire);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("desired.yaml");
    std::fs::write(&f, DESIRED).unwrap();
    let file = f.to_str().unwrap();

    let out = env.cmd().args(["plan", "-f", file]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    snap!("plan_creates", stdout(&out));
    env.cmd()
        .args(["plan", "-f", file, "--detailed-exitcode"])
        .assert()
        .code(9);

    // Not a terminal: apply needs --yes.
    env.cmd()
        .args(["apply", "-f", file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    let out = env
        .cmd()
        .args(["apply", "-f", file, "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Apply complete: 2 applied, 0 failed."),
        "{}",
        stdout(&out)
    );

    let applied: Vec<Value> = env
        .raw_schedules()
        .iter()
        .map(|s| json_pick(s, &["scheduleUuid", "name"], &s["emulator"]["request"]))
        .collect();

    // Re-apply. Full: nothing to do. Oas2021: the server reports neither interval, weekday
    // nor latest-N-tags, so the plan cannot call the schedules unchanged: it updates them,
    // saying why, and applying sends the same updates again; the schedules stay the same.
    let out = env
        .cmd()
        .args(["plan", "-f", file, "--detailed-exitcode"])
        .output()
        .unwrap();
    if env.oas() {
        assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("server does not report"), "{text}");
        assert!(
            text.contains("Plan: 0 to create, 2 to update, 0 to replace, 0 to delete, 0 unchanged"),
            "{text}"
        );
    } else {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    env.clear_journal();
    let out = env
        .cmd()
        .args(["apply", "-f", file, "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    if env.oas() {
        assert!(
            stdout(&out).contains("Apply complete: 2 applied, 0 failed."),
            "{}",
            stdout(&out)
        );
        let writes = env.writes();
        assert_eq!(writes.len(), 2, "{writes:?}");
        assert!(writes.iter().all(|w| w.starts_with("PUT ")), "{writes:?}");
    } else {
        assert!(stdout(&out).contains("No changes."), "{}", stdout(&out));
        assert!(env.writes().is_empty());
    }
    let again: Vec<Value> = env
        .raw_schedules()
        .iter()
        .map(|s| json_pick(s, &["scheduleUuid", "name"], &s["emulator"]["request"]))
        .collect();
    assert_eq!(again, applied, "same ids, same content");

    std::fs::write(&f, DESIRED.replace("\"02:00\"", "\"03:15\"")).unwrap();
    let out = env
        .cmd()
        .args(["-o", "json", "plan", "-f", file])
        .output()
        .unwrap();
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    let upd: Vec<&Value> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "update")
        .collect();
    let nightly = upd
        .iter()
        .find(|i| i["name"] == "nightly")
        .expect("nightly");
    let schedule = nightly["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "schedule")
        .expect("the time changes");
    assert_eq!(
        (&schedule["from"], &schedule["to"], &schedule["unknown"]),
        (&"02:00".into(), &"03:15".into(), &false.into()),
        "the time is reported on both shapes: {p}"
    );
    if env.oas() {
        assert_eq!(upd.len(), 2, "{p}");
        let weekly = upd.iter().find(|i| i["name"] == "weekly").unwrap();
        assert!(
            weekly["changes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["unknown"] == true),
            "{weekly}"
        );
    } else {
        assert_eq!(upd.len(), 1, "{p}");
    }
}

/// `{keys of s..., "request": request}`.
fn json_pick(s: &Value, keys: &[&str], request: &Value) -> Value {
    let mut m = serde_json::Map::new();
    for k in keys {
        m.insert((*k).to_owned(), s[*k].clone());
    }
    m.insert("request".into(), request.clone());
    Value::Object(m)
}

/// Flags only: nothing reaches the emulator, so one profile is enough.
#[test]
fn next_runs_and_explain_from_flags() {
    let env = Env::new(WireProfile::Full);
    let out = env
        .cmd()
        .args([
            "schedule",
            "next-runs",
            "--weekly",
            "MONDAY",
            "--at",
            "00:30",
            "--repo",
            "a",
            "--count",
            "3",
            "--created",
            "2026-01-01T00:00:00Z",
            "--after",
            "2026-01-01T00:00:00Z",
            "--show-tz",
            "Europe/Berlin",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    snap!("next_runs_table", stdout(&out));
    let out = env
        .cmd()
        .args([
            "-o",
            "json",
            "schedule",
            "explain",
            "--daily",
            "19:30",
            "--repo",
            "nginx:latest",
            "--created-within",
            "7d",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["explain"],
        "Runs every day at 19:30 UTC and scans tag latest of nginx (images created in the last 7 days)."
    );
    // Time zones: Monday 00:30 in Berlin is Sunday 23:30 UTC in winter.
    let out = env
        .cmd()
        .args([
            "schedule",
            "create",
            "--name",
            "tz",
            "--weekly",
            "MONDAY",
            "--at",
            "00:30",
            "--tz",
            "Europe/Berlin",
            "--repo",
            "a",
            "--dry-run",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        matches!(v["body"]["weekDay"].as_str(), Some("SUNDAY" | "MONDAY")),
        "{v}"
    );
    assert!(stderr(&out).contains("(dst_shift)"), "{}", stderr(&out));
}

fn wait_follows_the_emulator_clock(wire: WireProfile) {
    let env = Env::new(wire);
    let id = env.create("once", &["--on-demand"]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("qualys-cs"))
        .env_clear()
        .env("HOME", env.home.path())
        .env("QUALYS_GATEWAY_URL", env.emu.url())
        .env("QUALYS_USERNAME", DEMO_USER)
        .env("QUALYS_PASSWORD", DEMO_PASSWORD)
        .args([
            "schedule",
            "wait",
            &id,
            "--interval",
            "50ms",
            "--timeout",
            "30s",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still waiting while the clock stands still"
    );
    env.emu.advance_clock(Duration::from_secs(120)).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("schedule {id} is Completed\n"));

    env.cmd()
        .args([
            "schedule",
            "wait",
            &id,
            "--status",
            "Running",
            "--timeout",
            "200ms",
            "--interval",
            "50ms",
        ])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("still Completed"));
}

fn cancel_and_bulk_delete(wire: WireProfile) {
    let env = Env::new(wire);
    let a = env.create("a", &["--on-demand"]);
    let _b = env.create("b", &["--every", "10d"]);
    env.cmd()
        .args(["schedule", "cancel", &a])
        .assert()
        .success();
    env.cmd()
        .args(["schedule", "delete", "--filter", "name:b"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    let out = env
        .cmd()
        .args([
            "-o", "json", "schedule", "delete", "--filter", "name:b", "--yes",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["jobId"].as_str().is_some_and(|j| j.len() == 36), "{v}");
    let out = env
        .cmd()
        .args(["-o", "json", "schedule", "list"])
        .output()
        .unwrap();
    let names: Vec<String> = serde_json::from_slice::<Vec<Value>>(&out.stdout)
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["a"]);
}

fn password_stdin_and_exit_codes_and_no_secret_in_output(wire: WireProfile) {
    let env = Env::new(wire);
    let mut c = env.cmd();
    c.env_remove("QUALYS_PASSWORD")
        .args(["-vv", "--password-stdin", "auth", "check"])
        .write_stdin(format!("{DEMO_PASSWORD}\n"));
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!("ok: {DEMO_USER} at {}", env.emu.url())),
        "{}",
        stdout(&out)
    );
    let all = stdout(&out) + &stderr(&out);
    assert!(!all.contains(DEMO_PASSWORD), "password leaked: {all}");
    assert!(!all.contains("eyJ"), "token leaked: {all}");

    let mut c = env.cmd();
    c.env_remove("QUALYS_PASSWORD")
        .args(["--password-stdin", "auth", "check"])
        .write_stdin("wrong\n");
    c.assert().code(4);

    // Secrets are never arguments: refused before anything runs, naming the way to pass them.
    for (args, env_var) in [
        (vec!["--password", "hunter2"], "QUALYS_PASSWORD"),
        (vec!["--password=hunter2"], "QUALYS_PASSWORD"),
        (vec!["--token", "eyJhbGciOi"], "QUALYS_TOKEN"),
        (
            vec!["registry", "list", "--token=eyJhbGciOi"],
            "QUALYS_TOKEN",
        ),
    ] {
        let mut all = args.clone();
        if all[0].starts_with("--") && all.len() <= 2 {
            all.extend(["auth", "check"]);
        }
        let out = env.cmd().args(&all).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        let err = stderr(&out);
        assert!(err.contains(env_var), "{all:?}: {err}");
        assert!(
            !err.contains("hunter2") && !err.contains("eyJhbGciOi"),
            "{err}"
        );
    }
    // A token from standard input works (fetched from the emulator's /auth).
    qualys_cs_client::install_crypto_provider();
    let token = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/auth", env.emu.url()))
        .form(&[
            ("username", DEMO_USER),
            ("password", DEMO_PASSWORD),
            ("token", "true"),
        ])
        .send()
        .unwrap()
        .text()
        .unwrap();
    let mut c = env.cmd();
    c.env_remove("QUALYS_PASSWORD")
        .env_remove("QUALYS_USERNAME")
        .args(["--token-stdin", "registry", "list", "-o", "json"])
        .write_stdin(format!("{token}\n"));
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !(stdout(&out) + &stderr(&out)).contains(&token),
        "token leaked"
    );

    let mut c = env.cmd();
    c.env_remove("QUALYS_PASSWORD")
        .env_remove("QUALYS_USERNAME")
        .args(["registry", "list"]);
    c.assert()
        .code(8)
        .stderr(predicate::str::contains("QUALYS_USERNAME"));
    env.cmd()
        .args(["--platform", "MARS1", "registry", "list"])
        .env_remove("QUALYS_GATEWAY_URL")
        .assert()
        .code(8);
    env.cmd()
        .args(["schedule", "get", "../etc/passwd"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("scheduleId must be a UUID"));
    env.cmd()
        .args(["schedule", "create", "--name", "x", "--repo", "a"])
        .assert()
        .code(2);
    env.cmd()
        .args(["schedule", "get", "889ea97d-5b9c-4e34-9783-a40eae8d8feb"])
        .assert()
        .code(5);
}

fn embedded_emulator_persists_between_invocations(wire: WireProfile) {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("qualys-cs")
            .unwrap()
            .env_clear()
            .env("HOME", dir.path())
            .args([
                "--emulator",
                "--emulator-dir",
                dir.path().join("emu").to_str().unwrap(),
                "--emulator-wire",
                wire.as_str(),
            ])
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    };
    let out = run(&[
        "schedule", "create", "--name", "kept", "--daily", "01:00", "--repo", "a",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["-o", "json", "schedule", "list"]);
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "kept");
    // The profile answered: the 2021 shape has no interval.
    assert_eq!(
        list[0]["scheduleIntervalInDays"],
        if wire == WireProfile::Oas2021 {
            Value::Null
        } else {
            1.into()
        },
        "{list:?}"
    );

    // The same from the environment; the flag needs --emulator.
    let out = Command::cargo_bin("qualys-cs")
        .unwrap()
        .env_clear()
        .env("HOME", dir.path())
        .env("QUALYS_CS_EMULATOR_WIRE", wire.as_str())
        .args(["--emulator", "--emulator-dir"])
        .arg(dir.path().join("emu"))
        .args(["-o", "json", "registry", "list"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let regs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        regs[0].get("registryName").is_some(),
        wire == WireProfile::Full,
        "{regs:?}"
    );
    Command::cargo_bin("qualys-cs")
        .unwrap()
        .env_clear()
        .args(["--emulator-wire", wire.as_str(), "registry", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--emulator"));
}

fn emulator_serve_prints_its_address_first_and_completions_work(wire: WireProfile) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("qualys-cs"))
        .env_remove("QUALYS_CS_EMULATOR_WIRE")
        .args(["emulator", "serve", "--in-memory", "--wire", wire.as_str()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (mut line, mut second) = (String::new(), String::new());
    out.read_line(&mut line).unwrap();
    out.read_line(&mut second).unwrap();
    let settings: Option<Value> = line.strip_prefix("listening on ").map(|url| {
        qualys_cs_client::install_crypto_provider();
        reqwest::blocking::get(format!("{}/_emulator/settings", url.trim()))
            .unwrap()
            .json()
            .unwrap()
    });
    child.kill().unwrap();
    let _ = child.wait();
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
    assert!(
        second.trim_end().ends_with(&format!("wire profile {wire}")),
        "{second}"
    );
    assert_eq!(settings.unwrap()["wire"], wire.as_str());

    let out = Command::cargo_bin("qualys-cs")
        .unwrap()
        .args(["emulator", "serve", "--wire", "oas2020"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("full, oas2021"), "{}", stderr(&out));

    let out = Command::cargo_bin("qualys-cs")
        .unwrap()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains("qualys-cs"));
}

/// `schedule next-runs ID` / `explain ID` work from the schedule as listed: full reports its
/// timing; oas2021 does not, and the command says so in a sentence and exits 11 (not a
/// validation error about a request nobody wrote).
fn next_runs_and_explain_of_a_listed_schedule(wire: WireProfile) {
    let env = Env::new(wire);
    let id = env.create("weekly-app", &["--weekly", "THURSDAY", "--at", "09:30"]);
    let out = env
        .cmd()
        .args(["schedule", "next-runs", &id, "--count", "3"])
        .output()
        .unwrap();
    let explain = env
        .cmd()
        .args(["schedule", "explain", &id])
        .output()
        .unwrap();
    let json = env
        .cmd()
        .args(["-o", "json", "schedule", "next-runs", &id, "--count", "3"])
        .output()
        .unwrap();
    if env.oas() {
        assert_eq!(out.status.code(), Some(11), "{}", stderr(&out));
        assert_eq!(stdout(&out), "");
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!(
                "error: the server does not report scheduleIntervalInDays or weekDay for this schedule ({id}), so its next runs cannot be computed; its time of day is 09:30 UTC."
            )),
            "{err}"
        );
        assert!(!err.contains("invalid"), "not a validation error: {err}");

        assert_eq!(explain.status.code(), Some(11), "{}", stderr(&explain));
        let sentence = stdout(&explain);
        assert!(sentence.contains("does not report"), "{sentence}");
        assert!(sentence.contains("09:30"), "{sentence}");
        assert!(!sentence.contains("Thursday"), "{sentence}");
        assert!(
            stderr(&explain).contains("so when it runs is unknown"),
            "{}",
            stderr(&explain)
        );

        assert_eq!(json.status.code(), Some(11));
        let v: Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(
            v["notReported"],
            serde_json::json!(["scheduleIntervalInDays", "weekDay"])
        );
    } else {
        assert!(out.status.success(), "{}", stderr(&out));
        let table = stdout(&out);
        assert_eq!(table.lines().count(), 4, "{table}");
        assert!(explain.status.success(), "{}", stderr(&explain));
        assert!(
            stdout(&explain).starts_with("Runs every Thursday at 09:30 UTC"),
            "{}",
            stdout(&explain)
        );
        assert!(json.status.success());
        let runs: Vec<Value> = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(runs.len(), 3);
        for r in &runs {
            let t: qualys_cs_core::jiff::Timestamp = r["utc"].as_str().unwrap().parse().unwrap();
            let d = qualys_cs_core::jiff::tz::TimeZone::UTC.to_datetime(t);
            assert_eq!(d.weekday(), qualys_cs_core::jiff::civil::Weekday::Thursday);
            assert_eq!((d.hour(), d.minute()), (9, 30));
        }
    }
}

/// `-r/--registry` and `registry get` take a UUID, a URI (scheme, trailing slash and case
/// ignored) or, where the server reports names, a name; a miss says which fields the server
/// offered and lists near matches.
fn registry_by_name_uri_or_uuid(wire: WireProfile) {
    let env = Env::new(wire);
    for r in [
        DEMO_REGISTRY_ID,
        "https://registry.demo.example",
        "registry.demo.example/",
        "HTTPS://Registry.Demo.Example",
    ] {
        env.cmd()
            .args(["schedule", "list", "-r", r])
            .assert()
            .success();
        env.cmd()
            .args(["-o", "json", "registry", "get", r])
            .assert()
            .success()
            .stdout(predicate::str::contains(DEMO_REGISTRY_ID));
    }
    let out = env
        .cmd()
        .args(["schedule", "list", "-r", "demo-registry"])
        .output()
        .unwrap();
    if env.oas() {
        assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("registry \"demo-registry\" was not found")
                && err.contains("registryUuid, registryUri")
                && err.contains("the server reports no registryName"),
            "{err}"
        );
    } else {
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = env
        .cmd()
        .args(["schedule", "list", "-r", "demo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("near matches")
            && err.contains(DEMO_REGISTRY_ID)
            && err.contains("https://registry.demo.example"),
        "{err}"
    );
    assert_eq!(
        err.contains("the server reports no registryName"),
        env.oas(),
        "{err}"
    );
}
