//! What changes between the wire profiles, and what must not degrade on the sparse one
//! (`oas2021`, Qualys's own 2021 OpenAPI shape, spec §6b): plans never call an unreported
//! field unchanged, no body carries a `null` (a validating gateway refuses it), unknown request
//! fields named like answer fields change nothing, lenient listing skips what it cannot read,
//! registries are found by UUID, URI, then name where reported, and the run times of a listed
//! schedule are `not_reported` where the answer leaves the timing out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use qualys_cs_client::apply::ApplyOptions;
use qualys_cs_client::{AdditionalFilters, Client, Error, ListOptions, ScheduleRequest, WeekDay};
use qualys_cs_core::jiff::{Timestamp, civil::Weekday, tz::TimeZone};
use qualys_cs_core::plan::{Action, PlanOptions};
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

on_both_wires!(
    plan_never_calls_an_unreported_field_unchanged,
    no_request_body_carries_a_null,
    unknown_fields_named_like_answer_fields_change_nothing,
    lenient_listing_skips_a_bad_item_strict_names_it,
    registry_lookup_by_uuid_uri_then_name,
    next_runs_of_a_listed_schedule,
);

/// Name → (id, stored request).
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

/// (a) A weekday, daily-vs-weekly, force scan and latest-N-tags difference is an update on
/// both shapes; on oas2021, where none of these is reported, the fields are `unknown` and the
/// reason names them, and a schedule identical to the file is an update too, never unchanged.
async fn plan_never_calls_an_unreported_field_unchanged(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let weekly_monday = json!({"day": "MONDAY", "at": "06:00"});
    let first = desired(json!([
        {"name": "wd", "weekly": weekly_monday, "repos": ["app"]},
        {"name": "dw", "daily": "06:00", "repos": ["app"]},
        {"name": "fs", "weekly": weekly_monday, "repos": ["app"], "forceScan": true},
        {"name": "lt", "weekly": weekly_monday, "repos": ["app"], "latestTags": 3},
        {"name": "same", "every": 10, "repos": ["app"]},
    ]));
    let p = c.plan(&first, PlanOptions::default()).await.unwrap();
    assert_eq!(p.summary().create, 5, "{}", p.render_text());
    assert!(
        c.apply(&p, &ApplyOptions::default(), None)
            .await
            .is_success()
    );
    let before = stored(&emu).await;

    let second = desired(json!([
        {"name": "wd", "weekly": {"day": "TUESDAY", "at": "06:00"}, "repos": ["app"]},
        {"name": "dw", "weekly": weekly_monday, "repos": ["app"]},
        {"name": "fs", "weekly": weekly_monday, "repos": ["app"]},
        {"name": "lt", "weekly": weekly_monday, "repos": ["app"], "latestTags": 5},
        {"name": "same", "every": 10, "repos": ["app"]},
    ]));
    let p = c.plan(&second, PlanOptions::default()).await.unwrap();
    let text = p.render_text();
    // The fields that really differ.
    let differ: [(&str, &[&str]); 5] = [
        ("dw", &["scheduleIntervalInDays", "weekDay"]),
        ("fs", &["forceScan"]),
        ("lt", &["additionalFilters"]),
        ("same", &[]),
        ("wd", &["weekDay"]),
    ];
    assert_eq!(p.items.len(), 5, "{text}");
    for (item, (name, fields)) in p.items.iter().zip(differ) {
        assert_eq!(item.name, name, "{text}");
        let changed: Vec<&str> = item.changes.iter().map(|c| c.field.as_str()).collect();
        match wire {
            WireProfile::Oas2021 => {
                assert_eq!(item.action, Action::Update, "{name}: {text}");
                for f in fields {
                    assert!(changed.contains(f), "{name}: {f} in {changed:?}");
                }
                let unknown: Vec<&str> = item
                    .changes
                    .iter()
                    .filter(|c| c.unknown)
                    .map(|c| c.field.as_str())
                    .collect();
                for f in [
                    "scheduleIntervalInDays",
                    "weekDay",
                    "forceScan",
                    "additionalFilters",
                ] {
                    assert!(unknown.contains(&f), "{name}: {f} unknown: {changed:?}");
                }
                assert!(
                    item.changes.iter().all(|c| !c.unknown || c.from.is_null()),
                    "{name}: an unknown field has no current value: {:?}",
                    item.changes
                );
                let reason = item.reason.as_deref().unwrap_or_default();
                assert!(reason.starts_with("server does not report"), "{reason}");
                for f in &unknown {
                    assert!(reason.contains(f), "{name}: the reason names {f}: {reason}");
                }
            }
            _ => {
                let want = if fields.is_empty() {
                    Action::Unchanged
                } else {
                    Action::Update
                };
                assert_eq!(item.action, want, "{name}: {text}");
                assert_eq!(changed, fields.to_vec(), "{name}: {text}");
                assert!(item.changes.iter().all(|c| !c.unknown), "{text}");
            }
        }
    }
    assert_eq!(
        p.summary().unchanged,
        if wire == WireProfile::Oas2021 { 0 } else { 1 },
        "{text}"
    );

    // Applied in place (same ids); the server then holds exactly what the file says.
    let report = c.apply(&p, &ApplyOptions::default(), None).await;
    assert!(report.is_success(), "{report:?}");
    let after = stored(&emu).await;
    for d in &second.registries[0].schedules {
        let (id, request) = &after[&d.name];
        assert_eq!(id, &before[&d.name].0, "{} updated in place", d.name);
        assert_eq!(request, &d.request.to_value(), "{}", d.name);
    }
    assert_eq!(
        after["fs"].1.get("forceScan"),
        None,
        "force scan off: {after:?}"
    );
    assert_eq!(after["wd"].1["weekDay"], "TUESDAY");
}

