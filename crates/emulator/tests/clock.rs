//! The virtual clock: job statuses, automatic runs, token expiry; and the real-time mode.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::*;
use qualys_cs_emulator::WireProfile;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

wire_tests!(
    on_demand_moves_created_queued_running_completed_one_step_apart,
    a_daily_schedule_fires_after_advancing_a_day,
    a_weekly_schedule_fires_on_its_weekday,
    tokens_expire_by_the_emulator_clock,
    failed_outcome_sets_failed_and_an_error,
    realtime_mode_moves_jobs_as_time_passes,
    created_and_date_come_from_one_stamp_clock,
);

/// The `Date` header of an answer, in epoch ms (whole seconds).
fn date_ms(r: &reqwest::Response) -> i64 {
    let text = r.headers()["date"].to_str().unwrap();
    assert!(
        text.ends_with(" GMT") && text.len() == 29,
        "IMF-fixdate: {text}"
    );
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(text)
        .unwrap()
        .as_millisecond()
}

fn created_ms(s: &serde_json::Value) -> i64 {
    s["created"].as_str().unwrap().parse().unwrap()
}

/// Two creates 1.2 s apart on a frozen virtual clock get `created` values 1.2 s apart, and
/// every `Date` header agrees with them; an advance moves the stamps too; job steps and
/// run times still go by the virtual clock alone.
async fn created_and_date_come_from_one_stamp_clock(wire: WireProfile) {
    let env = start(long_lived(wire)).await;
    let create = |name: &'static str| {
        let env = &env;
        async move {
            let r = env
                .call(Method::POST, &schedules_path(), Some(&on_demand(name)))
                .await;
            assert_eq!(r.status(), StatusCode::OK);
            let date = date_ms(&r);
            let v: serde_json::Value = r.json().await.unwrap();
            let id = v
                .as_str()
                .or(v["scheduleUuid"].as_str())
                .unwrap()
                .to_owned();
            (id, date)
        }
    };
    let (a, date_a) = create("first").await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let (b, date_b) = create("second").await;
    let (ca, cb) = (
        created_ms(&env.schedule(&a).await),
        created_ms(&env.schedule(&b).await),
    );
    assert!(
        (1_150..2_500).contains(&(cb - ca)),
        "created {ca} then {cb}: {} ms apart, the creates were 1.2 s apart",
        cb - ca
    );
    for (created, date) in [(ca, date_a), (cb, date_b)] {
        // Date is written after created, in whole seconds.
        assert!(
            (created - date).abs() < 1_000,
            "Date {date} and created {created} disagree by {} ms",
            created - date
        );
    }
    // The clock itself did not move: the job steps are where they were.
    let raw = env.emu.schedules().unwrap();
    for s in &raw {
        assert_eq!(s["emulator"]["nextStepMs"], t0().as_millisecond() + 1_000);
        assert_eq!(s["emulator"]["clockAtCreationMs"], t0().as_millisecond());
    }
    let c: serde_json::Value = env
        .control(Method::GET, "/_emulator/clock", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["nowMs"], t0().as_millisecond());
    assert!(c["stampMs"].as_i64().unwrap() > cb);

    // A day's advance moves the stamps by a day; the Date of its answer says so.
    let r = env
        .control(
            Method::POST,
            "/_emulator/clock/advance",
            Some(json!({"seconds": 86_400})),
        )
        .await;
    let day = t0().as_millisecond() + 86_400_000;
    let d = date_ms(&r);
    assert!(
        (day - 1_000..day + 5_000).contains(&d),
        "Date {d} after a day"
    );
    let (c, date_c) = create("third").await;
    let cc = created_ms(&env.schedule(&c).await);
    assert!((day..day + 5_000).contains(&cc), "created {cc} after a day");
    assert!((cc - date_c).abs() < 1_000);
    // Jobs went by the virtual clock: the first two ran their four steps at t0 + 1..4 s.
    assert_eq!(
        env.schedule(&a).await["jobCompletionDate"],
        ms("2026-01-01T00:00:04Z")
    );
    // Errors carry stamps too.
    let r = env.get("/csapi/v1.3/registry/nope").await;
    let d = date_ms(&r);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!((v["timestamp"].as_i64().unwrap() - d).abs() < 1_000, "{v}");
    // Control routes and 404s have a Date as well.
    assert!(
        env.control(Method::GET, "/_emulator/faults", None)
            .await
            .headers()
            .contains_key("date")
    );
}

async fn on_demand_moves_created_queued_running_completed_one_step_apart(wire: WireProfile) {
    let env = start(long_lived(wire)).await;
    let id = env.create(&on_demand("now")).await;
    let mut seen = vec![env.status_of(&id).await];
    for _ in 0..4 {
        env.advance(1.0).await;
        seen.push(env.status_of(&id).await);
    }
    assert_eq!(
        seen,
        ["Created", "Queued", "Running", "Running", "Completed"]
    );
    let s = env.schedule(&id).await;
    assert_eq!(s["jobStartDate"], ms("2026-01-01T00:00:02Z"));
    assert_eq!(s["jobListingStartDate"], ms("2026-01-01T00:00:02Z"));
    assert_eq!(s["jobListingCompletionDate"], ms("2026-01-01T00:00:03Z"));
    assert_eq!(s["jobScanningStartDate"], ms("2026-01-01T00:00:03Z"));
    assert_eq!(s["jobScanningCompletionDate"], ms("2026-01-01T00:00:04Z"));
    assert_eq!(s["jobCompletionDate"], ms("2026-01-01T00:00:04Z"));
    assert_eq!(s["errors"], json!([]));
    // Nothing more happens to an on-demand schedule.
    env.advance(86_400.0 * 30.0).await;
    assert_eq!(env.status_of(&id).await, "Completed");
}

