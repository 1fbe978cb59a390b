//! `qualys-cs registry create|update|validate|delete|connectors` against an in-process
//! emulator on both wire profiles: the secret only from the environment or standard input,
//! never in stdout/stderr (even at `-vv` and `QUALYS_CS_LOG=trace`) nor in the emulator's
//! journal; `--password VALUE` refused; local validation names the flags and sends nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use assert_cmd::Command;
use qualys_cs_emulator::{
    BlockingEmulatorHandle, DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator, WireProfile,
};
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

on_both_wires!(
    create_update_validate_delete_without_leaking_the_secret,
    secrets_are_never_arguments_and_bad_flags_send_nothing,
    embedded_emulator_at_trace_level_prints_no_secret,
);

const SECRET: &str = "reg-pw-Qm41-zz";
const ROTATED: &str = "reg-pw-Vt93-rotated";

struct Env {
    emu: BlockingEmulatorHandle,
    home: tempfile::TempDir,
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
        }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("qualys-cs").unwrap();
        c.env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("QUALYS_GATEWAY_URL", self.emu.url())
            .env("QUALYS_USERNAME", DEMO_USER)
            .env("QUALYS_PASSWORD", DEMO_PASSWORD)
            .env("QUALYS_CS_LOG", "trace")
            .timeout(Duration::from_secs(60));
        c
    }

    fn get(&self, path: &str) -> String {
        qualys_cs_client::install_crypto_provider();
        reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(format!("{}{path}", self.emu.url()))
            .send()
            .unwrap()
            .text()
            .unwrap()
    }

    fn registries(&self) -> Vec<Value> {
        serde_json::from_str(&self.get("/_emulator/registries")).unwrap()
    }

    fn posts_to(&self, suffix: &str) -> usize {
        let j: Vec<Value> = serde_json::from_str(&self.get("/_emulator/requests")).unwrap();
        j.iter()
            .filter(|e| {
                e["method"] == "POST" && e["path"].as_str().is_some_and(|p| p.ends_with(suffix))
            })
            .count()
    }
}

