//! Every retry path, against the emulator's injected faults (real HTTP, no mock), in both wire
//! profiles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use qualys_cs_client::{Client, CreateRecovery, ListOptions, RetryPolicy};
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_USER};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

on_both_wires!(
    get_429_waits_as_told,
    get_5xx_and_dropped_connections_are_retried,
    create_after_a_lost_answer_is_recovered_not_duplicated,
    create_that_was_not_processed_is_sent_again,
    assume_unique_names_costs_one_call_per_create,
    create_retried_after_connection_refused,
    exhausted_retries_return_the_last_error,
    delete_whose_answer_was_lost_counts_as_done,
    chaos_creates_make_no_duplicates_and_lose_nothing[multi_thread],
);

const SCHEDULES: &str = "/csapi/v1.3/registry/*/schedule";

fn named<'a>(raw: &'a [Value], name: &str) -> Vec<&'a Value> {
    raw.iter().filter(|s| s["name"] == name).collect()
}

async fn get_429_waits_as_told(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    c.list_registries(&ListOptions::new()).await.unwrap();
    add_fault(
        &emu,
        json!({"method": "GET", "kind": "status", "status": 429, "retryAfterSec": 1}),
    )
    .await;
    clear_journal(&emu).await;
    let t = Instant::now();
    c.list_schedules(&registry(), &ListOptions::new())
        .await
        .unwrap();
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured: {:?}",
        t.elapsed()
    );
    assert_eq!(statuses(&journal(&emu).await), [Some(429), Some(200)]);
}

async fn get_5xx_and_dropped_connections_are_retried(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    c.list_registries(&ListOptions::new()).await.unwrap();
    for status in [503, 502, 500] {
        add_fault(
            &emu,
            json!({"method": "GET", "kind": "status", "status": status}),
        )
        .await;
    }
    add_fault(
        &emu,
        json!({"method": "GET", "kind": "drop", "stage": "before"}),
    )
    .await;
    clear_journal(&emu).await;
    let page = c
        .list_schedules(&registry(), &ListOptions::new())
        .await
        .unwrap();
    assert_eq!(page.count, 0);
    let j = journal(&emu).await;
    // Rules fire one per request, first match first.
    assert_eq!(
        statuses(&j),
        [Some(503), Some(502), Some(500), None, Some(200)],
        "{j:#?}"
    );
    assert_eq!(j[3]["dropped"], true);
}

async fn create_after_a_lost_answer_is_recovered_not_duplicated(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    // An older schedule with the same name and content exists: it was created before this
    // call's first send and returned before, so the lookup never takes it for the new one.
    let older = c
        .create_schedule(&reg, &sample("dup-check"))
        .await
        .unwrap()
        .schedule_uuid;

    for (i, fault) in [
        json!({"method": "POST", "path": SCHEDULES, "kind": "status", "status": 503, "stage": "after"}),
        json!({"method": "POST", "path": SCHEDULES, "kind": "status", "status": 500, "stage": "after"}),
        json!({"method": "POST", "path": SCHEDULES, "kind": "drop", "stage": "after"}),
    ]
    .into_iter()
    .enumerate()
    {
        add_fault(&emu, fault.clone()).await;
        clear_journal(&emu).await;
        let created = c.create_schedule(&reg, &sample("dup-check")).await.unwrap();
        assert!(created.recovered, "{fault}");
        assert_ne!(created.schedule_uuid, older);
        let raw = raw_schedules(&emu).await;
        let ids: Vec<_> = named(&raw, "dup-check").iter().map(|s| s["scheduleUuid"].clone()).collect();
        assert_eq!(ids.len(), i + 2, "exactly one new schedule per create: {fault}");
        assert!(ids.contains(&json!(created.schedule_uuid)));
        let j = journal(&emu).await;
        assert_eq!(count(&j, "POST", "/schedule"), 1, "never sent twice: {fault}");
    }
}

