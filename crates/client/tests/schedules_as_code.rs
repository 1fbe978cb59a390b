//! Plan/apply and waiters against the emulator (real HTTP, port 0), in both wire profiles.
//!
//! On the oas2021 shape the server does not report a schedule's interval, weekday, force scan,
//! registry type or latest-N-tags: a plan never calls such a schedule unchanged, so every
//! re-apply sends the same updates again, and the stored schedules stay the same.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use qualys_cs_client::apply::{ApplyOptions, ApplyProgress, Outcome};
use qualys_cs_client::wait::{WaitFor, WaitOptions};
use qualys_cs_client::{Client, ListOptions, ScheduleStatus};
use qualys_cs_core::plan::{Action, Plan, PlanOptions};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

on_both_wires!(
    apply_creates_then_reapply_converges,
    interval_change_updates_repo_change_replaces_prune_only_when_asked,
    running_schedule_is_skipped_and_dry_run_sends_nothing,
    a_failed_item_does_not_stop_the_others,
    waiter_follows_the_emulator_clock_and_times_out,
);

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

/// Name → (id, stored request) of every stored schedule, as the emulator keeps them.
async fn stored(emu: &qualys_cs_emulator::EmulatorHandle) -> BTreeMap<String, (String, Value)> {
    raw_schedules(emu)
        .await
        .into_iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                (
                    s["scheduleUuid"].as_str().unwrap().to_owned(),
                    s["emulator"]["request"].clone(),
                ),
            )
        })
        .collect()
}

/// A plan of a state that was just applied: nothing to do where the server reports every
/// field (full); where it does not (oas2021), each listed schedule is updated, with only
/// unknown fields and a reason naming them, never called unchanged.
fn assert_converged(p: &Plan, wire: WireProfile, listed: &[&str]) {
    match wire {
        WireProfile::Oas2021 => {
            assert_eq!(p.summary().unchanged, 0, "{}", p.render_text());
            for name in listed {
                let item = p.items.iter().find(|i| i.name == *name).unwrap();
                assert_eq!(item.action, Action::Update, "{}", p.render_text());
                assert!(
                    !item.changes.is_empty() && item.changes.iter().all(|c| c.unknown),
                    "only unknown fields: {:?}",
                    item.changes
                );
                let reason = item.reason.as_deref().unwrap_or_default();
                assert!(reason.starts_with("server does not report"), "{reason}");
                for c in &item.changes {
                    assert!(reason.contains(&c.field), "{reason} names {}", c.field);
                }
            }
        }
        _ => {
            assert!(p.is_empty(), "nothing to do:\n{}", p.render_text());
            assert_eq!(p.summary().unchanged, listed.len(), "{}", p.render_text());
        }
    }
}

async fn apply_creates_then_reapply_converges(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
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

    let applied = stored(&emu).await;
    for item in &plan.items {
        let (_, request) = &applied[&item.name];
        assert_eq!(
            request,
            &item.request.as_ref().unwrap().to_value(),
            "{} stored as planned",
            item.name
        );
    }

    // Re-apply: nothing to do on full; on oas2021 the same updates are sent again (unknown is
    // never equal) and the schedules stay what they were: same ids, same content.
    for _ in 0..2 {
        clear_journal(&emu).await;
        let again = client.plan(&d, PlanOptions::default()).await.unwrap();
        assert_converged(&again, wire, &["every", "nightly", "weekly"]);
        let report = client.apply(&again, &ApplyOptions::default(), None).await;
        assert!(report.is_success(), "{report:?}");
        let writes = write_lines(&journal(&emu).await);
        match wire {
            WireProfile::Oas2021 => {
                assert_eq!(report.applied(), 3);
                assert_eq!(writes.len(), 3, "{writes:?}");
                assert!(writes.iter().all(|w| w.starts_with("PUT ")), "{writes:?}");
            }
            _ => {
                assert_eq!(report.applied(), 0);
                assert!(writes.is_empty(), "re-apply writes nothing: {writes:?}");
            }
        }
        assert_eq!(stored(&emu).await, applied, "the same schedules, unchanged");
    }
}

async fn interval_change_updates_repo_change_replaces_prune_only_when_asked(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
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
    let every_stored = stored_request(&emu, &every.schedule_uuid).await;
    assert_eq!(every_stored["scheduleIntervalInDays"], 14);
    assert_eq!(
        every.schedule_interval_in_days,
        (wire != WireProfile::Oas2021).then_some(14),
        "reported on full only"
    );
    let weekly = after.iter().find(|s| s.name == "weekly").unwrap();
    assert_ne!(weekly.schedule_uuid, id_of("weekly"), "replaced: a new id");
    assert_eq!(weekly.filters[0].repo_tags[0].repo, "other");
    assert!(after.iter().any(|s| s.name == "nightly"), "not pruned");

    let p = client.plan(&d, PlanOptions { prune: true }).await.unwrap();
    let kept = match wire {
        WireProfile::Oas2021 => Action::Update,
        _ => Action::Unchanged,
    };
    assert_eq!(
        actions(&p),
        [
            ("every".into(), kept),
            ("weekly".into(), kept),
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
    let p = client.plan(&d, PlanOptions { prune: true }).await.unwrap();
    assert_converged(&p, wire, &["every", "weekly"]);
}

async fn running_schedule_is_skipped_and_dry_run_sends_nothing(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
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

async fn a_failed_item_does_not_stop_the_others(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
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

async fn waiter_follows_the_emulator_clock_and_times_out(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
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
