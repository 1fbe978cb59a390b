//! The create guarantee of `docs/create-guarantee.md`, one test per line of it, on both wire
//! shapes: faults that really happen end with exactly one schedule per create, or with an
//! error naming the ids to check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use qualys_cs_client::{Client, CreateRecovery, ScheduleRequest};
use qualys_cs_emulator::WireProfile;
use serde_json::{Value, json};
use std::io::{Read as _, Write as _};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn named<'a>(raw: &'a [Value], name: &str) -> Vec<&'a Value> {
    raw.iter().filter(|s| s["name"] == name).collect()
}

fn posts(journal: &[Value]) -> usize {
    count(journal, "POST", "/schedule")
}

fn quick(emu: &qualys_cs_emulator::EmulatorHandle, mode: CreateRecovery) -> Client {
    client_for(emu)
        .create_recovery(mode)
        .create_settle_window(Duration::from_millis(600))
        .build()
        .unwrap()
}

/// A schedule with the same name that existed before the call is never returned, in any
/// mode: `AssumeUniqueNames` used to return it as "recovered" after a lost answer.
#[tokio::test]
async fn a_pre_existing_namesake_is_never_returned() {
    for wire in WireProfile::ALL {
        for mode in [
            CreateRecovery::AssumeUniqueNames,
            CreateRecovery::CreationCutoff,
            CreateRecovery::Snapshot,
        ] {
            let emu = start(builder().wire(wire)).await;
            let c = quick(&emu, mode);
            let reg = registry();
            let older = c
                .create_schedule(&reg, &on_demand("nightly"))
                .await
                .unwrap();
            // Older than the cutoff's margin.
            tokio::time::sleep(Duration::from_millis(2_300)).await;
            // The POST is processed, its answer is lost: the SAME content as the older one.
            add_fault(
                &emu,
                json!({"method": "POST", "path": "/csapi/v1.3/registry/*/schedule", "kind": "drop", "stage": "after"}),
            )
            .await;
            let created = c
                .create_schedule(&reg, &on_demand("nightly"))
                .await
                .unwrap();
            assert!(created.recovered, "{wire} {mode:?}");
            assert_ne!(
                created.schedule_uuid, older.schedule_uuid,
                "{wire} {mode:?}: the pre-existing schedule was returned"
            );
            let raw = raw_schedules(&emu).await;
            assert_eq!(
                named(&raw, "nightly").len(),
                2,
                "{wire} {mode:?}: one new, no duplicate"
            );
            emu.stop().await;
        }
    }
}