fn all_output(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn ok(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", all_output(out));
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn create_update_validate_delete_without_leaking_the_secret(wire: WireProfile) {
    let env = Env::new(wire);
    let uri = "https://registry.acme.example";
    let mut seen = String::new();

    // Create, the password from an environment variable.
    let out = env
        .cmd()
        .env("ACME_REGISTRY_PASSWORD", SECRET)
        .args([
            "-vv",
            "-o",
            "json",
            "registry",
            "create",
            "--type",
            "V2_PRIVATE",
            "--uri",
            uri,
        ])
        .args([
            "--registry-username",
            "ci-bot",
            "--password-env",
            "ACME_REGISTRY_PASSWORD",
        ])
        .output()
        .unwrap();
    seen += &all_output(&out);
    let created = ok(&out);
    let id = created["registryUuid"].as_str().unwrap().to_owned();
    assert_eq!(created["recovered"], false);
    let listed = env.registries();
    let reg = listed
        .iter()
        .find(|r| r["registryUuid"] == id.as_str())
        .unwrap();
    assert_eq!(reg["emulator"]["username"], "ci-bot");

    // Dry run: the body with *** instead of the secret, nothing sent.
    let out = env
        .cmd()
        .env("P", SECRET)
        .args([
            "registry",
            "create",
            "--type",
            "DockerHub",
            "--uri",
            "https://hub.example",
        ])
        .args([
            "--registry-username",
            "bot",
            "--password-env",
            "P",
            "--dry-run",
        ])
        .output()
        .unwrap();
    seen += &all_output(&out);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("***"));
    assert_eq!(env.posts_to("/csapi/v1.3/registry"), 1);

    // Update by URI, the new password from standard input: one credential change.
    let out = env
        .cmd()
        .args([
            "-vv",
            "registry",
            "update",
            uri,
            "--type",
            "V2_PRIVATE",
            "--uri",
            uri,
        ])
        .args(["--registry-username", "ci-bot", "--registry-password-stdin"])
        .write_stdin(format!("{ROTATED}\n"))
        .output()
        .unwrap();
    seen += &all_output(&out);
    assert!(out.status.success(), "{}", all_output(&out));
    let listed = env.registries();
    let reg = listed
        .iter()
        .find(|r| r["registryUuid"] == id.as_str())
        .unwrap();
    assert_eq!(reg["emulator"]["credentialRevision"], 1, "{reg}");

    // Validate: an existing registry is refused (exit 3); a new one accepted (exit 0).
    let out = env
        .cmd()
        .env("P", SECRET)
        .args(["registry", "validate", "--type", "V2_PRIVATE", "--uri", uri])
        .args(["--registry-username", "ci-bot", "--password-env", "P"])
        .output()
        .unwrap();
    seen += &all_output(&out);
    assert_eq!(out.status.code(), Some(3), "{}", all_output(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("not valid"));
    let out = env
        .cmd()
        .env("P", SECRET)
        .args(["-o", "json", "registry", "validate", "--type", "V2_PRIVATE"])
        .args([
            "--uri",
            "https://new.example",
            "--registry-username",
            "u",
            "--password-env",
            "P",
        ])
        .output()
        .unwrap();
    seen += &all_output(&out);
    assert_eq!(ok(&out)["valid"], true);

    // Connectors: the seeded ACR one.
    let out = env
        .cmd()
        .args(["-o", "json", "registry", "connectors", "acr"])
        .output()
        .unwrap();
    assert!(ok(&out)[0]["connectorId"].is_string());

    // Delete: refused without --yes off a terminal; with it, the registry goes.
    let out = env
        .cmd()
        .args(["registry", "delete", uri])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let out = env
        .cmd()
        .args(["registry", "delete", uri, DEMO_REGISTRY_ID, "--yes"])
        .output()
        .unwrap();
    seen += &all_output(&out);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(env.registries().is_empty());

    for secret in [SECRET, ROTATED] {
        assert!(!seen.contains(secret), "the secret was printed:\n{seen}");
        assert!(
            !env.get("/_emulator/requests").contains(secret),
            "the journal holds it"
        );
    }
    // The trace logs were really on (the test would prove nothing otherwise).
    assert!(seen.contains("TRACE") || seen.contains("DEBUG"), "{seen}");
}

fn secrets_are_never_arguments_and_bad_flags_send_nothing(wire: WireProfile) {
    let env = Env::new(wire);
    // --password VALUE is refused before anything runs, naming the ways to pass it.
    for args in [
        vec![
            "registry",
            "create",
            "--type",
            "V2_PRIVATE",
            "--uri",
            "https://r.example",
            "--password",
            SECRET,
        ],
        vec!["registry", "update", "x", "--password=x", "--type", "V2"],
    ] {
        let out = env.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            err.contains("--password-env") && err.contains("--registry-password-stdin"),
            "{err}"
        );
        assert!(!err.contains(SECRET), "{err}");
    }
    // A missing variable names the variable, not a value.
    let out = env
        .cmd()
        .args([
            "registry",
            "create",
            "--type",
            "V2_PRIVATE",
            "--uri",
            "https://r.example",
        ])
        .args([
            "--registry-username",
            "u",
            "--password-env",
            "NOT_SET_ANYWHERE",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", all_output(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOT_SET_ANYWHERE"));
    // Local validation: every problem, naming the flag; exit 3; nothing sent.
    let out = env
        .cmd()
        .args([
            "registry",
            "create",
            "--type",
            "Azure",
            "--uri",
            "https://a.azurecr.io",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", all_output(&out));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains("/connectorId") && err.contains("--connector-id"),
        "{err}"
    );
    let out = env
        .cmd()
        .env("P", SECRET)
        .args([
            "registry",
            "create",
            "--type",
            "V2_PRIVAT",
            "--uri",
            "https://r.example",
        ])
        .args(["--registry-username", "u", "--password-env", "P"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", all_output(&out));
    assert!(!all_output(&out).contains(SECRET));
    // The login's stdin and the registry's stdin cannot both be used.
    let out = env
        .cmd()
        .args([
            "--password-stdin",
            "registry",
            "create",
            "--type",
            "V2_PRIVATE",
        ])
        .args([
            "--uri",
            "https://r.example",
            "--registry-username",
            "u",
            "--registry-password-stdin",
        ])
        .write_stdin("x\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert_eq!(env.posts_to("/csapi/v1.3/registry"), 0);
    assert_eq!(env.posts_to("/auth"), 0);
}

/// With `--emulator` the emulator runs inside the CLI process, so its own logs (and hyper's,
/// axum's) share the CLI's stderr: at trace level the secret is in none of them, and the
/// registry persists between invocations.
fn embedded_emulator_at_trace_level_prints_no_secret(wire: WireProfile) {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut c = Command::cargo_bin("qualys-cs").unwrap();
        c.env_clear()
            .env("HOME", home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("QUALYS_CS_LOG", "trace")
            .env("ACME_PW", SECRET)
            .args(["--emulator", "--emulator-wire", wire.as_str(), "-o", "json"])
            .args(args)
            .timeout(Duration::from_secs(60));
        if let Some(s) = stdin {
            c.write_stdin(s.to_owned());
        }
        c.output().unwrap()
    };
    let uri = "https://embedded.example";
    let out = run(
        &[
            "registry",
            "create",
            "--type",
            "DockerHub",
            "--uri",
            uri,
            "--registry-username",
            "bot",
            "--password-env",
            "ACME_PW",
        ],
        None,
    );
    let mut seen = all_output(&out);
    ok(&out);
    let out = run(
        &[
            "registry",
            "update",
            uri,
            "--type",
            "DockerHub",
            "--uri",
            uri,
            "--registry-username",
            "bot",
            "--registry-password-stdin",
        ],
        Some(&format!("{ROTATED}\n")),
    );
    seen += &all_output(&out);
    ok(&out);
    let out = run(&["registry", "get", uri], None);
    seen += &all_output(&out);
    assert_eq!(ok(&out)["credential"]["username"], "bot");
    assert!(seen.contains("TRACE"), "trace logging was not on");
    for secret in [SECRET, ROTATED] {
        assert!(!seen.contains(secret), "the secret was printed");
    }
}
