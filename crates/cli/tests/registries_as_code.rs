//! `qualys-cs validate|plan|apply -f` with registries the file manages (issue 17), against an
//! in-process emulator on both wire profiles: the issue's done-when scenario end to end, with
//! every command at `-vv` and `QUALYS_CS_LOG=trace`, and no password in any output, log line
//! or the emulator's journal.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use assert_cmd::Command;
use qualys_cs_emulator::{BlockingEmulatorHandle, DEMO_PASSWORD, DEMO_USER, Emulator, WireProfile};
use serde_json::Value;
use std::time::Duration;

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

on_both_wires!(done_when_two_managed_registries_three_schedules);

const PASSWORD_V1: &str = "Acme-Cli-Pw-One-5e2d";
const PASSWORD_V2: &str = "Acme-Cli-Pw-Two-91fb";
const HUB_PASSWORD: &str = "Hub-Cli-Pw-c07a11";

struct Env {
    emu: BlockingEmulatorHandle,
    home: tempfile::TempDir,
    /// Every byte every command printed.
    seen: std::cell::RefCell<String>,
}

impl Env {
    fn new(wire: WireProfile) -> Env {
        let emu = Emulator::builder()
            .in_memory()
            .wire(wire)
            .start_blocking()
            .expect("emulator");
        Env {
            emu,
            home: tempfile::tempdir().unwrap(),
            seen: Default::default(),
        }
    }