async fn create_that_was_not_processed_is_sent_again(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    c.list_registries(&ListOptions::new()).await.unwrap();
    for (name, fault) in [
        (
            "dropped before",
            json!({"method": "POST", "path": SCHEDULES, "kind": "drop", "stage": "before"}),
        ),
        (
            "503 before",
            json!({"method": "POST", "path": SCHEDULES, "kind": "status", "status": 503, "stage": "before"}),
        ),
        (
            "429",
            json!({"method": "POST", "path": SCHEDULES, "kind": "status", "status": 429, "retryAfterSec": 1}),
        ),
    ] {
        add_fault(&emu, fault).await;
        clear_journal(&emu).await;
        let created = c.create_schedule(&reg, &sample(name)).await.unwrap();
        assert!(!created.recovered, "{name}");
        assert!(created.removed_surplus.is_empty(), "{name}");
        let stored = named(&raw_schedules(&emu).await, name)
            .iter()
            .map(|s| s["scheduleUuid"].clone())
            .collect::<Vec<_>>();
        assert_eq!(stored, [json!(created.schedule_uuid)], "{name}");
        let j = journal(&emu).await;
        assert_eq!(count(&j, "POST", "/schedule"), 2, "{name}: {j:#?}");
        // Nothing is listed before the first POST; the client looks for its schedule (by
        // name) before it sends again, since it cannot know the attempt was not processed.
        let first_post = j
            .iter()
            .position(|e| {
                e["method"] == "POST" && e["path"].as_str().unwrap().ends_with("/schedule")
            })
            .unwrap();
        assert_eq!(
            count(&j[..first_post], "GET", "/schedule"),
            0,
            "{name}: {j:#?}"
        );
        let second_post = j
            .iter()
            .rposition(|e| {
                e["method"] == "POST" && e["path"].as_str().unwrap().ends_with("/schedule")
            })
            .unwrap();
        assert!(
            count(&j[first_post..second_post], "GET", "/schedule") >= 1,
            "looked before sending again: {name}: {j:#?}"
        );
    }
}

async fn assume_unique_names_costs_one_call_per_create(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu)
        .create_recovery(CreateRecovery::AssumeUniqueNames)
        .build()
        .unwrap();
    let reg = registry();
    c.create_schedule(&reg, &sample("plain")).await.unwrap();
    let j = journal(&emu).await;
    assert_eq!(
        (
            count(&j, "GET", "/schedule"),
            count(&j, "POST", "/schedule")
        ),
        (0, 1)
    );

    add_fault(
        &emu,
        json!({"method": "POST", "path": SCHEDULES, "kind": "drop", "stage": "after"}),
    )
    .await;
    let created = c.create_schedule(&reg, &sample("unique")).await.unwrap();
    assert!(created.recovered);
    assert_eq!(named(&raw_schedules(&emu).await, "unique").len(), 1);

    // Its own earlier schedule with the name is never taken: it was returned before.
    let first = c.create_schedule(&reg, &sample("twice")).await.unwrap();
    add_fault(&emu, json!({"method": "POST", "path": SCHEDULES, "kind": "status", "status": 503, "stage": "after"})).await;
    let second = c.create_schedule(&reg, &sample("twice")).await.unwrap();
    assert!(second.recovered);
    assert_ne!(second.schedule_uuid, first.schedule_uuid);
    assert_eq!(named(&raw_schedules(&emu).await, "twice").len(), 2);

    // Another client's schedule with the name, made just before the lost answer: with names
    // taken as unique, two candidates are ambiguous: reported, nothing re-sent.
    let other = client_for(&emu).build().unwrap();
    other
        .create_schedule(&reg, &sample("thrice"))
        .await
        .unwrap();
    add_fault(&emu, json!({"method": "POST", "path": SCHEDULES, "kind": "status", "status": 503, "stage": "after"})).await;
    clear_journal(&emu).await;
    let err = c
        .create_schedule(&reg, &sample("thrice"))
        .await
        .expect_err("ambiguous");
    assert_eq!(err.code(), "conflict");
    assert!(err.to_string().contains("thrice"), "{err}");
    assert_eq!(named(&raw_schedules(&emu).await, "thrice").len(), 2);
    assert_eq!(count(&journal(&emu).await, "POST", "/schedule"), 1);
}

