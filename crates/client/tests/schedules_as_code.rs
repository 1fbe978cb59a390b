//! Plan/apply and waiters against the emulator (real HTTP, port 0).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use qualys_cs_client::apply::{ApplyOptions, ApplyProgress, Outcome};
use qualys_cs_client::wait::{WaitFor, WaitOptions};
use qualys_cs_client::{Client, ListOptions, ScheduleStatus};
use qualys_cs_core::desired::{DesiredState, Format};
use qualys_cs_core::plan::{Action, PlanOptions};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn desired(schedules: serde_json::Value) -> DesiredState {
    let doc = json!({"version": 1, "registries": [{"registry": "demo-registry-placeholder", "schedules": schedules}]});
    let text = doc.to_string().replace(
        "demo-registry-placeholder",
        qualys_cs_emulator::DEMO_REGISTRY_ID,
    );
    DesiredState::parse(
        &text,
        Format::Json,
        "test.json",
        "2026-06-01T00:00:00Z".parse().unwrap(),
    )
    .expect("desired state parses")
}

fn base() -> serde_json::Value {
    json!([
        {"name": "nightly", "daily": "02:00", "repos": ["library/nginx"]},
        {"name": "weekly", "weekly": {"day": "MONDAY", "at": "06:00"}, "repos": ["app"], "latestTags": 3},
        {"name": "every", "every": 10, "repos": ["app"]}
    ])
}

async fn names(client: &Client) -> Vec<String> {
    let mut v: Vec<String> = client
        .list_schedules_all(&registry(), ListOptions::new())
        .collect_all()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    v.sort();
    v
}

fn actions(p: &qualys_cs_core::plan::Plan) -> Vec<(String, Action)> {
    p.items.iter().map(|i| (i.name.clone(), i.action)).collect()
}

#[tokio::test]
async fn apply_creates_then_reapply_is_a_no_op() {
    let emu = start(builder()).await;
    let client = client_for(&emu).build().unwrap();
    let d = desired(base());

    let plan = client.plan(&d, PlanOptions::default()).await.unwrap();
    assert_eq!(plan.summary().create, 3, "{}", plan.render_text());
    let seen = Arc::new(Mutex::new(Vec::<ApplyProgress>::new()));
    let sink = seen.clone();
    let report = client
        .apply(
            &plan,
            &ApplyOptions::default(),
            Some(Arc::new(move |p: &ApplyProgress| {
                sink.lock().unwrap().push(p.clone())
            })),
        )
        .await;
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.applied(), 3);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|p| p.total == 3 && p.ok));
    let mut dones: Vec<usize> = seen.iter().map(|p| p.done).collect();
    dones.sort();
    assert_eq!(dones, [1, 2, 3]);
    assert_eq!(names(&client).await, ["every", "nightly", "weekly"]);

    clear_journal(&emu).await;
    let again = client.plan(&d, PlanOptions::default()).await.unwrap();
    assert!(
        again.is_empty(),
        "second plan is empty:\n{}",
        again.render_text()
    );
    assert_eq!(again.summary().unchanged, 3);
    let report = client.apply(&again, &ApplyOptions::default(), None).await;
    assert_eq!(report.applied(), 0);
    let writes: Vec<_> = journal(&emu)
        .await
        .into_iter()
        .filter(|e| {
            e["method"] != "GET" && e["path"].as_str().is_some_and(|p| p.starts_with("/csapi"))
        })
        .collect();
    assert!(writes.is_empty(), "re-apply writes nothing: {writes:?}");
}

