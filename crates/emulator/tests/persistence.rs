//! SQLite persistence: a restart on the same data directory keeps schedules, their statuses
//! and the clock; and the binary, killed with SIGKILL mid-load, loses no acknowledged create.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test]
async fn schedules_and_clock_survive_a_restart_on_the_same_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    // A start in the future of the machine's clock, so the restarted clock resumes from the
    // saved time (it starts at max(machine time, saved time)).
    let start_at: jiff::Timestamp = "2100-01-01T00:00:00Z".parse().unwrap();
    let env = start(
        Emulator::builder()
            .clock_start(start_at)
            .data_dir(dir.path()),
    )
    .await;
    let a = env.create(&on_demand("a")).await;
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
            .data_dir(dir.path())
            .token_ttl(Duration::from_secs(30 * 86_400)),
    )
    .await;
    let after = env2.list("").await;
    assert_eq!(after["count"], 2);
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

fn spawn_binary(dir: &std::path::Path) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qualys-cs-emulator"))
        .args(["--port", "0", "--rate-limit", "1000000/60", "--data-dir"])
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
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

#[tokio::test]
async fn binary_killed_mid_load_keeps_every_acknowledged_create() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_binary(dir.path());
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
                let Ok(v) = r.json::<Value>().await else {
                    return;
                };
                acked
                    .lock()
                    .unwrap()
                    .push(v["scheduleUuid"].as_str().unwrap().to_owned());
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

    let mut p2 = spawn_binary(dir.path());
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
