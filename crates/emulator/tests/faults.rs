//! Injected faults (status, drop, latency, seeded probability), the rate limit, and TLS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::*;
use qualys_cs_emulator::{
    DEMO_PASSWORD, DEMO_USER, Emulator, FaultKind, FaultRule, Stage, WireProfile,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

wire_tests!(
    status_fault_before_is_not_processed_and_after_is,
    drop_faults_close_the_connection_without_an_answer,
    latency_delays_then_processes_normally,
    seeded_probability_is_reproducible,
    rate_limit_headers_and_429,
    rate_limit_window_resets,
    tls_serves_https_on_localhost,
    late_requests_are_processed_after_the_client_gave_up,
    twin_faults_race_a_namesake_in_first,
);

fn create_rule(kind: &str, extra: Value) -> Value {
    let mut v = json!({"method": "POST", "path": "/csapi/v1.3/registry/*/schedule", "kind": kind});
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    v
}

async fn status_fault_before_is_not_processed_and_after_is(wire: WireProfile) {
    let env = start_default(wire).await;

    // before: 503 for the next 2 creates, nothing stored.
    env.fault(create_rule(
        "status",
        json!({"status": 503, "stage": "before", "count": 2}),
    ))
    .await;
    for _ in 0..2 {
        let r = env
            .call(Method::POST, &schedules_path(), Some(&on_demand("a")))
            .await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.headers().contains_key("x-request-id"));
        assert!(r.text().await.unwrap().contains("injected fault"));
    }
    assert_eq!(
        env.raw_count().await,
        0,
        "a 'before' fault does not process the request"
    );
    // The rule is used up; GETs never matched it.
    assert_eq!(env.get(&schedules_path()).await.status(), StatusCode::OK);
    env.create(&on_demand("ok")).await;
    assert_eq!(env.raw_count().await, 1);

    // after: the client sees 500, but the schedule WAS created.
    env.fault(create_rule(
        "status",
        json!({"status": 500, "stage": "after"}),
    ))
    .await;
    let r = env
        .call(Method::POST, &schedules_path(), Some(&on_demand("ghost")))
        .await;
    let m = qualys_error(r, StatusCode::INTERNAL_SERVER_ERROR).await;
    assert!(m.contains("injected"), "{m}");
    assert_eq!(env.list("filter=name:ghost").await["count"], 1);

    // 429 with its Retry-After; 502 with a non-JSON body.
    env.fault(json!({"kind": "status", "status": 429, "retryAfterSec": 7}))
        .await;
    let r = env.get("/csapi/v1.3/registry").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(r.headers()["x-ratelimit-towait-sec"], "7");
    assert!(r.headers().contains_key("x-ratelimit-remaining"));
    env.fault(json!({"kind": "status", "status": 502})).await;
    let r = env.get("/csapi/v1.3/registry").await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert!(r.text().await.unwrap().starts_with("<html>"));

    // Journal and rule counters say what happened.
    let rules: Vec<Value> = env
        .control(Method::GET, "/_emulator/faults", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rules.len(), 4);
    assert_eq!(rules[0]["fired"], 2);
    assert_eq!(rules[0]["remaining"], 0);
    let journal: Vec<Value> = env
        .control(Method::GET, "/_emulator/requests", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(journal.iter().filter(|e| !e["faults"].is_null()).count(), 5);

    // Bad rules are refused with the field named.
    let r = env
        .control(
            Method::POST,
            "/_emulator/faults",
            Some(json!({"kind": "status", "status": 404})),
        )
        .await;
    assert!(
        qualys_error(r, StatusCode::BAD_REQUEST)
            .await
            .contains("status must be")
    );
    let r = env
        .control(
            Method::POST,
            "/_emulator/faults",
            Some(json!({"kind": "explode"})),
        )
        .await;
    qualys_error(r, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        env.control(Method::DELETE, "/_emulator/faults", None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
}

async fn drop_faults_close_the_connection_without_an_answer(wire: WireProfile) {
    let env = start_default(wire).await;

    // before: the client gets a connection error, not a response; nothing stored.
    env.fault(create_rule("drop", json!({"stage": "before"})))
        .await;
    let err = env
        .http
        .post(env.url(&schedules_path()))
        .bearer_auth(&env.token)
        .json(&on_demand("lost"))
        .send()
        .await
        .expect_err("the connection is dropped");
    assert!(err.status().is_none(), "{err:?}");
    assert!(
        err.is_request() || err.is_connect() || err.is_body(),
        "{err:?}"
    );
    assert_eq!(env.raw_count().await, 0);

    // after: the client sees the same error, but the schedule WAS created: a naive retry
    // would make a duplicate.
    env.fault(create_rule("drop", json!({"stage": "after"})))
        .await;
    let err = env
        .http
        .post(env.url(&schedules_path()))
        .bearer_auth(&env.token)
        .json(&on_demand("created-anyway"))
        .send()
        .await
        .expect_err("the connection is dropped");
    assert!(err.status().is_none(), "{err:?}");
    assert_eq!(env.raw_count().await, 1);
    assert_eq!(env.list("filter=name:created-anyway").await["count"], 1);

    let journal: Vec<Value> = env
        .control(Method::GET, "/_emulator/requests", None)
        .await
        .json()
        .await
        .unwrap();
    let dropped: Vec<&Value> = journal.iter().filter(|e| e["dropped"] == true).collect();
    assert_eq!(dropped.len(), 2);
    assert!(dropped.iter().all(|e| e["status"].is_null()));

    // The same client keeps working afterwards (new connection).
    assert_eq!(env.get(&schedules_path()).await.status(), StatusCode::OK);
}

async fn latency_delays_then_processes_normally(wire: WireProfile) {
    let env = start_default(wire).await;
    // Through the handle API this time.
    env.emu
        .add_fault(FaultRule {
            method: Some("GET".into()),
            path: None,
            kind: FaultKind::Latency,
            status: None,
            stage: None,
            latency_ms: Some(300),
            twin: None,
            count: Some(1),
            probability: None,
            seed: None,
            retry_after_sec: None,
        })
        .unwrap();
    let t = Instant::now();
    let r = env.get("/csapi/v1.3/registry").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    let journal: Vec<Value> = env
        .control(Method::GET, "/_emulator/requests", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(journal.last().unwrap()["ms"].as_u64().unwrap() >= 300);
    let t = Instant::now();
    assert_eq!(
        env.get("/csapi/v1.3/registry").await.status(),
        StatusCode::OK
    );
    assert!(
        t.elapsed() < Duration::from_millis(300),
        "the rule was used up"
    );
    let _ = Stage::After;
}

async fn journal(env: &Env) -> Vec<Value> {
    env.control(Method::GET, "/_emulator/requests", None)
        .await
        .json()
        .await
        .unwrap()
}

/// `late`: the request is processed latencyMs later even when the client has gone (spec §8,
/// "the server finishing after the client's timeout"); a client that waits gets the answer.
async fn late_requests_are_processed_after_the_client_gave_up(wire: WireProfile) {
    let env = start_default(wire).await;
    env.fault(create_rule("late", json!({"latencyMs": 1_200})))
        .await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let t = Instant::now();
    let err = impatient
        .post(env.url(&schedules_path()))
        .bearer_auth(&env.token)
        .json(&on_demand("slow-poke"))
        .send()
        .await
        .expect_err("the client times out");
    assert!(err.is_timeout(), "{err:?}");
    assert!(t.elapsed() < Duration::from_millis(1_000));
    assert_eq!(
        env.list("filter=name:slow-poke").await["count"],
        0,
        "not yet processed"
    );
    // The client is gone; the emulator still processes it at about 1.2 s.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if env.list("filter=name:slow-poke").await["count"] == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the late create never happened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        t.elapsed() >= Duration::from_millis(1_150),
        "{:?}",
        t.elapsed()
    );
    let j = journal(&env).await;
    let e = j
        .iter()
        .find(|e| e["method"] == "POST" && e["path"] == schedules_path())
        .expect("journaled although nobody read the answer");
    assert_eq!(e["status"], 200);
    assert!(e["ms"].as_u64().unwrap() >= 1_150, "{e}");
    assert_eq!(e["faults"], json!(["fault-1"]));

    // A client that waits gets the real answer, late.
    env.fault(create_rule("late", json!({"latencyMs": 300})))
        .await;
    let t = Instant::now();
    let id = env.create(&on_demand("patient")).await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(env.schedule(&id).await["name"], "patient");

    // Refused with the field named.
    let r = env
        .control(
            Method::POST,
            "/_emulator/faults",
            Some(json!({"kind": "late"})),
        )
        .await;
    assert!(
        qualys_error(r, StatusCode::BAD_REQUEST)
            .await
            .contains("needs latencyMs")
    );
}

/// `twin`: another client creates the same name just before the request is processed.
async fn twin_faults_race_a_namesake_in_first(wire: WireProfile) {
    let env = start_default(wire).await;
    let repo = |s: &Value| s["filters"][0]["repoTags"][0]["repo"].clone();
    let created = |s: &Value| s["created"].as_str().unwrap().parse::<i64>().unwrap();

    // different (the default): same name, same registry, on demand, repo twin/other.
    env.fault(json!({"kind": "twin", "path": "/csapi/v1.3/registry/*/schedule"}))
        .await;
    // A list is no create: the rule waits.
    assert_eq!(env.list("").await["count"], 0);
    let mine = env.create(&on_demand("race")).await;
    let page = env.list("filter=name:race&sort=created:asc").await;
    assert_eq!(page["count"], 2, "{page}");
    let (twin, me) = (&page["data"][0], &page["data"][1]);
    assert_eq!(me["scheduleUuid"], mine);
    assert_ne!(twin["scheduleUuid"], mine);
    assert_eq!(twin["onDemand"], true);
    assert_eq!(repo(twin), "twin/other");
    assert_eq!(repo(me), "library/nginx");
    // Stamps never go back (two in the same millisecond may be equal).
    assert!(created(twin) <= created(me), "the twin came first");

    // identical: the same body.
    env.fault(json!({"kind": "twin", "twin": "identical", "method": "POST"}))
        .await;
    let body = daily("copy", "05:00");
    let mine = env.create(&body).await;
    let page = env.list("filter=name:copy&sort=created:asc").await;
    assert_eq!(page["count"], 2, "{page}");
    let (twin, me) = (&page["data"][0], &page["data"][1]);
    assert_eq!(me["scheduleUuid"], mine);
    assert_eq!(repo(twin), repo(me));
    assert_eq!(twin["filters"], me["filters"]);
    assert_eq!(twin["schedule"], me["schedule"]);
    assert!(created(twin) <= created(me));

    // An invalid body gets no twin (and its own 400); the rule is used up anyway.
    env.fault(json!({"kind": "twin"})).await;
    let r = env
        .call(
            Method::POST,
            &schedules_path(),
            Some(&json!({"name": "bad"})),
        )
        .await;
    assert!(r.status().is_client_error());
    assert_eq!(env.list("filter=name:bad").await["count"], 0);
    let rules: Vec<Value> = env
        .control(Method::GET, "/_emulator/faults", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rules[0]["matched"], 1, "only the create matched: {rules:?}");
    assert_eq!(rules[2]["fired"], 1, "{rules:?}");
    assert_eq!(rules[0]["twin"], Value::Null);
    assert_eq!(rules[1]["twin"], "identical");
    assert_eq!(env.raw_count().await, 4);
}

async fn seeded_probability_is_reproducible(wire: WireProfile) {
    let env = start_default(wire).await;
    async fn pattern(env: &Env, seed: u64) -> Vec<u16> {
        env.control(Method::DELETE, "/_emulator/faults", None).await;
        env.fault(json!({"kind": "status", "status": 503, "probability": 0.5, "seed": seed}))
            .await;
        let mut out = Vec::new();
        for _ in 0..24 {
            out.push(env.get("/csapi/v1.3/registry").await.status().as_u16());
        }
        out
    }
    let a = pattern(&env, 42).await;
    let b = pattern(&env, 42).await;
    let c = pattern(&env, 43).await;
    assert_eq!(a, b, "same seed, same draws");
    assert_ne!(a, c);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
    // count caps a probability rule.
    env.control(Method::DELETE, "/_emulator/faults", None).await;
    env.fault(json!({"kind": "status", "status": 500, "probability": 1.0, "seed": 1, "count": 2}))
        .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(env.get("/csapi/v1.3/registry").await.status().as_u16());
    }
    assert_eq!(statuses, [500, 500, 200, 200]);
}

async fn rate_limit_headers_and_429(wire: WireProfile) {
    let env = start(builder(wire).rate_limit(5, Duration::from_secs(60))).await;
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let r = env.get("/csapi/v1.3/registry").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["x-ratelimit-limit"], "5");
        assert_eq!(r.headers()["x-ratelimit-window-sec"], "60");
        remaining.push(
            r.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(remaining, ["4", "3", "2", "1", "0"]);
    // /auth and the control routes are not counted; the 6th CS call is refused.
    login_ok(&env.http, env.emu.url(), DEMO_USER, DEMO_PASSWORD).await;
    env.control(Method::GET, "/_emulator/clock", None).await;
    let r = env
        .call(Method::POST, &schedules_path(), Some(&on_demand("x")))
        .await;
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(
        r.headers()["x-ratelimit-towait-sec"].to_str().unwrap(),
        wait.to_string()
    );
    assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
    let m = qualys_error(r, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(m.contains("rate limit"), "{m}");
    assert_eq!(
        env.raw_count().await,
        0,
        "a refused create is not processed"
    );
    // Reset forgets the counter.
    env.control(Method::POST, "/_emulator/reset", None).await;
    assert_eq!(
        env.get("/csapi/v1.3/registry").await.status(),
        StatusCode::OK
    );
}

/// Real time is the point: the window resets after its length.
async fn rate_limit_window_resets(wire: WireProfile) {
    let env = start(
        Emulator::builder()
            .wire(wire)
            .rate_limit(2, Duration::from_secs(1)),
    )
    .await;
    for _ in 0..2 {
        assert_eq!(
            env.get("/csapi/v1.3/registry").await.status(),
            StatusCode::OK
        );
    }
    let r = env.get("/csapi/v1.3/registry").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "1");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let r = env.get("/csapi/v1.3/registry").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-ratelimit-remaining"], "1");
}

async fn tls_serves_https_on_localhost(wire: WireProfile) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = ck.cert.pem();
    let emu = Emulator::builder()
        .wire(wire)
        .tls(cert_pem.clone(), ck.signing_key.serialize_pem())
        .start()
        .await
        .unwrap();
    assert!(emu.url().starts_with("https://localhost:"), "{}", emu.url());
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .no_proxy()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let token = login_ok(&client, emu.url(), DEMO_USER, DEMO_PASSWORD).await;
    let r = client
        .get(format!("{}/csapi/v1.3/registry", emu.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A client that does not trust the certificate is refused.
    let plain = http();
    assert!(
        plain
            .get(format!("{}/csapi/v1.3/registry", emu.url()))
            .send()
            .await
            .is_err()
    );
    // Bad PEM is a clear start error.
    let err = Emulator::builder()
        .tls("nope", "nope")
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("TLS"), "{err}");
    emu.stop().await;
}
