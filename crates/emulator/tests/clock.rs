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
);

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
