//! Under abuse: the journal stays bounded, the control routes need their token beyond
//! loopback, slow clients are cut off, a long clock advance does not stall other requests,
//! a corrupt stored row is skipped, and secrets never reach the journal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::*;
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, WireProfile};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

wire_tests!(
    a_long_clock_advance_does_not_stall_other_requests,
    the_journal_stays_bounded_under_large_unauthenticated_bodies,
    every_secret_looking_key_is_redacted_in_the_journal,
    control_routes_need_the_control_token_when_one_is_set,
    beyond_loopback_the_control_token_is_required,
    slow_clients_are_cut_off,
    a_corrupt_stored_row_is_skipped_not_a_500,
);

/// Creates `n` copies of schedule `template` (by id) straight in the database of `dir`.
fn clone_rows(dir: &std::path::Path, template: &str, n: usize) {
    let mut c = rusqlite::Connection::open(dir.join("emulator.sqlite3")).unwrap();
    let tx = c.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO schedules (id, registry_id, request, status, phase, created, updated, \
                 job_start, job_completion, listing_start, listing_completion, scanning_start, \
                 scanning_completion, errors, next_step, next_fire, runs, extra, name_key, \
                 status_key, on_demand, anchor) \
                 SELECT ?1, registry_id, request, status, phase, created, updated, job_start, \
                 job_completion, listing_start, listing_completion, scanning_start, \
                 scanning_completion, errors, next_step, next_fire, runs, extra, name_key, \
                 status_key, on_demand, anchor FROM schedules WHERE id = ?2",
            )
            .unwrap();
        for _ in 0..n {
            stmt.execute(rusqlite::params![
                uuid::Uuid::new_v4().to_string(),
                template
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

async fn a_long_clock_advance_does_not_stall_other_requests(wire: WireProfile) {
    let dir = tempfile::tempdir().unwrap();
    let env = start(long_lived(wire).data_dir(dir.path())).await;
    let id = env.create(&daily("many", "06:00")).await;
    env.emu.stop().await;
    clone_rows(dir.path(), &id, 5_000);
    let env = start(long_lived(wire).data_dir(dir.path())).await;
    assert_eq!(
        env.list("filter=name:many&pageSize=1").await["count"],
        5_001
    );

    let advance = {
        let http = env.http.clone();
        let url = env.url("/_emulator/clock/advance");
        tokio::spawn(async move {
            let t = Instant::now();
            let r = http
                .post(url)
                .json(&json!({"seconds": 6.0 * 86_400.0}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            t.elapsed()
        })
    };
    // The advance moves the clock first, then works through the schedules: wait for the
    // move, so that the requests below overlap the work.
    let before = env.emu.now();
    while env.emu.now() == before {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let other = common::http();
    let mut worst = Duration::ZERO;
    // What needs no schedule answers at once (the Oas2021 registry list sums its schedules'
    // statuses, so it reads them and waits for the advance: not timed there).
    let mut paths = vec![format!(
        "/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/repository"
    )];
    if !env.oas() {
        paths.push("/csapi/v1.3/registry".to_owned());
    }
    for path in paths {
        let t = Instant::now();
        let r = other
            .get(env.url(&path))
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        worst = worst.max(t.elapsed());
    }
    let t = Instant::now();
    login_ok(&other, env.emu.url(), DEMO_USER, DEMO_PASSWORD).await;
    worst = worst.max(t.elapsed());
    assert!(
        !advance.is_finished(),
        "the advance was over before the other requests: make it longer"
    );
    let advanced = advance.await.unwrap();
    eprintln!("advance over 5,001 daily schedules: {advanced:?}; slowest other request: {worst:?}");
    assert!(
        worst < advanced / 3,
        "other requests waited for the advance: {worst:?} vs {advanced:?}"
    );
    // And the advance did its work.
    let s = env.list("filter=name:many&pageSize=1").await;
    assert_eq!(s["data"][0]["status"], "Completed", "{s}");
}

async fn journal_text(env: &Env) -> String {
    env.control(Method::GET, "/_emulator/requests", None)
        .await
        .text()
        .await
        .unwrap()
}

async fn the_journal_stays_bounded_under_large_unauthenticated_bodies(wire: WireProfile) {
    let env = start_default(wire).await;
    let blob = "x".repeat(1_000_000);
    let body = format!(r#"{{"name":"flood","password":"hunter2","blob":"{blob}"}}"#);
    for i in 0..20 {
        let path = if i % 2 == 0 {
            schedules_path()
        } else {
            "/auth".to_owned()
        };
        let r = env
            .http
            .post(env.url(&path))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{}", r.status());
    }
    let stats = env.emu.journal_stats();
    let text = journal_text(&env).await;
    eprintln!(
        "journal after 20 x 1 MB bodies: {} entries, {} bytes counted, {} bytes listed",
        stats.entries,
        stats.bytes,
        text.len()
    );
    assert_eq!(stats.entries, 21, "the 20 posts and the login");
    assert!(stats.bytes < 2 << 20, "{stats:?}");
    assert!(text.len() < 2 << 20, "{}", text.len());
    assert!(!text.contains("hunter2"), "redacted before the cut");
    let j: Vec<Value> = serde_json::from_str(&text).unwrap();
    let cut = j[1]["bodyRedacted"].as_str().unwrap();
    assert!(cut.contains("[truncated: "), "{}", &cut[cut.len() - 60..]);
    // The same numbers over HTTP.
    let s: Value = env
        .control(Method::GET, "/_emulator/requests/stats", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["bytes"], stats.bytes);
    assert_eq!(s["maxBytes"], 8 << 20);
    assert_eq!(s["maxBodyBytes"], 64 << 10);
    // 200 more: the byte bound evicts the oldest.
    for _ in 0..200 {
        env.http
            .post(env.url("/auth"))
            .body(body.clone())
            .send()
            .await
            .unwrap();
    }
    let stats = env.emu.journal_stats();
    assert!(stats.bytes <= 8 << 20 && stats.evicted > 0, "{stats:?}");
}

async fn every_secret_looking_key_is_redacted_in_the_journal(wire: WireProfile) {
    let env = start_default(wire).await;
    // /auth with extra secret fields, and secret headers.
    let r = env
        .http
        .post(env.url("/auth"))
        .header("X-Api-Key", "sec-h1")
        .header("Cookie", "session=sec-h2")
        .header("X-Client-Secret", "sec-h3")
        .form(&[
            ("username", DEMO_USER),
            ("password", DEMO_PASSWORD),
            ("token", "true"),
            ("api_key", "sec-f1"),
            ("Client_Credential", "sec-f2"),
            ("PW", "sec-f3"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // A create whose unknown fields nest secrets (both profiles let them through).
    let mut body = on_demand("with-secrets");
    body["owner"] = json!({"Password": "sec-j1", "apiKey": "sec-j2",
        "deep": [{"AUTHORIZATION": "sec-j3", "db_pass": "sec-j4", "name": "kept"}]});
    body["refresh_token"] = json!("sec-j5");
    env.create(&body).await;
    // A query with a secret-looking parameter.
    env.get(&format!("{}?filter=name:x&apikey=sec-q1", schedules_path()))
        .await;

    let text = journal_text(&env).await;
    for s in [
        "sec-h1",
        "sec-h2",
        "sec-h3",
        "sec-f1",
        "sec-f2",
        "sec-f3",
        "sec-j1",
        "sec-j2",
        "sec-j3",
        "sec-j4",
        "sec-j5",
        "sec-q1",
        DEMO_PASSWORD,
    ] {
        assert!(!text.contains(s), "{s} leaked: {text}");
    }
    assert!(!text.contains(&env.token), "the token leaked");
    let j: Vec<Value> = serde_json::from_str(&text).unwrap();
    let auth = j.iter().rev().find(|e| e["path"] == "/auth").unwrap();
    assert_eq!(
        auth["bodyRedacted"]["token"], "true",
        "the /auth flag is kept"
    );
    assert_eq!(auth["bodyRedacted"]["username"], DEMO_USER);
    assert_eq!(auth["headers"]["x-api-key"], "***");
    assert_eq!(auth["headers"]["cookie"], "***");
    assert!(auth["headers"]["user-agent"].is_null() || auth["headers"]["user-agent"].is_string());
    let create = j
        .iter()
        .find(|e| e["method"] == "POST" && e["path"] == schedules_path())
        .unwrap();
    assert_eq!(create["headers"]["authorization"], "Bearer ***");
    assert_eq!(create["bodyRedacted"]["owner"]["deep"][0]["name"], "kept");
    assert_eq!(create["bodyRedacted"]["name"], "with-secrets");
}

async fn control_routes_need_the_control_token_when_one_is_set(wire: WireProfile) {
    let env = start(builder(wire).control_token("ctl-s3cret")).await;
    let clock = env.url("/_emulator/clock");
    let r = env.http.get(&clock).send().await.unwrap();
    let m = qualys_error(r, StatusCode::UNAUTHORIZED).await;
    assert!(
        m.contains("control token") && !m.contains("ctl-s3cret"),
        "{m}"
    );
    for (name, value) in [
        ("authorization", "Bearer ctl-s3cret"),
        ("x-emulator-control-token", "ctl-s3cret"),
    ] {
        let r = env
            .http
            .get(&clock)
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{name}");
    }
    for (name, value) in [
        ("authorization", "Bearer ctl-s3creT"),
        ("x-emulator-control-token", "ctl-s3cre"),
        ("authorization", &format!("Bearer {}", env.token)),
    ] {
        let r = env
            .http
            .get(&clock)
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{name}: {value}");
    }
    // Every control route, writes included, and the body-less ones.
    let r = env
        .http
        .post(env.url("/_emulator/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = env
        .http
        .post(env.url("/_emulator/reset"))
        .bearer_auth("ctl-s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The CS routes still take the JWT, not the control token.
    assert_eq!(
        env.get("/csapi/v1.3/registry").await.status(),
        StatusCode::OK
    );
    let r = env
        .http
        .get(env.url("/csapi/v1.3/registry"))
        .bearer_auth("ctl-s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The settings say a token is needed, never which.
    let s = env
        .http
        .get(env.url("/_emulator/settings"))
        .bearer_auth("ctl-s3cret")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        s.contains("\"controlToken\":true") && !s.contains("ctl-s3cret"),
        "{s}"
    );
    // Without a token on loopback: open, as before.
    let open = start_default(wire).await;
    assert_eq!(
        open.control(Method::GET, "/_emulator/clock", None)
            .await
            .status(),
        StatusCode::OK
    );
    // An empty token is refused.
    let e = builder(wire).control_token("").start().await.unwrap_err();
    assert!(e.to_string().contains("must not be empty"), "{e}");
}

async fn beyond_loopback_the_control_token_is_required(wire: WireProfile) {
    let e = builder(wire).host("0.0.0.0").start().await.unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains("beyond loopback") && m.contains("--control-token"),
        "{m}"
    );
    let emu = builder(wire)
        .host("0.0.0.0")
        .control_token("wide-open-no-more")
        .start()
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}", emu.port());
    let http = common::http();
    let r = http
        .get(format!("{base}/_emulator/clock"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http
        .get(format!("{base}/_emulator/clock"))
        .header("X-Emulator-Control-Token", "wide-open-no-more")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    emu.stop().await;

    // The binary says so and exits 2; with the token (flag or env) it starts.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qualys-cs-emulator"))
        .args(["--in-memory", "--host", "0.0.0.0", "--port", "0"])
        .env_remove("QUALYS_CS_EMULATOR_CONTROL_TOKEN")
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("without a control token"), "{err}");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_qualys-cs-emulator"))
        .args(["--in-memory", "--host", "0.0.0.0", "--port", "0"])
        .env("QUALYS_CS_EMULATOR_CONTROL_TOKEN", "from-env")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("listening on http://0.0.0.0:"), "{line}");
}

async fn slow_clients_are_cut_off(wire: WireProfile) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let env = start(
        builder(wire)
            .header_read_timeout(Duration::from_millis(400))
            .body_read_timeout(Duration::from_millis(400)),
    )
    .await;
    let addr = env.emu.local_addr();
    async fn read_all(s: &mut tokio::net::TcpStream) -> (String, Duration) {
        let t = Instant::now();
        let mut buf = Vec::new();
        let r = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf)).await;
        assert!(r.is_ok(), "the emulator kept the connection open");
        (String::from_utf8_lossy(&buf).into_owned(), t.elapsed())
    }

    // Half a request line and headers, then nothing: closed after the header timeout.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /csapi/v1.3/registry HTTP/1.1\r\nHost: x\r\nAuthor")
        .await
        .unwrap();
    let (got, took) = read_all(&mut s).await;
    assert!(!got.contains("200 OK"), "{got}");
    assert!(took < Duration::from_secs(5), "{took:?}");

    // Headers, then half the body: 408 after the body timeout, and the connection closes.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=demo",
    )
    .await
    .unwrap();
    let (got, took) = read_all(&mut s).await;
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(
        got.to_ascii_lowercase().contains("connection: close"),
        "{got}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    let j: Vec<Value> = env
        .control(Method::GET, "/_emulator/requests", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(j.last().unwrap()["status"], 408);

    // The control routes too.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"POST /_emulator/clock/advance HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n{",
    )
    .await
    .unwrap();
    let (got, _) = read_all(&mut s).await;
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");

    // Meanwhile, and after, normal clients are served.
    assert_eq!(
        env.get("/csapi/v1.3/registry").await.status(),
        StatusCode::OK
    );
    let settings: Value = env
        .control(Method::GET, "/_emulator/settings", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(settings["headerReadTimeoutSecs"], 0.4);
    assert_eq!(settings["bodyReadTimeoutSecs"], 0.4);
}

async fn a_corrupt_stored_row_is_skipped_not_a_500(wire: WireProfile) {
    let dir = tempfile::tempdir().unwrap();
    let env = start(builder(wire).data_dir(dir.path())).await;
    let good = env.create(&on_demand("good")).await;
    let bad_json = env.create(&on_demand("bad-json")).await;
    let bad_phase = env.create(&on_demand("bad-phase")).await;
    env.emu.stop().await;
    {
        let c = rusqlite::Connection::open(dir.path().join("emulator.sqlite3")).unwrap();
        c.execute(
            "UPDATE schedules SET request = '{not json' WHERE id = ?1",
            [&bad_json],
        )
        .unwrap();
        c.execute(
            "UPDATE schedules SET phase = 'sideways', errors = 'nope' WHERE id = ?1",
            [&bad_phase],
        )
        .unwrap();
    }
    let env = start(builder(wire).data_dir(dir.path())).await;
    let page = env.list("").await;
    assert_eq!(page["count"], 1, "{page}");
    assert_eq!(page["data"][0]["scheduleUuid"], good);
    assert_eq!(env.list("filter=name:bad-json").await["count"], 0);
    assert_eq!(
        env.list(&format!("filter=scheduleUuid:{bad_phase}")).await["count"],
        0
    );
    assert_eq!(
        env.list("sort=created:desc&filter=name:*").await["count"],
        1
    );
    assert_eq!(env.raw_count().await, 1);
    let r = env
        .get(&format!("/csapi/v1.3/registry/{DEMO_REGISTRY_ID}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        env.get("/csapi/v1.3/registry").await.status(),
        StatusCode::OK
    );
    // Jobs of the readable one move; the unreadable ones are taken out of the job events.
    env.advance(10.0).await;
    env.advance(10.0).await;
    assert_eq!(env.status_of(&good).await, "Completed");
    // A targeted update names the row; a delete (status alone) works.
    let r = env
        .call(
            Method::PUT,
            &format!("{}/{bad_json}", schedules_path()),
            Some(&daily("x", "01:00")),
        )
        .await;
    let m = qualys_error(r, StatusCode::INTERNAL_SERVER_ERROR).await;
    assert!(m.contains("unreadable"), "{m}");
    let r = env
        .call(
            Method::DELETE,
            &format!("{}/{bad_json}", schedules_path()),
            None,
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    // Bulk calls skip it too.
    let r = env
        .call(
            Method::POST,
            &format!("{}/cancel?filter=scheduleUuid:*", schedules_path()),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}