    fn file(&self, rotated_at: Option<&str>, ensure: &str) -> std::path::PathBuf {
        let rotated = rotated_at
            .map(|t| format!(", rotatedAt: \"{t}\""))
            .unwrap_or_default();
        let text = format!(
            r#"version: 1
registries:
  - registry: registry.acme.example
    manage:
      type: V2_PRIVATE
      uri: https://registry.acme.example
      credential: {{username: ci-bot, passwordEnv: ACME_REGISTRY_PASSWORD{rotated}}}
      ensure: {ensure}
    schedules:
      - {{name: nightly-app, daily: "02:00", repos: [app]}}
      - {{name: weekly-base, weekly: {{day: MONDAY, at: "03:00"}}, repos: [base]}}
  - registry: https://registry-1.docker.io
    manage:
      type: DockerHub
      dockerHubOrgName: acme
      credential: {{username: acmebot, passwordEnv: DOCKERHUB_PASSWORD}}
      ensure: {ensure}
    schedules:
      - {{name: hub-every-3, every: 3, repos: [acme/web]}}
"#
        );
        let p = self.home.path().join("registries.yaml");
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Runs the CLI at trace level with the registry secrets in its environment.
    fn run(&self, password: &str, args: &[&str]) -> std::process::Output {
        let out = Command::cargo_bin("qualys-cs")
            .unwrap()
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("QUALYS_GATEWAY_URL", self.emu.url())
            .env("QUALYS_USERNAME", DEMO_USER)
            .env("QUALYS_PASSWORD", DEMO_PASSWORD)
            .env("QUALYS_CS_LOG", "trace")
            .env("RUST_LOG", "trace")
            .env("ACME_REGISTRY_PASSWORD", password)
            .env("DOCKERHUB_PASSWORD", HUB_PASSWORD)
            .arg("-vv")
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        self.seen.borrow_mut().push_str(&all_output(&out));
        out
    }

    fn get(&self, path: &str) -> Value {
        qualys_cs_client::install_crypto_provider();
        reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(format!("{}{path}", self.emu.url()))
            .send()
            .unwrap()
            .json()
            .unwrap()
    }

    /// `(uuid, uri)` of every registry, sorted.
    fn registries(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .get("/_emulator/registries")
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["registryUuid"].as_str().unwrap_or_default().to_owned(),
                    r["registryUri"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    }

    /// `METHOD path` of every write to the API, in order.
    fn writes(&self) -> Vec<String> {
        self.get("/_emulator/requests")
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["method"] != "GET")
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
}

fn all_output(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn json_ok(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", all_output(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn registry_actions(plan: &Value) -> Vec<String> {
    plan["registries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_owned())
        .collect()
}

fn schedule_actions(plan: &Value) -> Vec<String> {
    plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_owned())
        .collect()
}

fn done_when_two_managed_registries_three_schedules(wire: WireProfile) {
    let env = Env::new(wire);
    let before = env.registries();
    let file = env.file(None, "present");
    let f = file.to_str().unwrap();

    // validate: the file is valid and manages two registries.
    let out = env.run(PASSWORD_V1, &["validate", "-f", f]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("3 schedule(s) in 2 registries (2 managed)"),
        "{}",
        all_output(&out)
    );

    // plan from nothing: two registry creates first, then three schedule creates.
    let plan = json_ok(&env.run(PASSWORD_V1, &["-o", "json", "plan", "-f", f]));
    assert_eq!(registry_actions(&plan), ["create", "create"]);
    assert_eq!(schedule_actions(&plan), ["create", "create", "create"]);
    let out = env.run(PASSWORD_V1, &["plan", "-f", f]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.starts_with("registries:\n"), "{text}");
    assert!(text.contains("Registries: 2 to create"), "{text}");

    // --remote-validate asks the service about both, and creates nothing.
    let out = env.run(PASSWORD_V1, &["plan", "--remote-validate", "-f", f]);
    assert!(out.status.success(), "{}", all_output(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("registry.acme.example: accepted")
            && text.contains("https://registry-1.docker.io: accepted"),
        "{text}"
    );
    assert_eq!(env.registries(), before);
    // The emulator refuses a password that starts with "reject": the plan says so, exit 3.
    let out = env.run(
        "reject-this-password",
        &["plan", "--remote-validate", "-f", f],
    );
    assert_eq!(out.status.code(), Some(3), "{}", all_output(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("registry.acme.example: REFUSED"), "{text}");
    assert!(!all_output(&out).contains("reject-this-password"));
    let validations = env
        .writes()
        .iter()
        .filter(|w| w.ends_with("/registry/validate"))
        .count();
    assert_eq!(validations, 4);

    // apply creates all five: the registries before their schedules.
    let n_writes = env.writes().len();
    let report = json_ok(&env.run(PASSWORD_V1, &["-o", "json", "apply", "-y", "-f", f]));
    assert_eq!(report["registries"].as_array().unwrap().len(), 2);
    assert!(
        report["registries"]
            .as_array()
            .unwrap()
            .iter()
            .chain(report["items"].as_array().unwrap())
            .all(|i| i["outcome"] == "applied"),
        "{report}"
    );
    let writes: Vec<String> = env.writes()[n_writes..].to_vec();
    assert_eq!(writes.len(), 5, "{writes:#?}");
    assert!(
        writes[..2].iter().all(|w| w == "POST /csapi/v1.3/registry"),
        "{writes:#?}"
    );
    assert!(
        writes[2..].iter().all(|w| w.ends_with("/schedule")),
        "{writes:#?}"
    );
    assert_eq!(env.registries().len(), before.len() + 2);

    // A second plan: no registry change (and on the full wire, no change at all).
    let plan = json_ok(&env.run(PASSWORD_V1, &["-o", "json", "plan", "-f", f]));
    assert_eq!(registry_actions(&plan), ["unchanged", "unchanged"]);
    if wire == WireProfile::Full {
        let out = env.run(PASSWORD_V1, &["plan", "--detailed-exitcode", "-f", f]);
        assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    }

    // The password changes, and the file says when it did: one registry update.
    let updated = env
        .get("/_emulator/registries")
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["registryUri"] == "https://registry.acme.example")
        .and_then(|r| {
            r["updated"]
                .as_str()
                .map(str::to_owned)
                .or(r["updated"].as_i64().map(|n| n.to_string()))
        })
        .expect("the registry reports updated");
    let updated: i64 = updated.parse().unwrap();
    let rotated = qualys_cs_core::jiff::Timestamp::from_millisecond(updated + 1)
        .unwrap()
        .to_string();
    std::thread::sleep(Duration::from_millis(20));
    let file = env.file(Some(&rotated), "present");
    let f = file.to_str().unwrap();
    let plan = json_ok(&env.run(PASSWORD_V2, &["-o", "json", "plan", "-f", f]));
    assert_eq!(registry_actions(&plan), ["update", "unchanged"]);
    let out = env.run(PASSWORD_V2, &["plan", "-f", f]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("credential changed (rotatedAt"), "{text}");
    assert!(
        text.contains("Registries: 0 to create, 1 to update"),
        "{text}"
    );
    let out = env.run(PASSWORD_V2, &["plan", "--remote-validate", "-f", f]);
    assert!(out.status.success(), "{}", all_output(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("registry.acme.example: not asked (exists already"),
        "{text}"
    );
    let n_writes = env.writes().len();
    let out = env.run(PASSWORD_V2, &["apply", "-y", "-f", f]);
    assert!(out.status.success(), "{}", all_output(&out));
    let registry_puts: Vec<String> = env.writes()[n_writes..]
        .iter()
        .filter(|w| w.starts_with("PUT") && !w.contains("/schedule"))
        .cloned()
        .collect();
    assert_eq!(registry_puts.len(), 1, "{registry_puts:?}");
    let plan = json_ok(&env.run(PASSWORD_V2, &["-o", "json", "plan", "-f", f]));
    assert_eq!(registry_actions(&plan), ["unchanged", "unchanged"]);

    // ensure: absent on both: the three schedules go first, then the two registries.
    let file = env.file(None, "absent");
    let f = file.to_str().unwrap();
    let n_writes = env.writes().len();
    let out = env.run(PASSWORD_V2, &["apply", "-y", "-f", f]);
    assert!(out.status.success(), "{}", all_output(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("delete registry registry.acme.example: done"),
        "{text}"
    );
    let writes: Vec<String> = env.writes()[n_writes..].to_vec();
    assert_eq!(writes.len(), 5, "{writes:#?}");
    assert!(
        writes[..3]
            .iter()
            .all(|w| w.starts_with("DELETE") && w.contains("/schedule/")),
        "{writes:#?}"
    );
    assert!(
        writes[3..]
            .iter()
            .all(|w| w.starts_with("DELETE") && !w.contains("/schedule")),
        "{writes:#?}"
    );
    // Every registry the file does not name is left alone.
    assert_eq!(env.registries(), before);

    // A literal password in the file is refused, naming the line, never the value.
    let bad = env.home.path().join("literal.yaml");
    std::fs::write(
        &bad,
        format!("registries:\n  - registry: r.example\n    manage:\n      type: V2_PRIVATE\n      credential: {{username: u, password: {PASSWORD_V1}}}\n"),
    )
    .unwrap();
    let out = env.run(PASSWORD_V1, &["validate", "-f", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let text = all_output(&out);
    assert!(text.contains("literal.yaml:5"), "{text}");
    assert!(text.contains("literal_secret"), "{text}");

    // Nothing any command printed, at trace level, and nothing in the journal holds a
    // secret — and the journal held the registry bodies (so the check can fail).
    let seen = env.seen.borrow().clone();
    assert!(
        seen.contains("TRACE") || seen.contains("trace"),
        "trace logs were on"
    );
    let journal = env.get("/_emulator/requests").to_string();
    assert!(journal.contains("registry.acme.example"));
    for (what, text) in [("output", &seen), ("journal", &journal)] {
        for s in [PASSWORD_V1, PASSWORD_V2, HUB_PASSWORD] {
            assert!(!text.contains(s), "the {what} holds a secret");
        }
    }
}

/// `validate` works offline; an unresolvable secret reference is a warning naming the
/// variable (validation may run where the secrets are not), never an error.
#[test]
fn validate_warns_about_a_secret_reference_it_cannot_resolve() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("state.yaml");
    std::fs::write(
        &file,
        "registries:\n  - registry: r.example\n    manage:\n      type: V2_PRIVATE\n      credential: {username: u, passwordEnv: QCS_SURELY_UNSET_17}\n",
    )
    .unwrap();
    let out = Command::cargo_bin("qualys-cs")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .args(["validate", "-f", file.to_str().unwrap()])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("secret_unresolved"), "{text}");
    assert!(
        text.contains("environment variable QCS_SURELY_UNSET_17 is not set"),
        "{text}"
    );
    assert!(text.contains("state.yaml:3"), "{text}");
}