/// (b) Nothing the client sends holds a `null`: creates from the seed's own samples (which
/// carry `"tag": null`, `"days": null`, `"additionalFilters": null`) and from typed requests,
/// an update, and plan+apply. On oas2021 the gateway would also refuse such a body with 422.
async fn no_request_body_carries_a_null(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    clear_journal(&emu).await;

    let mut ids = Vec::new();
    for (i, mut body) in seed_samples().into_iter().enumerate() {
        assert!(!null_paths(&body).is_empty(), "the sample has nulls");
        body["name"] = json!(format!("seed sample {i}"));
        ids.push(
            c.create_schedule_value(&reg, &body)
                .await
                .unwrap()
                .schedule_uuid,
        );
    }
    let mut typed = ScheduleRequest::weekly("typed", WeekDay::Monday)
        .repo("app")
        .build()
        .unwrap();
    typed.additional_filters = Some(AdditionalFilters {
        number_of_tags: Some(2),
        sort_criteria: None,
        extra: Default::default(),
    });
    c.create_schedule(&reg, &typed).await.unwrap();
    c.create_schedule(&reg, &on_demand("typed on demand"))
        .await
        .unwrap();

    let mut update = ScheduleRequest::from_value(&seed_samples()[1]).unwrap();
    update.name = "seed sample 1".into();
    update.week_day = Some(WeekDay::Friday);
    update.additional_filters = None;
    c.update_schedule(&reg, &ids[1], &update).await.unwrap();

    let d = desired(json!([
        {"name": "nightly", "daily": "02:00", "repos": ["library/nginx"]},
        {"name": "weekly", "weekly": {"day": "MONDAY"}, "repos": ["app"], "latestTags": 3},
    ]));
    let p = c.plan(&d, PlanOptions::default()).await.unwrap();
    assert!(
        c.apply(&p, &ApplyOptions::default(), None)
            .await
            .is_success()
    );
    let d = desired(json!([
        {"name": "nightly", "daily": "03:00", "repos": ["library/nginx"]},
        {"name": "weekly", "weekly": {"day": "MONDAY"}, "repos": ["app"]},
    ]));
    let p = c.plan(&d, PlanOptions::default()).await.unwrap();
    assert_eq!(p.summary().update, 2, "{}", p.render_text());
    assert!(
        c.apply(&p, &ApplyOptions::default(), None)
            .await
            .is_success()
    );

    let j = journal(&emu).await;
    let sent: Vec<&Value> = writes(&j)
        .into_iter()
        .filter(|e| e["method"] == "POST" || e["method"] == "PUT")
        .collect();
    assert_eq!(
        (count(&j, "POST", "/schedule"), count(&j, "PUT", "")),
        (6, 3),
        "{}",
        write_lines(&j).join("\n")
    );
    for e in &sent {
        let body = &e["bodyRedacted"];
        assert!(body.is_object(), "a JSON body: {e:#}");
        assert_eq!(null_paths(body), Vec::<String>::new(), "{e:#}");
        assert!(
            matches!(e["status"].as_u64(), Some(200 | 201)),
            "accepted: {e:#}"
        );
    }
}