async fn create_retried_after_connection_refused(wire: WireProfile) {
    let first = start(builder().wire(wire)).await;
    let port = first.port();
    let c = client_for(&first)
        .create_recovery(CreateRecovery::AssumeUniqueNames)
        .retry(RetryPolicy {
            max_attempts: 30,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(100),
            max_elapsed: Duration::from_secs(20),
        })
        .build()
        .unwrap();
    c.list_registries(&ListOptions::new()).await.unwrap();
    first.stop().await;
    // Nothing listens on the port for a while, then a new emulator (new signing key) does.
    let later = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        start(builder().wire(wire).port(port)).await
    });
    let created = c
        .create_schedule(&registry(), &sample("refused first"))
        .await
        .unwrap();
    let second = later.await.unwrap();
    assert!(!created.recovered);
    assert_eq!(
        named(&raw_schedules(&second).await, "refused first").len(),
        1
    );
    let j = journal(&second).await;
    // Refused connections are retried directly: no lookup by name was needed.
    assert_eq!(count(&j, "GET", "/schedule"), 0, "{j:#?}");
    assert_eq!(
        j.iter()
            .filter(|e| e["method"] == "POST"
                && e["path"].as_str().unwrap().ends_with("/schedule")
                && e["status"] == 200)
            .count(),
        1
    );
}

async fn exhausted_retries_return_the_last_error(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let few = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_elapsed: Duration::from_secs(10),
    };
    let c = client_for(&emu).retry(few).build().unwrap();
    let reg = registry();
    c.list_registries(&ListOptions::new()).await.unwrap();

    add_fault(
        &emu,
        json!({"method": "GET", "kind": "status", "status": 503, "count": 3}),
    )
    .await;
    clear_journal(&emu).await;
    let err = c
        .list_schedules(&reg, &ListOptions::new())
        .await
        .expect_err("503 x3");
    assert_eq!(err.code(), "server");
    assert_eq!(err.http().unwrap().status, 503);
    assert!(
        err.http().unwrap().body.is_some(),
        "the non-JSON 503 body is kept: {err:?}"
    );
    assert_eq!(count(&journal(&emu).await, "GET", "/schedule"), 3);

    add_fault(
        &emu,
        json!({"method": "GET", "kind": "status", "status": 429, "count": 3, "retryAfterSec": 1}),
    )
    .await;
    let c1 = client_for(&emu)
        .retry(RetryPolicy {
            max_attempts: 2,
            ..few
        })
        .build()
        .unwrap();
    let err = c1
        .list_schedules(&reg, &ListOptions::new())
        .await
        .expect_err("429 x2");
    assert_eq!(err.code(), "rate_limited");
    clear_faults(&emu).await;

    // Every create attempt fails before processing: the error, and no schedule.
    add_fault(
        &emu,
        json!({"method": "POST", "path": SCHEDULES, "kind": "status", "status": 502, "count": 3}),
    )
    .await;
    let err = c
        .create_schedule(&reg, &sample("never"))
        .await
        .expect_err("502 x3");
    assert_eq!(err.code(), "server");
    assert!(named(&raw_schedules(&emu).await, "never").is_empty());

    add_fault(
        &emu,
        json!({"method": "GET", "kind": "latency", "latencyMs": 1500, "count": 2}),
    )
    .await;
    let slow = client_for(&emu)
        .retry(RetryPolicy {
            max_attempts: 2,
            ..few
        })
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = slow
        .list_schedules(&reg, &ListOptions::new())
        .await
        .expect_err("timeouts");
    assert_eq!(err.code(), "timeout", "{err}");

    // Nothing listens: transport error, certainly not sent.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let nobody = Client::builder()
        .gateway_url(format!("http://127.0.0.1:{port}"))
        .token("x.y.z")
        .retry(few)
        .build()
        .unwrap();
    let err = nobody
        .create_schedule(&reg, &sample("nowhere"))
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "transport");
    assert!(
        matches!(
            err,
            qualys_cs_client::Error::Transport { not_sent: true, .. }
        ),
        "{err:?}"
    );
    let err = Client::builder()
        .gateway_url(format!("http://127.0.0.1:{port}"))
        .credentials(DEMO_USER, DEMO_PASSWORD)
        .retry(few)
        .build()
        .unwrap()
        .list_registries(&ListOptions::new())
        .await
        .expect_err("auth refused");
    assert_eq!(err.code(), "transport");
}