/// A same-named schedule that another client makes while this call's POST is lost is not
/// adopted when its content differs: this call sends again and gets its own schedule.
#[tokio::test]
async fn another_clients_namesake_is_not_adopted() {
    for wire in WireProfile::ALL {
        let emu = start(builder().wire(wire)).await;
        let a = quick(&emu, CreateRecovery::CreationCutoff);
        let b = client_for(&emu).build().unwrap();
        let reg = registry();
        // A warm-up call so client A knows the server's clock.
        a.list_registries(&Default::default()).await.unwrap();
        // B's schedule: same name, other content, made just before A's send (inside the
        // cutoff margin, so only the content tells them apart).
        let theirs = b
            .create_schedule(
                &reg,
                &ScheduleRequest::on_demand("race")
                    .repo("team/app")
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap();
        add_fault(
            &emu,
            json!({"method": "POST", "path": "/csapi/v1.3/registry/*/schedule", "kind": "drop", "stage": "before"}),
        )
        .await;
        let mine = a.create_schedule(&reg, &on_demand("race")).await.unwrap();
        assert_ne!(
            mine.schedule_uuid, theirs.schedule_uuid,
            "{wire}: A returned B's schedule (A's create silently lost)"
        );
        assert!(!mine.recovered, "{wire}");
        let raw = raw_schedules(&emu).await;
        let race = named(&raw, "race");
        assert_eq!(race.len(), 2, "{wire}: {race:#?}");
        let mine_raw = race
            .iter()
            .find(|s| s["scheduleUuid"] == mine.schedule_uuid.as_str())
            .unwrap();
        assert_eq!(
            mine_raw["filters"][0]["repoTags"][0]["repo"], "library/nginx",
            "{wire}: A's content"
        );
        emu.stop().await;
    }
}

/// A 429 that comes after the server acted (the emulator can answer so) makes no duplicate:
/// the client looks before sending again. Decision: a 429 on create is "maybe processed".
#[tokio::test]
async fn a_429_after_processing_is_not_duplicated() {
    for wire in WireProfile::ALL {
        let emu = start(builder().wire(wire)).await;
        let c = quick(&emu, CreateRecovery::CreationCutoff);
        let reg = registry();
        c.list_registries(&Default::default()).await.unwrap();
        add_fault(
            &emu,
            json!({"method": "POST", "path": "/csapi/v1.3/registry/*/schedule", "kind": "status", "status": 429, "stage": "after", "count": 3}),
        )
        .await;
        for i in 0..3 {
            let created = c
                .create_schedule(&reg, &on_demand(&format!("limited-{i}")))
                .await
                .unwrap();
            assert!(created.recovered, "{wire}");
        }
        let raw = raw_schedules(&emu).await;
        for i in 0..3 {
            assert_eq!(named(&raw, &format!("limited-{i}")).len(), 1, "{wire}");
        }
        // A 429 before processing: the look finds nothing, the create is sent again.
        add_fault(
            &emu,
            json!({"method": "POST", "path": "/csapi/v1.3/registry/*/schedule", "kind": "status", "status": 429, "stage": "before"}),
        )
        .await;
        clear_journal(&emu).await;
        let created = c
            .create_schedule(&reg, &on_demand("limited-x"))
            .await
            .unwrap();
        assert!(!created.recovered);
        assert_eq!(posts(&journal(&emu).await), 2, "{wire}");
        assert_eq!(named(&raw_schedules(&emu).await, "limited-x").len(), 1);
        emu.stop().await;
    }
}

/// With no fault, a create is exactly one call: no listing before the POST, in bulk too, and
/// the same when 2,000 schedules already share its name. After a lost answer, the look reads
/// only the newest page (the old client made 41 GETs here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_call_per_create_whatever_shares_the_name() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(log_level())
        .with_test_writer()
        .try_init();
    for wire in WireProfile::ALL {
        let emu = start(
            builder()
                .wire(wire)
                .rate_limit(1_000_000, Duration::from_secs(60)),
        )
        .await;
        let c = client_for(&emu).build().unwrap();
        let reg = registry();
        c.list_registries(&Default::default()).await.unwrap();
        let bulk = |n: usize| {
            let mut handles = Vec::new();
            for _ in 0..n {
                let (c, reg) = (c.clone(), reg.clone());
                handles.push(tokio::spawn(async move {
                    c.create_schedule(&reg, &on_demand("same")).await
                }));
            }
            handles
        };
        let n_existing: usize = std::env::var("QCS_EXISTING")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2_000);
        for h in bulk(n_existing) {
            h.await.unwrap().unwrap();
        }
        // Older than the cutoff's margin.
        tokio::time::sleep(Duration::from_millis(2_300)).await;
        clear_journal(&emu).await;
        for h in bulk(100) {
            h.await.unwrap().unwrap();
        }
        let cs = |j: &[Value]| {
            j.iter()
                .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/csapi")))
                .count()
        };
        assert_eq!(
            cs(&journal(&emu).await),
            100,
            "{wire}: calls for 100 creates"
        );

        clear_journal(&emu).await;
        tokio::time::sleep(Duration::from_millis(2_300)).await;
        add_fault(
            &emu,
            json!({"method": "POST", "path": "/csapi/v1.3/registry/*/schedule", "kind": "drop", "stage": "after"}),
        )
        .await;
        let created = c.create_schedule(&reg, &on_demand("same")).await.unwrap();
        assert!(created.recovered, "{wire}");
        assert_eq!(
            cs(&journal(&emu).await),
            2,
            "{wire}: one POST and one GET of the newest page"
        );
        assert_eq!(
            named(&raw_schedules(&emu).await, "same").len(),
            n_existing + 101,
            "{wire}"
        );
        emu.stop().await;
    }
}

