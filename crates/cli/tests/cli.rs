//! Runs the `qualys-cs` binary against an in-process emulator (real HTTP, port 0).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use assert_cmd::Command;
use predicates::prelude::*;
use qualys_cs_emulator::{
    BlockingEmulatorHandle, DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator,
};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

struct Env {
    emu: BlockingEmulatorHandle,
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let emu = Emulator::builder()
            .in_memory()
            .start_blocking()
            .expect("emulator");
        Env {
            emu,
            home: tempfile::tempdir().unwrap(),
        }
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

macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => filters(), prepend_module_to_snapshot => false}, {
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

#[test]
fn registry_commands_in_every_output_format() {
    let env = Env::new();
    for fmt in ["table", "json", "yaml"] {
        let out = env
            .cmd()
            .args(["-o", fmt, "registry", "list"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        snap!(format!("registry_list_{fmt}"), stdout(&out));
    }
    let out = env
        .cmd()
        .args(["registry", "get", DEMO_REGISTRY_ID])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    snap!("registry_get_table", stdout(&out));
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

#[test]
fn create_list_get_update_delete_round_trip() {
    let env = Env::new();
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
    assert_eq!(s["weekDay"], "THURSDAY");
    assert_eq!(s["schedule"], "09:30");
    assert_eq!(s["scheduleIntervalInDays"], 7);
    assert_eq!(s["additionalFilters"]["numberOfTags"], 5);

    let out = env.cmd().args(["schedule", "list"]).output().unwrap();
    snap!("schedule_list_table", stdout(&out));
    let out = env
        .cmd()
        .args(["-o", "yaml", "schedule", "get", &id])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    snap!("schedule_get_yaml", stdout(&out));

    let out = env
        .cmd()
        .args([
            "schedule", "update", &id, "--weekly", "MONDAY", "--at", "02:00", "--latest", "0",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env
        .cmd()
        .args(["-o", "json", "schedule", "get", &id])
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["weekDay"], "MONDAY");
    assert_eq!(s["schedule"], "02:00");
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

#[test]
fn validation_errors_print_like_a_compiler_and_send_nothing() {
    let env = Env::new();
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
    assert!(
        err.contains("error: /forceScan: forceScan is only valid"),
        "{err}"
    );
    assert!(err.contains("(force_scan_interval_too_short)"), "{err}");
    assert!(
        err.contains("error: /filters/0/repoTags/0/repo: repo must not contain whitespace"),
        "{err}"
    );
    assert!(err.contains("2 problems; nothing was sent"), "{err}");
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

#[test]
fn dry_run_create_and_apply_send_nothing() {
    let env = Env::new();
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

#[test]
fn plan_apply_and_reapply_is_a_no_op() {
    let env = Env::new();
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

    env.cmd()
        .args(["plan", "-f", file, "--detailed-exitcode"])
        .assert()
        .code(0);
    env.clear_journal();
    let out = env
        .cmd()
        .args(["apply", "-f", file, "--yes"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("No changes."), "{}", stdout(&out));
    assert!(env.writes().is_empty());

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
    assert_eq!(upd.len(), 1, "{p}");
    assert_eq!(upd[0]["name"], "nightly");
}

#[test]
fn next_runs_and_explain_from_flags() {
    let env = Env::new();
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

#[test]
fn wait_follows_the_emulator_clock() {
    let env = Env::new();
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

#[test]
fn cancel_and_bulk_delete() {
    let env = Env::new();
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

#[test]
fn password_stdin_and_exit_codes_and_no_secret_in_output() {
    let env = Env::new();
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

#[test]
fn embedded_emulator_persists_between_invocations() {
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
}

#[test]
fn emulator_serve_prints_its_address_first_and_completions_work() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("qualys-cs"))
        .args(["emulator", "serve", "--in-memory"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");

    let out = Command::cargo_bin("qualys-cs")
        .unwrap()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains("qualys-cs"));
}