async fn delete_whose_answer_was_lost_counts_as_done(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    let id = c
        .create_schedule(&reg, &sample("to delete"))
        .await
        .unwrap()
        .schedule_uuid;
    add_fault(
        &emu,
        json!({"method": "DELETE", "kind": "status", "status": 503, "stage": "after"}),
    )
    .await;
    clear_journal(&emu).await;
    c.delete_schedule(&reg, &id).await.unwrap();
    assert_eq!(statuses(&journal(&emu).await), [Some(503), Some(404)]);
    assert!(raw_schedules(&emu).await.is_empty());
}

/// 500 creates, 16 at a time, with about a quarter of the POSTs hit by a fault (429, 503
/// before/after, dropped before/after, seeded): exactly one schedule per name, every create Ok.
async fn chaos_creates_make_no_duplicates_and_lose_nothing(wire: WireProfile) {
    const N: usize = 500;
    let emu = start(
        builder()
            .wire(wire)
            .rate_limit(1_000_000, Duration::from_secs(60)),
    )
    .await;
    let c = client_for(&emu)
        .retry(RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(100),
            max_elapsed: Duration::from_secs(60),
        })
        .build()
        .unwrap();
    let reg = registry();
    c.list_registries(&ListOptions::new()).await.unwrap();
    let post = |extra: Value| {
        let mut rule = json!({"method": "POST", "path": SCHEDULES});
        rule.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        rule
    };
    for rule in [
        post(
            json!({"kind": "status", "status": 429, "retryAfterSec": 1, "probability": 0.05, "seed": 1, "count": 3}),
        ),
        post(
            json!({"kind": "status", "status": 503, "stage": "before", "probability": 0.07, "seed": 2}),
        ),
        post(
            json!({"kind": "status", "status": 503, "stage": "after", "probability": 0.07, "seed": 3}),
        ),
        post(json!({"kind": "drop", "stage": "before", "probability": 0.06, "seed": 4})),
        post(json!({"kind": "drop", "stage": "after", "probability": 0.06, "seed": 5})),
        json!({"method": "GET", "kind": "status", "status": 502, "probability": 0.03, "seed": 6}),
    ] {
        add_fault(&emu, rule).await;
    }
    clear_journal(&emu).await;

    let started = Instant::now();
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let (c, reg, gate) = (c.clone(), reg.clone(), gate.clone());
            tokio::spawn(async move {
                let _p = gate.acquire_owned().await.unwrap();
                let name = format!("chaos-{i:04}");
                (
                    name.clone(),
                    c.create_schedule(&reg, &on_demand(&name)).await,
                )
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let elapsed = started.elapsed();

    let failed: Vec<_> = results.iter().filter(|(_, r)| r.is_err()).collect();
    assert!(failed.is_empty(), "every create returned Ok: {failed:#?}");
    let raw = raw_schedules(&emu).await;
    assert_eq!(raw.len(), N, "0 duplicates, 0 losses");
    for (name, r) in &results {
        let stored = named(&raw, name);
        assert_eq!(stored.len(), 1, "{name}");
        assert_eq!(
            stored[0]["scheduleUuid"],
            r.as_ref().unwrap().schedule_uuid.as_str()
        );
    }

    let j = journal(&emu).await;
    let posts: Vec<&Value> = j
        .iter()
        .filter(|e| e["method"] == "POST" && e["path"].as_str().unwrap().ends_with("/schedule"))
        .collect();
    let faulted = posts
        .iter()
        .filter(|e| {
            e.get("faults")
                .is_some_and(|f| f.as_array().is_some_and(|a| !a.is_empty()))
        })
        .count();
    let ratio = faulted as f64 / posts.len() as f64;
    let recovered = results
        .iter()
        .filter(|(_, r)| r.as_ref().unwrap().recovered)
        .count();
    eprintln!(
        "chaos: {N} creates in {elapsed:?}; {} POSTs, {faulted} faulted ({:.1} %), {recovered} recovered by name",
        posts.len(),
        ratio * 100.0
    );
    assert!(
        ratio >= 0.20,
        "at least 20 % of the POSTs were faulted: {ratio}"
    );
    assert!(recovered > 0, "some creates were recovered by name");
}