/// A tiny HTTP listener on `addr` that answers every request with `answer` and records what
/// it received.
fn listener(addr: &str, answer: String) -> (u16, Arc<Mutex<Vec<String>>>) {
    let l = std::net::TcpListener::bind(addr).unwrap();
    let port = l.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(mut s) = stream else { break };
            s.set_read_timeout(Some(Duration::from_millis(300))).ok();
            let mut buf = vec![0u8; 16 * 1024];
            let mut got = Vec::new();
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got);
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let len = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if got.len() >= head_end + 4 + len {
                        break;
                    }
                }
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&got).into_owned());
            let _ = s.write_all(answer.as_bytes());
        }
    });
    (port, seen)
}

/// A 307/308 from `/auth` (or from a CS call) to another origin is never followed: the
/// username, the password and the token never reach it.
#[tokio::test]
async fn redirects_never_carry_credentials() {
    let (evil_port, evil_seen) = listener(
        "127.0.0.2:0",
        "HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\njwt".into(),
    );
    for status in ["307 Temporary Redirect", "308 Permanent Redirect"] {
        let (port, seen) = listener(
            "127.0.0.1:0",
            format!(
                "HTTP/1.1 {status}\r\nLocation: http://127.0.0.2:{evil_port}/auth\r\nContent-Length: 0\r\n\r\n"
            ),
        );
        let c = Client::builder()
            .gateway_url(format!("http://127.0.0.1:{port}"))
            .credentials("demo_user", "pw-never-forwarded")
            .retry(fast_retry())
            .build()
            .unwrap();
        let err = c
            .list_registries(&Default::default())
            .await
            .expect_err("a redirect is an error");
        assert!(!err.to_string().contains("pw-never-forwarded"), "{err}");
        assert!(!seen.lock().unwrap().is_empty(), "the gateway was asked");
        // A fixed token on a CS call: not forwarded either.
        let c = Client::builder()
            .gateway_url(format!("http://127.0.0.1:{port}"))
            .token("tok-never-forwarded")
            .retry(fast_retry())
            .build()
            .unwrap();
        c.list_registries(&Default::default())
            .await
            .expect_err("a redirect is an error");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let evil = evil_seen.lock().unwrap();
    assert!(evil.is_empty(), "the other origin received: {:?}", *evil);
}

const CREATE: &str = "/csapi/v1.3/registry/*/schedule";

/// The server finishes the first attempt 2.5 s late against a 1 s timeout (a slow gateway):
/// the client keeps looking through the settle window (default: 5 s here) and finds it,
/// instead of sending again. The old client made 2 schedules of 5 of 5 names.
#[tokio::test]
async fn late_completion_within_the_settle_window() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(log_level())
        .with_test_writer()
        .try_init();
    for wire in WireProfile::ALL {
        let emu = start(builder().wire(wire)).await;
        // The default settle window for a 1 s timeout (twice it, at least 5 s).
        let c = client_for(&emu)
            .request_timeout(Duration::from_secs(1))
            .create_settle_window(Duration::from_secs(5))
            .build()
            .unwrap();
        let reg = registry();
        c.list_registries(&Default::default()).await.unwrap();
        for i in 0..2 {
            add_fault(
                &emu,
                json!({"method": "POST", "path": CREATE, "kind": "late", "latencyMs": 2500}),
            )
            .await;
            let name = format!("late-{i}");
            let created = c.create_schedule(&reg, &on_demand(&name)).await.unwrap();
            assert!(created.recovered, "{wire}: found, not sent again");
            let raw = raw_schedules(&emu).await;
            let mine = named(&raw, &name);
            assert_eq!(mine.len(), 1, "{wire}: {mine:#?}");
            assert_eq!(mine[0]["scheduleUuid"], created.schedule_uuid.as_str());
        }
        emu.stop().await;
    }
}

