//! SQLite persistence: a restart on the same data directory keeps schedules, their statuses
//! and the clock; and the binary, killed with SIGKILL mid-load, loses no acknowledged create.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::*;
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator, WireProfile};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::{BufRead as _, Read as _};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

wire_tests!(
    schedules_and_clock_survive_a_restart_on_the_same_data_dir,
    binary_killed_mid_load_keeps_every_acknowledged_create,
);

async fn schedules_and_clock_survive_a_restart_on_the_same_data_dir(wire: WireProfile) {
    let dir = tempfile::tempdir().unwrap();
    // A start in the future of the machine's clock, so the restarted clock resumes from the
    // saved time (it starts at max(machine time, saved time)).
    let start_at: jiff::Timestamp = "2100-01-01T00:00:00Z".parse().unwrap();
    let env = start(
        Emulator::builder()
            .wire(wire)
            .clock_start(start_at)
            .data_dir(dir.path()),
    )
    .await;
    let a = env.create(&on_demand("a")).await;
    // Unknown fields survive too (in their own column), and still never shadow.
    let mut c = on_demand("c");
    c["status"] = json!("Running");
    c["ticket"] = json!("T-1");
    let c = env.create(&c).await;
    let b = env.create(&daily("b", "03:00")).await;
    env.advance(2.0).await;
    assert_eq!(env.status_of(&a).await, "Running");
    let before = env.list("").await;
    let settings: Value = env
        .control(reqwest::Method::GET, "/_emulator/settings", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        settings["dataFile"]
            .as_str()
            .unwrap()
            .ends_with("emulator.sqlite3")
    );
    env.emu.stop().await;

    // No clock_start: the clock resumes from the saved time, 2 s after the start.
    let env2 = start(
        Emulator::builder()
            .wire(wire)
            .data_dir(dir.path())
            .token_ttl(Duration::from_secs(30 * 86_400)),
    )
    .await;
    let after = env2.list("").await;
    assert_eq!(after["count"], 3);
    let raw = env2.emu.schedules().unwrap();
    assert_eq!(
        raw[1]["emulator"]["unknownFields"],
        json!({"status": "Running", "ticket": "T-1"})
    );
    assert_eq!(raw[1]["scheduleUuid"], c);
    assert_eq!(raw[1]["status"], "Running", "c's job runs like a's: 2 s in");
    assert_eq!(
        after["data"], before["data"],
        "everything listed comes back as it was"
    );
    let c: Value = env2
        .control(reqwest::Method::GET, "/_emulator/clock", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["now"], "2100-01-01T00:00:02Z");
    // Pending work goes on: the on-demand job completes, the daily schedule still fires.
    env2.advance(2.0).await;
    assert_eq!(env2.status_of(&a).await, "Completed");
    env2.advance(86_400.0 * 2.0).await;
    assert_eq!(env2.status_of(&b).await, "Completed");
}

struct Proc {
    child: Child,
    url: String,
}

fn binary() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_qualys-cs-emulator"));
    c.env("RUST_LOG", "warn")
        .env_remove("QUALYS_CS_EMULATOR_WIRE")
        .env_remove("QUALYS_CS_EMULATOR_CONTROL_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c
}

fn spawn_binary(dir: &std::path::Path, wire: WireProfile) -> Proc {
    let mut cmd = binary();
    cmd.args(["--port", "0", "--rate-limit", "1000000/60", "--data-dir"])
        .arg(dir)
        .args(["--wire", wire.as_str()]);
    spawn(cmd)
}