async fn a_daily_schedule_fires_after_advancing_a_day(wire: WireProfile) {
    let env = start(long_lived(wire).job_step(Duration::from_secs(60))).await;
    let id = env.create(&daily("nightly", "06:00")).await;
    env.advance(3_600.0).await;
    assert_eq!(env.status_of(&id).await, "Created", "not yet 06:00");
    let raw = env.emu.schedules().unwrap();
    assert_eq!(raw[0]["emulator"]["nextRun"], "2026-01-01T06:00:00Z");

    let clock = env.advance(86_400.0 - 3_600.0).await;
    assert_eq!(clock["now"], "2026-01-02T00:00:00Z");
    let s = env.schedule(&id).await;
    assert_eq!(s["status"], "Completed");
    assert_eq!(s["jobStartDate"], ms("2026-01-01T06:01:00Z"));
    assert_eq!(s["jobCompletionDate"], ms("2026-01-01T06:03:00Z"));

    // Three more days: three more runs, each with fresh dates; the handle advances too.
    env.emu
        .advance_clock(Duration::from_secs(3 * 86_400))
        .unwrap();
    let s = env.schedule(&id).await;
    assert_eq!(s["jobStartDate"], ms("2026-01-04T06:01:00Z"));
    assert_eq!(env.emu.schedules().unwrap()[0]["emulator"]["runs"], 4);
    // Between 06:00 and 06:01 the job is Queued.
    env.advance(6.0 * 3_600.0 + 30.0).await;
    assert_eq!(env.status_of(&id).await, "Queued");
}

async fn a_weekly_schedule_fires_on_its_weekday(wire: WireProfile) {
    let env = start(long_lived(wire)).await; // 2026-01-01 is a Thursday
    let id = env
        .create(&json!({"name": "w", "onDemand": false, "scheduleIntervalInDays": 7, "weekDay": "SATURDAY",
                        "schedule": "01:00", "filters": [{"repoTags": [{"repo": "library/alpine"}]}]}))
        .await;
    env.advance(86_400.0).await; // Friday
    assert_eq!(env.status_of(&id).await, "Created");
    env.advance(86_400.0 + 3_600.0 + 10.0).await; // Saturday 01:00:10
    let s = env.schedule(&id).await;
    assert_eq!(s["status"], "Completed");
    assert_eq!(s["jobStartDate"], ms("2026-01-03T01:00:01Z"));
}

async fn tokens_expire_by_the_emulator_clock(wire: WireProfile) {
    let env = start_default(wire).await;
    let path = "/csapi/v1.3/registry";
    env.advance(4.0 * 3_600.0 - 1.0).await;
    assert_eq!(env.get(path).await.status(), StatusCode::OK);
    env.advance(1.0).await;
    let m = qualys_error(env.get(path).await, StatusCode::UNAUTHORIZED).await;
    assert!(m.contains("expired"), "{m}");
    assert!(!m.contains(&env.token));

    // A short TTL from the builder.
    let short = start(builder(wire).token_ttl(Duration::from_secs(30))).await;
    short.advance(29.0).await;
    assert_eq!(short.get(path).await.status(), StatusCode::OK);
    short.advance(1.0).await;
    qualys_error(short.get(path).await, StatusCode::UNAUTHORIZED).await;
}

async fn failed_outcome_sets_failed_and_an_error(wire: WireProfile) {
    let env = start(builder(wire).fail_jobs(true)).await;
    let id = env.create(&on_demand("doomed")).await;
    env.advance(4.0).await;
    let s = env.schedule(&id).await;
    assert_eq!(s["status"], "Failed");
    assert_eq!(s["errors"][0]["errorCode"], "EMULATED_SCAN_FAILURE");
    // Switched back at run time through the settings route.
    let r = env
        .control(
            Method::PUT,
            "/_emulator/settings",
            Some(json!({"jobOutcome": "Completed"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let id = env.create(&on_demand("fine")).await;
    env.advance(4.0).await;
    assert_eq!(env.status_of(&id).await, "Completed");
}

/// Real time is the point here: jobs move without any advance.
async fn realtime_mode_moves_jobs_as_time_passes(wire: WireProfile) {
    let env = start(
        qualys_cs_emulator::Emulator::builder()
            .wire(wire)
            .realtime_clock(true)
            .job_step(Duration::from_millis(100)),
    )
    .await;
    let c: serde_json::Value = env
        .control(Method::GET, "/_emulator/clock", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["mode"], "realtime");
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((c["nowMs"].as_i64().unwrap() - real).abs() < 5_000);
    let id = env.create(&on_demand("live")).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if env.emu.schedules().unwrap()[0]["status"] == "Completed" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "job never completed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(env.status_of(&id).await, "Completed");
    // Advances add to real time.
    let c = env.advance(3_600.0).await;
    assert!(c["nowMs"].as_i64().unwrap() - real >= 3_600_000);
}