/// The first attempt lands after the settle window but before the re-send's answer: the
/// client's last look after the re-send finds the surplus identical schedule and deletes it.
#[tokio::test]
async fn late_completion_after_the_resend_is_removed() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(log_level())
        .with_test_writer()
        .try_init();
    for wire in WireProfile::ALL {
        let emu = start(builder().wire(wire)).await;
        let c = client_for(&emu)
            .request_timeout(Duration::from_secs(1))
            .create_settle_window(Duration::from_millis(400))
            .build()
            .unwrap();
        let reg = registry();
        c.list_registries(&Default::default()).await.unwrap();
        // Both POSTs wait 800 ms; the first is then processed 1.2 s later still (2 s after it
        // arrived; the client gave up after 1 s and sent again after its 400 ms settle
        // window), so the late one has landed when the re-send's answer comes (~2.3 s) and
        // the client looks once more.
        add_fault(
            &emu,
            json!({"method": "POST", "path": CREATE, "kind": "late", "latencyMs": 1200}),
        )
        .await;
        add_fault(
            &emu,
            json!({"method": "POST", "path": CREATE, "kind": "latency", "latencyMs": 800, "count": 2}),
        )
        .await;
        let created = c
            .create_schedule(&reg, &on_demand("late-surplus"))
            .await
            .unwrap();
        assert!(!created.recovered, "{wire}");
        assert_eq!(created.removed_surplus.len(), 1, "{wire}: {created:?}");
        let raw = raw_schedules(&emu).await;
        let mine = named(&raw, "late-surplus");
        assert_eq!(mine.len(), 1, "{wire}: {mine:#?}");
        assert_eq!(mine[0]["scheduleUuid"], created.schedule_uuid.as_str());
        emu.stop().await;
    }
}

/// The same-name race through the emulator's second-client fault: another client
/// creates the same name (other content) just before this call's POST, which is lost before
/// processing. The old client returned the other client's id as "recovered".
#[tokio::test]
async fn a_twin_with_other_content_is_never_adopted() {
    for wire in WireProfile::ALL {
        let emu = start(builder().wire(wire)).await;
        let c = quick(&emu, CreateRecovery::CreationCutoff);
        let reg = registry();
        c.list_registries(&Default::default()).await.unwrap();
        add_fault(
            &emu,
            json!({"method": "POST", "path": CREATE, "kind": "twin", "twin": "different"}),
        )
        .await;
        add_fault(
            &emu,
            json!({"method": "POST", "path": CREATE, "kind": "drop", "stage": "before"}),
        )
        .await;
        let created = c
            .create_schedule(&reg, &on_demand("twinned"))
            .await
            .unwrap();
        let raw = raw_schedules(&emu).await;
        let all = named(&raw, "twinned");
        assert_eq!(all.len(), 2, "{wire}: the twin and ours: {all:#?}");
        let mine = all
            .iter()
            .find(|s| s["scheduleUuid"] == created.schedule_uuid.as_str())
            .expect("ours exists");
        assert_eq!(
            mine["filters"][0]["repoTags"][0]["repo"], "library/nginx",
            "{wire}: the returned schedule is ours, not the twin"
        );
        emu.stop().await;
    }
}

/// An identical twin made while this call's answer is lost cannot be told apart: the client
/// reports a `conflict` naming both ids instead of guessing.
#[tokio::test]
async fn identical_twins_are_reported() {
    for wire in WireProfile::ALL {
        let emu = start(builder().wire(wire)).await;
        let c = quick(&emu, CreateRecovery::CreationCutoff);
        let reg = registry();
        c.list_registries(&Default::default()).await.unwrap();
        add_fault(
            &emu,
            json!({"method": "POST", "path": CREATE, "kind": "twin", "twin": "identical"}),
        )
        .await;
        add_fault(
            &emu,
            json!({"method": "POST", "path": CREATE, "kind": "drop", "stage": "after"}),
        )
        .await;
        let err = c
            .create_schedule(&reg, &on_demand("identical"))
            .await
            .expect_err("ambiguous");
        assert_eq!(err.code(), "conflict", "{wire}: {err}");
        let raw = raw_schedules(&emu).await;
        let all = named(&raw, "identical");
        assert_eq!(all.len(), 2, "{wire}");
        for s in all {
            let id = s["scheduleUuid"].as_str().unwrap();
            assert!(err.to_string().contains(id), "{wire}: {err} names {id}");
        }
        emu.stop().await;
    }
}

/// `RUST_LOG=debug` (a bare level) shows the client's log in a failing test; default: none.
fn log_level() -> tracing_subscriber::filter::LevelFilter {
    std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(tracing_subscriber::filter::LevelFilter::OFF)
}