fn spawn(mut cmd: Command) -> Proc {
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line was {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    Proc { child, url }
}

async fn all_ids(http: &reqwest::Client, base: &str, token: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut page = 1;
    loop {
        let r = http
            .get(format!(
                "{base}/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/schedule?pageSize=1000&pageNumber={page}"
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        let data = v["data"].as_array().unwrap();
        ids.extend(
            data.iter()
                .map(|s| s["scheduleUuid"].as_str().unwrap().to_owned()),
        );
        if data.len() < 1000 {
            return ids;
        }
        page += 1;
    }
}

async fn binary_killed_mid_load_keeps_every_acknowledged_create(wire: WireProfile) {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_binary(dir.path(), wire);
    let http = http();
    let token = login_ok(&http, &p.url, DEMO_USER, DEMO_PASSWORD).await;

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (http, url, token, acked) = (http.clone(), p.url.clone(), token.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let r = http
                    .post(format!(
                        "{url}/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/schedule"
                    ))
                    .bearer_auth(&token)
                    .json(&on_demand(&format!("load-{w}-{i}")))
                    .send()
                    .await;
                let Ok(r) = r else { return };
                if r.status() != StatusCode::OK {
                    return;
                }
                let Ok(text) = r.text().await else {
                    return;
                };
                // Either profile's answer (`{"scheduleUuid"}` or a bare string), as core reads it.
                let id = qualys_cs_core::CreateResponse::from_body(&text).unwrap();
                acked.lock().unwrap().push(id.schedule_uuid.to_string());
            }
        }));
    }
    // Let the load run, then kill -9 while requests are in flight.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while acked.lock().unwrap().len() < 300 {
        assert!(std::time::Instant::now() < deadline, "load did not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    p.child.kill().unwrap(); // SIGKILL on Unix
    p.child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked: BTreeSet<String> = acked.lock().unwrap().iter().cloned().collect();
    assert!(acked.len() >= 300);

    let mut p2 = spawn_binary(dir.path(), wire);
    let token = login_ok(&http, &p2.url, DEMO_USER, DEMO_PASSWORD).await;
    let stored = all_ids(&http, &p2.url, &token).await;
    eprintln!(
        "acknowledged {} creates before SIGKILL; {} stored after restart",
        acked.len(),
        stored.len()
    );
    let lost: Vec<&String> = acked.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged creates lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    // At most the in-flight ones (committed, answer never read) are extra.
    assert!(
        stored.len() - acked.len() <= 8,
        "{} stored vs {} acked",
        stored.len(),
        acked.len()
    );
    p2.child.kill().unwrap();
    p2.child.wait().unwrap();
}

async fn settings_of(p: &Proc) -> Value {
    http()
        .get(format!("{}/_emulator/settings", p.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn stop(mut p: Proc) {
    p.child.kill().unwrap();
    p.child.wait().unwrap();
}

/// The binary takes the profile from `--wire`, else `QUALYS_CS_EMULATOR_WIRE`, else the
/// config file's `wire`, else `full`; a bad value is refused naming the valid ones; the
/// first stdout line stays `listening on URL`.
#[tokio::test]
async fn binary_takes_the_wire_profile_from_flag_env_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.json");
    std::fs::write(&config, r#"{"wire": "oas2021"}"#).unwrap();
    let toml = dir.path().join("c.toml");
    std::fs::write(&toml, "wire = \"oas2021\"\n").unwrap();

    let cases: Vec<(Vec<&str>, Option<&str>, &str)> = vec![
        (vec![], None, "full"),
        (vec!["--wire", "oas2021"], None, "oas2021"),
        (vec![], Some("oas2021"), "oas2021"),
        (vec!["--wire", "full"], Some("oas2021"), "full"),
        (vec!["--config", config.to_str().unwrap()], None, "oas2021"),
        (vec!["--config", toml.to_str().unwrap()], None, "oas2021"),
        (
            vec!["--config", config.to_str().unwrap(), "--wire", "full"],
            None,
            "full",
        ),
    ];
    for (args, env, want) in cases {
        let mut cmd = binary();
        cmd.args(["--in-memory", "--port", "0"]).args(&args);
        if let Some(e) = env {
            cmd.env("QUALYS_CS_EMULATOR_WIRE", e);
        }
        let p = spawn(cmd);
        let settings = settings_of(&p).await;
        assert_eq!(settings["wire"], want, "{args:?} {env:?}");
        if want == "oas2021" {
            // The answers have the profile's shape.
            let http = http();
            let token = login_ok(&http, &p.url, DEMO_USER, DEMO_PASSWORD).await;
            let r = http
                .post(format!(
                    "{}/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/schedule",
                    p.url
                ))
                .bearer_auth(&token)
                .json(&on_demand("x"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            assert!(r.json::<Value>().await.unwrap().is_string());
        }
        stop(p);
    }

    // Unknown values: exit code 2 and a message listing the valid ones.
    for (args, env) in [(vec!["--wire", "oas2020"], None), (vec![], Some("FULLER"))] {
        let mut cmd = binary();
        cmd.args(["--in-memory", "--port", "0"])
            .args(&args)
            .stderr(Stdio::piped());
        if let Some(e) = env {
            cmd.env("QUALYS_CS_EMULATOR_WIRE", e);
        }
        let mut child = cmd.spawn().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("expected one of full, oas2021"), "{err}");
    }
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"wire": "oas"}"#).unwrap();
    let mut cmd = binary();
    cmd.args(["--in-memory", "--port", "0", "--config"])
        .arg(&bad)
        .stderr(Stdio::piped());
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("wire") && err.contains("oas2021"), "{err}");
}