#[tokio::test]
async fn interval_change_updates_repo_change_replaces_prune_only_when_asked() {
    let emu = start(builder()).await;
    let client = client_for(&emu).build().unwrap();
    let report = client
        .apply(
            &client
                .plan(&desired(base()), PlanOptions::default())
                .await
                .unwrap(),
            &ApplyOptions::default(),
            None,
        )
        .await;
    assert!(report.is_success());
    let before = client
        .list_schedules_all(&registry(), ListOptions::new())
        .collect_all()
        .await
        .unwrap();
    let id_of = |n: &str| {
        before
            .iter()
            .find(|s| s.name == n)
            .unwrap()
            .schedule_uuid
            .clone()
    };

    // "every" changes its interval (update in place), "weekly" changes its repo (replace),
    // "nightly" is dropped from the file.
    let changed = json!([
        {"name": "weekly", "weekly": {"day": "MONDAY", "at": "06:00"}, "repos": ["other"], "latestTags": 3},
        {"name": "every", "every": 14, "repos": ["app"]}
    ]);
    let d = desired(changed);
    let p = client.plan(&d, PlanOptions::default()).await.unwrap();
    assert_eq!(
        actions(&p),
        [
            ("every".into(), Action::Update),
            ("weekly".into(), Action::Replace)
        ]
    );
    assert_eq!(p.unmanaged, 1, "nightly is kept without prune");
    let report = client.apply(&p, &ApplyOptions::default(), None).await;
    assert!(report.is_success(), "{report:?}");

    let after = client
        .list_schedules_all(&registry(), ListOptions::new())
        .collect_all()
        .await
        .unwrap();
    let every = after.iter().find(|s| s.name == "every").unwrap();
    assert_eq!(every.schedule_uuid, id_of("every"), "updated in place");
    assert_eq!(every.schedule_interval_in_days, Some(14));
    let weekly = after.iter().find(|s| s.name == "weekly").unwrap();
    assert_ne!(weekly.schedule_uuid, id_of("weekly"), "replaced: a new id");
    assert_eq!(weekly.filters[0].repo_tags[0].repo, "other");
    assert!(after.iter().any(|s| s.name == "nightly"), "not pruned");

    let p = client.plan(&d, PlanOptions { prune: true }).await.unwrap();
    assert_eq!(
        actions(&p),
        [
            ("every".into(), Action::Unchanged),
            ("weekly".into(), Action::Unchanged),
            ("nightly".into(), Action::Delete)
        ]
    );
    assert!(
        client
            .apply(&p, &ApplyOptions::default(), None)
            .await
            .is_success()
    );
    assert_eq!(names(&client).await, ["every", "weekly"]);
    assert!(
        client
            .plan(&d, PlanOptions { prune: true })
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn running_schedule_is_skipped_and_dry_run_sends_nothing() {
    let emu = start(builder()).await;
    let client = client_for(&emu).build().unwrap();
    let once = json!([{"name": "once", "onDemand": true, "repos": ["a"]}]);
    let p = client
        .plan(&desired(once.clone()), PlanOptions::default())
        .await
        .unwrap();
    assert!(
        client
            .apply(&p, &ApplyOptions::default(), None)
            .await
            .is_success()
    );
    // Created -> Queued -> Running, one clock step each.
    let id = client
        .list_schedules(&registry(), &ListOptions::new())
        .await
        .unwrap()
        .data[0]
        .id()
        .unwrap();
    for _ in 0..4 {
        if client
            .get_schedule(&registry(), &id)
            .await
            .unwrap()
            .status()
            == ScheduleStatus::Running
        {
            break;
        }
        emu.advance_clock(Duration::from_secs(1)).unwrap();
    }
    assert_eq!(
        client
            .get_schedule(&registry(), &id)
            .await
            .unwrap()
            .status(),
        ScheduleStatus::Running
    );

    let changed = json!([{"name": "once", "onDemand": true, "repos": ["b"]}]);
    let d = desired(changed);
    let p = client.plan(&d, PlanOptions { prune: true }).await.unwrap();
    assert_eq!(actions(&p), [("once".into(), Action::Skip)]);
    assert!(
        p.items[0].reason.as_deref().unwrap().contains("Running"),
        "{:?}",
        p.items[0].reason
    );

    // Dry run of a plan with changes: what would be sent, and nothing sent.
    let d2 = desired(json!([{"name": "new-one", "daily": "01:00", "repos": ["x"]}]));
    let p2 = client.plan(&d2, PlanOptions { prune: true }).await.unwrap();
    assert_eq!(p2.summary().create, 1);
    clear_journal(&emu).await;
    let report = client
        .apply(
            &p2,
            &ApplyOptions {
                dry_run: true,
                ..Default::default()
            },
            None,
        )
        .await;
    let created = report.items.iter().find(|i| i.name == "new-one").unwrap();
    assert_eq!(created.outcome, Outcome::DryRun);
    assert_eq!(created.requests[0].method, "POST");
    assert_eq!(
        created.requests[0].body.as_ref().unwrap()["schedule"],
        "01:00"
    );
    let writes = journal(&emu)
        .await
        .into_iter()
        .filter(|e| e["method"] != "GET")
        .count();
    assert_eq!(writes, 0, "a dry run sends no write");
}

#[tokio::test]
async fn a_failed_item_does_not_stop_the_others() {
    let emu = start(builder()).await;
    let client = client_for(&emu)
        .retry(qualys_cs_client::RetryPolicy::none())
        .build()
        .unwrap();
    let d = desired(base());
    let p = client.plan(&d, PlanOptions::default()).await.unwrap();
    // The create of one schedule is refused before processing, every time.
    add_fault(&emu, json!({"method": "POST", "path": "/csapi/v1.3/registry/*/schedule", "kind": "status", "status": 500, "stage": "before", "count": 1})).await;
    let report = client
        .apply(
            &p,
            &ApplyOptions {
                concurrency: 1,
                ..Default::default()
            },
            None,
        )
        .await;
    assert_eq!(report.failed(), 1, "{report:?}");
    assert_eq!(report.applied(), 2);
    let failed = report
        .items
        .iter()
        .find(|i| i.outcome == Outcome::Failed)
        .unwrap();
    assert_eq!(failed.error.as_ref().unwrap().code(), "server");
    // Applying again finishes the job.
    let p = client.plan(&d, PlanOptions::default()).await.unwrap();
    assert_eq!(p.summary().create, 1);
    assert!(
        client
            .apply(&p, &ApplyOptions::default(), None)
            .await
            .is_success()
    );
    assert_eq!(names(&client).await, ["every", "nightly", "weekly"]);
}

#[tokio::test]
async fn waiter_follows_the_emulator_clock_and_times_out() {
    let emu = start(builder()).await;
    let client = client_for(&emu).build().unwrap();
    let id = client
        .create_schedule(&registry(), &on_demand("w"))
        .await
        .unwrap()
        .schedule_uuid;

    // The clock stands still: a short wait times out, naming the status.
    let short = WaitOptions {
        until: WaitFor::Terminal,
        timeout: Duration::from_millis(150),
        interval: Duration::from_millis(20),
    };
    let err = client
        .wait_for_schedule(&registry(), &id, &short)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "timeout");
    assert!(err.to_string().contains("still Created"), "{err}");

    // Waiting for Running, then for the end, while the clock moves.
    let waiter = {
        let client = client.clone();
        let id = id.clone();
        tokio::spawn(async move {
            let opts = WaitOptions {
                until: WaitFor::Any(vec![ScheduleStatus::Running]),
                timeout: Duration::from_secs(20),
                interval: Duration::from_millis(10),
            };
            client.wait_for_schedule(&registry(), &id, &opts).await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    emu.advance_clock(Duration::from_secs(2)).unwrap();
    let s = waiter.await.unwrap().unwrap();
    assert_eq!(s.status(), ScheduleStatus::Running);

    emu.advance_clock(Duration::from_secs(10)).unwrap();
    let done = client
        .wait_for_schedule(
            &registry(),
            &id,
            &WaitOptions {
                interval: Duration::from_millis(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(done.status(), ScheduleStatus::Completed);
    assert!(done.job_completion_date.is_some());
}