/// (c) A create body with unknown fields named like the answer's own (`scheduleUuid`,
/// `status`, `created`) is sent as given; the answers still carry each key once and the
/// server's values, so list, get, plan and the next create all work.
async fn unknown_fields_named_like_answer_fields_change_nothing(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    let fake = "00000000-0000-4000-8000-000000000000";
    let mut body = seed_samples()[1].clone();
    body["name"] = json!("shadowing");
    body["scheduleUuid"] = json!(fake);
    body["status"] = json!("Running");
    body["created"] = json!("1");
    clear_journal(&emu).await;
    let created = c.create_schedule_value(&reg, &body).await.unwrap();
    assert_ne!(created.schedule_uuid.as_str(), fake);
    let j = journal(&emu).await;
    let post = writes(&j)[0];
    for (k, v) in [
        ("scheduleUuid", json!(fake)),
        ("status", json!("Running")),
        ("created", json!("1")),
    ] {
        assert_eq!(post["bodyRedacted"][k], v, "{k} sent as given: {post:#}");
    }
    let raw = raw_schedule(&emu, created.schedule_uuid.as_str()).await;
    assert_eq!(
        raw["emulator"]["unknownFields"]["status"], "Running",
        "{raw:#}"
    );

    let all = c
        .list_schedules_all(&reg, ListOptions::new())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    let s = &all[0];
    assert_eq!(s.schedule_uuid, created.schedule_uuid.as_str());
    assert_eq!(s.status(), qualys_cs_client::ScheduleStatus::Created);
    assert!(s.created.is_some_and(|m| m.0 > 1_000_000_000_000), "{s:?}");
    let got = c.get_schedule(&reg, &created.schedule_uuid).await.unwrap();
    assert_eq!(&got, s);

    // The answer itself: each key once per item.
    let token = control_token(&emu).await;
    qualys_cs_client::install_crypto_provider();
    let text = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!(
            "{}/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/schedule",
            emu.url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for key in ["\"scheduleUuid\"", "\"status\"", "\"created\""] {
        assert_eq!(text.matches(key).count(), 1, "{key} once: {text}");
    }
    assert!(!text.contains(fake), "{text}");

    let d = desired(json!([{
        "name": "shadowing", "weekly": {"day": "THURSDAY", "at": "09:30"},
        "repos": ["azuretest"], "forceScan": true, "registryType": "Azure", "latestTags": 5
    }]));
    let p = c.plan(&d, PlanOptions::default()).await.unwrap();
    let want = match wire {
        WireProfile::Oas2021 => Action::Update,
        _ => Action::Unchanged,
    };
    assert_eq!(p.items[0].action, want, "{}", p.render_text());
    assert_eq!(
        p.items[0].schedule_id.as_deref(),
        Some(created.schedule_uuid.as_str())
    );
    assert!(
        c.apply(&p, &ApplyOptions::default(), None)
            .await
            .is_success()
    );

    let next = c
        .create_schedule(&reg, &on_demand("after shadowing"))
        .await
        .unwrap();
    assert_ne!(next.schedule_uuid, created.schedule_uuid);
    let all = c
        .list_schedules_all(&reg, ListOptions::new())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}

/// A token for the demo user, straight from `/auth`.
async fn control_token(emu: &qualys_cs_emulator::EmulatorHandle) -> String {
    qualys_cs_client::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/auth", emu.url()))
        .form(&[
            ("username", DEMO_USER),
            ("password", DEMO_PASSWORD),
            ("token", "true"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A reverse proxy in front of the emulator (one request per connection) that makes item 1 of
/// every schedule list page unreadable: its `name` becomes an object.
async fn corrupting_proxy(upstream: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    qualys_cs_client::install_crypto_provider();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(relay(sock, http.clone(), upstream.clone()));
        }
    });
    url
}

async fn relay(mut sock: tokio::net::TcpStream, http: reqwest::Client, upstream: String) {
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.unwrap();
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap().split(' ');
    let (method, target) = (first.next().unwrap(), first.next().unwrap());
    let mut headers = reqwest::header::HeaderMap::new();
    let mut length = 0usize;
    for l in lines.filter(|l| !l.is_empty()) {
        let (k, v) = l.split_once(':').unwrap();
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        if k == "content-length" {
            length = v.parse().unwrap();
        }
        if matches!(k.as_str(), "authorization" | "content-type" | "accept") {
            headers.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
    }
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.unwrap();
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end..].to_vec();
    let answer = http
        .request(method.parse().unwrap(), format!("{upstream}{target}"))
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let content_type = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let mut bytes = answer.bytes().await.unwrap().to_vec();
    let path = target.split('?').next().unwrap();
    if method == "GET" && path.ends_with("/schedule") && status.is_success() {
        let mut v: Value = serde_json::from_slice(&bytes).unwrap();
        if let Some(item) = v["data"].get_mut(1) {
            item["name"] = json!({"not": "a name"});
        }
        bytes = serde_json::to_vec(&v).unwrap();
    }
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("?"),
        bytes.len()
    );
    if let Some(t) = content_type {
        out.push_str(&format!("Content-Type: {t}\r\n"));
    }
    out.push_str("\r\n");
    sock.write_all(out.as_bytes()).await.unwrap();
    sock.write_all(&bytes).await.unwrap();
    let _ = sock.shutdown().await;
}

/// (d) An item that cannot be read: a `decode` error naming its index and id by default; in
/// lenient mode skipped and reported with its page and index, while paging goes on (a page
/// with a skipped item is still a full page).
async fn lenient_listing_skips_a_bad_item_strict_names_it(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let direct = client_for(&emu).build().unwrap();
    let reg = registry();
    for i in 0..5 {
        direct
            .create_schedule(&reg, &on_demand(&format!("item {i}")))
            .await
            .unwrap();
    }
    let proxy = corrupting_proxy(emu.url().to_owned()).await;
    let c = Client::builder()
        .gateway_url(proxy)
        .credentials(DEMO_USER, DEMO_PASSWORD)
        .retry(fast_retry())
        .build()
        .unwrap();
    let sorted = || ListOptions::new().page_size(2).sort("name:asc");

    let err = c.list_schedules(&reg, &sorted()).await.expect_err("strict");
    assert_eq!(err.code(), "decode");
    let stored = raw_schedules(&emu).await;
    let id_of = |name: &str| {
        stored.iter().find(|s| s["name"] == name).unwrap()["scheduleUuid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let msg = err.to_string();
    assert!(msg.contains("item 1"), "{msg}");
    assert!(msg.contains(&id_of("item 1")), "{msg}");
    let err = c
        .list_schedules_all(&reg, sorted())
        .collect_all()
        .await
        .expect_err("strict walk");
    assert_eq!(err.code(), "decode");

    let page = c
        .list_schedules(&reg, &sorted().lenient(true))
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.skipped.len(), 1);
    assert_eq!(page.skipped[0].index, 1);
    assert_eq!(
        page.skipped[0].raw["scheduleUuid"],
        id_of("item 1").as_str()
    );

    let (items, skipped) = c
        .list_schedules_all(&reg, sorted().lenient(true))
        .collect_with_skipped()
        .await
        .unwrap();
    let names: Vec<&str> = items.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["item 0", "item 2", "item 4"]);
    let where_: Vec<(Option<u32>, usize)> =
        skipped.iter().map(|s| (s.page_number, s.index)).collect();
    assert_eq!(where_, [(Some(1), 1), (Some(2), 1)]);
    assert!(skipped.iter().all(|s| !s.message.is_empty()));
}

/// (e) By UUID (any case) and by URI (scheme, trailing `/` and case ignored) on both shapes;
/// by name only where the server reports names. A miss says which fields the server offered
/// and lists near matches.
async fn registry_lookup_by_uuid_uri_then_name(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    for reference in [
        DEMO_REGISTRY_ID.to_owned(),
        DEMO_REGISTRY_ID.to_uppercase(),
        format!("  {DEMO_REGISTRY_ID} "),
        "https://registry.demo.example".into(),
        "https://registry.demo.example/".into(),
        "http://registry.demo.example".into(),
        "registry.demo.example".into(),
        "HTTPS://Registry.Demo.Example/".into(),
    ] {
        let r = c.find_registry(&reference).await.unwrap();
        assert_eq!(r.registry_uuid, DEMO_REGISTRY_ID, "{reference:?}");
    }

    let by_name = c.find_registry("demo-registry").await;
    match wire {
        WireProfile::Oas2021 => {
            let err = by_name.expect_err("no registryName on this shape");
            assert_eq!(err.code(), "not_found");
            let msg = err.to_string();
            assert!(msg.contains("\"demo-registry\""), "{msg}");
            assert!(msg.contains("registryUuid, registryUri"), "{msg}");
            assert!(msg.contains("reports no registryName"), "{msg}");
            // A name fragment that the URI holds is a near match.
            let msg = c
                .find_registry("demo")
                .await
                .expect_err("no partial match")
                .to_string();
            assert!(msg.contains("reports no registryName"), "{msg}");
            assert!(
                msg.contains("near matches")
                    && msg.contains(DEMO_REGISTRY_ID)
                    && msg.contains("uri https://registry.demo.example"),
                "the demo registry is near: {msg}"
            );
        }
        _ => {
            let r = by_name.unwrap();
            assert_eq!(r.registry_uuid, DEMO_REGISTRY_ID);
            assert_eq!(r.registry_name.as_deref(), Some("demo-registry"));
            // A typo of the name: near.
            let msg = c
                .find_registry("demo-registyr")
                .await
                .expect_err("typo")
                .to_string();
            assert!(msg.contains("registryName"), "{msg}");
            assert!(!msg.contains("reports no registryName"), "{msg}");
            assert!(
                msg.contains("near matches") && msg.contains(DEMO_REGISTRY_ID),
                "{msg}"
            );
        }
    }

    // A typo of the URI: near on both shapes.
    let err = c
        .find_registry("https://registry.demo.exmaple")
        .await
        .expect_err("typo");
    assert_eq!(err.code(), "not_found");
    let msg = err.to_string();
    assert!(
        msg.contains("near matches")
            && msg.contains(DEMO_REGISTRY_ID)
            && msg.contains("registry.demo.example"),
        "{msg}"
    );
    let err = c.find_registry(" ").await.expect_err("blank");
    assert_eq!(err.code(), "validation");
}

/// (f) The next runs of a listed schedule: computed on full; `not_reported` naming
/// `scheduleIntervalInDays`/`weekDay` on oas2021, whose list items carry neither. An
/// on-demand schedule has no future runs on both.
async fn next_runs_of_a_listed_schedule(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    c.create_schedule(&reg, &sample("weekly")).await.unwrap();
    c.create_schedule(
        &reg,
        &ScheduleRequest::daily("daily", "02:00")
            .repo("app")
            .build()
            .unwrap(),
    )
    .await
    .unwrap();
    c.create_schedule(&reg, &on_demand("now")).await.unwrap();
    let all = c
        .list_schedules_all(&reg, ListOptions::new())
        .collect_all()
        .await
        .unwrap();
    let get = |n: &str| all.iter().find(|s| s.name == n).unwrap();
    let after: Timestamp = get("weekly").created.unwrap().to_timestamp().unwrap();

    let now = get("now").next_runs(after, 3).unwrap();
    assert!(now.is_empty(), "{now:?}");
    let weekly = get("weekly").next_runs(after, 3);
    let daily = get("daily").next_runs(after, 3);
    let sentence = qualys_cs_core::explain::explain_schedule(get("weekly"));
    match wire {
        WireProfile::Oas2021 => {
            for (name, r) in [("weekly", weekly), ("daily", daily)] {
                let err = r.expect_err("timing not reported");
                assert_eq!(err.code(), "not_reported", "{name}");
                let Error::NotReported { fields, message } = &err else {
                    panic!("{err:?}")
                };
                assert_eq!(fields, &["scheduleIntervalInDays", "weekDay"], "{name}");
                assert!(
                    message.contains("scheduleIntervalInDays") && message.contains("weekDay"),
                    "{message}"
                );
                assert!(
                    message.contains(get(name).schedule_uuid.as_str()),
                    "{message}"
                );
            }
            assert!(sentence.contains("does not report"), "{sentence}");
            assert!(sentence.contains("09:30"), "{sentence}");
            assert!(!sentence.contains("Thursday"), "{sentence}");
        }
        _ => {
            let weekly = weekly.unwrap();
            assert_eq!(weekly.len(), 3);
            for t in &weekly {
                let z = TimeZone::UTC.to_datetime(*t);
                assert_eq!(z.weekday(), Weekday::Thursday, "{z}");
                assert_eq!((z.hour(), z.minute()), (9, 30), "{z}");
                assert!(*t > after);
            }
            assert_eq!(weekly[1].duration_since(weekly[0]).as_secs(), 7 * 86_400);
            let daily = daily.unwrap();
            assert_eq!(daily.len(), 3);
            for t in &daily {
                let z = TimeZone::UTC.to_datetime(*t);
                assert_eq!((z.hour(), z.minute()), (2, 0), "{z}");
            }
            assert!(
                sentence.starts_with("Runs every Thursday at 09:30 UTC"),
                "{sentence}"
            );
        }
    }
}
