//! Every operation, paging, errors, authentication, TLS and redaction, against the in-process
//! emulator over real HTTP, in both wire profiles (`full::*` and `oas2021::*`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use futures_util::StreamExt as _;
use qualys_cs_client::{BulkSelector, Client, ListOptions, RegistryId};
use qualys_cs_client::{ScheduleRequest, ScheduleStatus, WeekDay};
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_USER};
use serde_json::json;
use std::time::Duration;

on_both_wires!(
    registries_and_repositories,
    schedule_lifecycle,
    running_schedules_conflict_and_on_demand_cannot_be_updated,
    bulk_delete_and_cancel,
    invalid_requests_are_never_sent,
    paging_walks_every_page_until_a_short_one,
    permission_and_bad_credentials,
    token_is_renewed_ahead_of_expiry_without_a_401,
    an_expired_token_gets_one_renewal_after_a_401,
    a_fixed_token_is_used_until_refused,
    tls_with_a_custom_ca,
    an_explicit_proxy_carries_every_request,
);

async fn registries_and_repositories(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();

    let page = c.list_registries(&ListOptions::new()).await.unwrap();
    assert_eq!(page.count, 1);
    assert_eq!(page.data[0].registry_uuid, emu.demo_registry_id());
    let all = c
        .list_registries_all(ListOptions::new())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all, page.data);

    let details = c.get_registry(&registry()).await.unwrap();
    assert_eq!(details.registry.registry_uuid, emu.demo_registry_id());
    assert_eq!(
        details.registry.registry_uri.as_deref(),
        Some("https://registry.demo.example")
    );
    match wire {
        WireProfile::Oas2021 => {
            // Qualys's OpenAPI `Registry` has no name, and these details no credential.
            assert_eq!(details.registry.registry_name, None);
            assert_eq!(page.data[0].registry_name, None);
            assert_eq!(details.credential_type, None);
        }
        _ => {
            assert_eq!(
                details.registry.registry_name.as_deref(),
                Some("demo-registry")
            );
            assert_eq!(details.credential_type.as_deref(), Some("None"));
        }
    }

    // Lookups by UUID and by URI work on both shapes; by name only where names are reported
    // (the lookup's own test, `registry_lookup_by_uuid_uri_then_name`, covers the details).
    let by_uri = c
        .find_registry("https://registry.demo.example")
        .await
        .unwrap();
    assert_eq!(by_uri.registry_uuid, emu.demo_registry_id());
    match wire {
        WireProfile::Oas2021 => {
            let err = c
                .find_registry("demo-registry")
                .await
                .expect_err("no registryName on this shape");
            assert_eq!(err.code(), "not_found");
        }
        _ => {
            let by_name = c.find_registry("demo-registry").await.unwrap();
            assert_eq!(by_uri, by_name);
        }
    }
    let err = c.find_registry("demo").await.expect_err("no partial match");
    assert_eq!(err.code(), "not_found");
    assert!(err.to_string().contains("\"demo\""), "{err}");

    let repos = c
        .list_repositories(&registry(), &ListOptions::new().page_size(3))
        .await
        .unwrap();
    assert_eq!(repos.count, 4);
    assert_eq!(repos.data.len(), 3);
    let all = c
        .list_repositories_all(&registry(), ListOptions::new().page_size(3))
        .collect_all()
        .await
        .unwrap();
    let names: Vec<_> = all.iter().map(|r| r.repo_name.as_str()).collect();
    assert_eq!(names.len(), 4);
    assert!(
        names.contains(&"library/nginx") && names.contains(&"team/api"),
        "{names:?}"
    );

    let unknown = RegistryId::new_random();
    let err = c
        .get_registry(&unknown)
        .await
        .expect_err("unknown registry");
    assert_eq!(err.code(), "not_found");
    let d = err.http().unwrap();
    assert_eq!(d.status, 404);
    assert!(d.request_id.is_some(), "X-Request-Id is carried: {d:?}");
    assert!(
        d.qualys_error_code.is_some() && d.message.is_some(),
        "{d:?}"
    );
}

async fn schedule_lifecycle(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    let oas = wire == WireProfile::Oas2021;

    // Create: the seed's sample. Its weekly run time is accepted without a warning (spec §4:
    // both of Qualys's own samples send it). The id comes back in both shapes ({"scheduleUuid"}
    // in full, a bare JSON string in oas2021) and is the stored schedule's.
    let want = sample("Automatic Scan Schedule");
    clear_journal(&emu).await;
    let created = c.create_schedule(&reg, &want).await.unwrap();
    assert!(!created.recovered);
    assert!(
        created.warnings.iter().all(|w| w.path != "/schedule"),
        "{:?}",
        created.warnings
    );
    let raw = raw_schedules(&emu).await;
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0]["scheduleUuid"], created.schedule_uuid.as_str());
    let post = journal(&emu)
        .await
        .into_iter()
        .find(|e| e["method"] == "POST" && e["path"].as_str().unwrap().ends_with("/schedule"))
        .unwrap();
    assert_eq!(post["status"], 200);

    let page = c.list_schedules(&reg, &ListOptions::new()).await.unwrap();
    assert_eq!(page.count, 1);
    assert!(page.skipped.is_empty(), "{:?}", page.skipped);
    let got = c.get_schedule(&reg, &created.schedule_uuid).await.unwrap();
    assert_eq!(got.schedule_uuid, created.schedule_uuid.as_str());
    assert_eq!(got.name, "Automatic Scan Schedule");
    assert_eq!(got.on_demand, Some(false));
    assert_eq!(got.schedule.as_deref(), Some("09:30"));
    assert_eq!(got.filters[0].repo_tags[0].repo, "azuretest");
    assert_eq!(got.status(), ScheduleStatus::Created);
    if oas {
        // The 2021 list item carries none of these (spec §6b)...
        assert_eq!(got.week_day, None);
        assert_eq!(got.schedule_interval_in_days, None);
        assert_eq!(got.force_scan, None);
        assert_eq!(got.registry_type, None);
        assert_eq!(got.additional_filters, None);
    } else {
        assert_eq!(got.week_day, Some(WeekDay::Thursday));
        assert_eq!(got.schedule_interval_in_days, Some(7));
        assert_eq!(got.force_scan, Some(true));
        assert_eq!(got.additional_filters, want.additional_filters);
    }
    // ...but the server stored every field that was sent.
    assert_eq!(
        stored_request(&emu, created.schedule_uuid.as_str()).await,
        want.to_value()
    );

    // Update: another weekday is allowed (full answers 200 with the id, oas2021 201 with an
    // empty body: both succeed); changing the repo is refused before sending.
    let mut next = sample("Renamed");
    next.week_day = Some(WeekDay::Friday);
    clear_journal(&emu).await;
    c.update_schedule(&reg, &created.schedule_uuid, &next)
        .await
        .unwrap();
    let puts: Vec<_> = journal(&emu)
        .await
        .into_iter()
        .filter(|e| e["method"] == "PUT")
        .collect();
    assert_eq!(puts.len(), 1, "sent once: {puts:#?}");
    assert_eq!(puts[0]["status"], if oas { 201 } else { 200 });
    let got = c.get_schedule(&reg, &created.schedule_uuid).await.unwrap();
    assert_eq!(got.name, "Renamed");
    assert_eq!(got.week_day, if oas { None } else { Some(WeekDay::Friday) });
    let stored = stored_request(&emu, created.schedule_uuid.as_str()).await;
    assert_eq!(stored, next.to_value());
    assert_eq!(stored["weekDay"], "FRIDAY");

    clear_journal(&emu).await;
    let mut bad = sample("Renamed");
    bad.filters[0].repo_tags[0].repo = "other".into();
    let err = c
        .update_schedule(&reg, &created.schedule_uuid, &bad)
        .await
        .expect_err("immutable repo");
    assert_eq!(err.code(), "validation");
    assert_eq!(err.violations()[0].code, "immutable_repo");
    assert_eq!(
        count(&journal(&emu).await, "PUT", ""),
        0,
        "an invalid update is never sent"
    );

    // Cancel (Created can be cancelled), then delete; the schedule is gone. Full answers 201
    // and 204 without a body, oas2021 200 with the id as a JSON string: both succeed.
    c.cancel_schedule(&reg, &created.schedule_uuid)
        .await
        .unwrap();
    let got = c.get_schedule(&reg, &created.schedule_uuid).await.unwrap();
    assert_eq!(got.status(), ScheduleStatus::Canceled);
    c.delete_schedule(&reg, &created.schedule_uuid)
        .await
        .unwrap();
    let j = journal(&emu).await;
    let status_of = |method: &str| {
        j.iter()
            .find(|e| e["method"] == method && e["path"].as_str().unwrap().contains("/schedule/"))
            .map(|e| e["status"].clone())
            .unwrap()
    };
    assert_eq!(status_of("POST"), if oas { 200 } else { 201 }, "cancel");
    assert_eq!(status_of("DELETE"), if oas { 200 } else { 204 }, "delete");
    assert!(raw_schedules(&emu).await.is_empty());
    let err = c
        .get_schedule(&reg, &created.schedule_uuid)
        .await
        .expect_err("deleted");
    assert_eq!(err.code(), "not_found");
    let err = c
        .delete_schedule(&reg, &created.schedule_uuid)
        .await
        .expect_err("twice");
    assert_eq!(err.code(), "not_found");
    assert_eq!(err.http().map(|d| d.status), Some(404));

    // A run time with an interval other than 1 or 7 still comes back as a warning.
    let mut every = ScheduleRequest::every_days("every ten", 10)
        .repo("azuretest")
        .build()
        .unwrap();
    every.schedule = Some("01:00".into());
    let created = c.create_schedule(&reg, &every).await.unwrap();
    assert!(
        created.warnings.iter().any(|w| w.path == "/schedule"),
        "{:?}",
        created.warnings
    );
}

async fn running_schedules_conflict_and_on_demand_cannot_be_updated(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    let id = c
        .create_schedule(&reg, &on_demand("now"))
        .await
        .unwrap()
        .schedule_uuid;
    emu.advance_clock(Duration::from_secs(2)).unwrap();
    assert!(
        c.get_schedule(&reg, &id)
            .await
            .unwrap()
            .status()
            .is_running()
    );

    let err = c.delete_schedule(&reg, &id).await.expect_err("running");
    assert_eq!(err.code(), "conflict");
    assert_eq!(err.http().map(|d| d.status), Some(409));

    let err = c
        .update_schedule(&reg, &id, &on_demand("now"))
        .await
        .expect_err("on demand");
    assert_eq!(err.code(), "validation");
    let codes: Vec<_> = err.violations().iter().map(|v| v.code.as_str()).collect();
    assert!(codes.contains(&"update_not_automatic"), "{codes:?}");

    c.cancel_schedule(&reg, &id).await.unwrap();
    assert_eq!(
        c.get_schedule(&reg, &id).await.unwrap().status(),
        ScheduleStatus::Canceled
    );
}

async fn bulk_delete_and_cancel(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            c.create_schedule(&reg, &sample(&format!("bulk {i}")))
                .await
                .unwrap()
                .schedule_uuid,
        );
    }

    let err = c
        .bulk_delete_schedules(&reg, &BulkSelector::default())
        .await
        .expect_err("empty");
    assert_eq!(err.code(), "validation");
    assert_eq!(err.violations()[0].path, "/scheduleIds");

    let cancel = c
        .bulk_cancel_schedules(&reg, &BulkSelector::filter("scheduleUuid:*"))
        .await
        .unwrap();
    assert!(!cancel.cancel_job_id.is_empty());
    let del = c
        .bulk_delete_schedules(&reg, &BulkSelector::ids(ids[..2].iter().cloned()))
        .await
        .unwrap();
    assert!(!del.deletion_job_id.is_empty());
    // The deletion job runs on the emulator clock.
    emu.advance_clock(Duration::from_secs(10)).unwrap();
    let left = c
        .list_schedules_all(&reg, ListOptions::new())
        .collect_all()
        .await
        .unwrap();
    let left: Vec<_> = left.iter().map(|s| s.schedule_uuid.clone()).collect();
    assert_eq!(left, [ids[2].to_string()]);

    let j = journal(&emu).await;
    let bulk = j
        .iter()
        .find(|e| {
            e["method"] == "DELETE" && e["path"].as_str().unwrap().ends_with("/schedule/bulk")
        })
        .unwrap();
    let q = bulk["query"].as_str().unwrap();
    assert_eq!(q.matches("scheduleIds=").count(), 2, "{q}");
}

async fn invalid_requests_are_never_sent(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    let bad = ScheduleRequest::every_days("", 400).build_unchecked();
    let err = c.create_schedule(&reg, &bad).await.expect_err("invalid");
    assert_eq!(err.code(), "validation");
    let codes: Vec<_> = err.violations().iter().map(|v| v.code.as_str()).collect();
    assert!(
        codes.contains(&"name_required") && codes.contains(&"interval_out_of_range"),
        "{codes:?}"
    );

    let err = c
        .create_schedule_value(
            &reg,
            &json!({"name": "x", "onDemand": "yes", "filters": "nginx"}),
        )
        .await
        .expect_err("wrong types");
    let paths: Vec<_> = err.violations().iter().map(|v| v.path.as_str()).collect();
    assert!(
        paths.contains(&"/onDemand") && paths.contains(&"/filters"),
        "{paths:?}"
    );
    assert!(
        journal(&emu)
            .await
            .iter()
            .all(|e| e["method"] != "POST" || e["path"] == "/auth")
    );

    // A dict that is valid goes through the same create path.
    let created = c
        .create_schedule_value(
            &reg,
            &json!({"name": "from a dict", "onDemand": true,
                    "filters": [{"days": null, "repoTags": [{"repo": "team/app", "tag": "main"}]}]}),
        )
        .await
        .unwrap();
    let got = c.get_schedule(&reg, &created.schedule_uuid).await.unwrap();
    assert_eq!(got.filters[0].repo_tags[0].tag.as_deref(), Some("main"));

    let err = c
        .list_schedules(&reg, &ListOptions::new().page_size(0))
        .await
        .expect_err("page size 0");
    assert_eq!(err.violations()[0].path, "/pageSize");
}

async fn paging_walks_every_page_until_a_short_one(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    let mut want = Vec::new();
    for i in 0..7 {
        want.push(
            c.create_schedule(&reg, &on_demand(&format!("page item {i}")))
                .await
                .unwrap()
                .schedule_uuid
                .to_string(),
        );
    }
    clear_journal(&emu).await;
    let got: Vec<String> = c
        .list_schedules_all(&reg, ListOptions::new().page_size(2).sort("name:asc"))
        .map(|s| s.unwrap().schedule_uuid)
        .collect()
        .await;
    assert_eq!(got.len(), 7);
    let mut sorted_want = want.clone();
    sorted_want.sort();
    let mut sorted_got = got.clone();
    sorted_got.sort();
    assert_eq!(sorted_got, sorted_want, "each schedule exactly once");

    let j = journal(&emu).await;
    let pages: Vec<&str> = j
        .iter()
        .filter(|e| e["method"] == "GET")
        .map(|e| e["query"].as_str().unwrap())
        .collect();
    assert_eq!(pages.len(), 4, "pages 1..=4 (2+2+2+1): {pages:?}");
    for (i, q) in pages.iter().enumerate() {
        assert!(
            q.contains(&format!("pageNumber={}", i + 1)) && q.contains("pageSize=2"),
            "{q}"
        );
    }
}

async fn permission_and_bad_credentials(wire: WireProfile) {
    let emu = start(
        builder()
            .wire(wire)
            .user_without_permission("bob2x", "pw-bob"),
    )
    .await;
    let c = Client::builder()
        .gateway_url(emu.url())
        .credentials("bob2x", "pw-bob")
        .build()
        .unwrap();
    let err = c
        .list_schedules(&registry(), &ListOptions::new())
        .await
        .expect_err("403");
    assert_eq!(err.code(), "permission");
    assert_eq!(
        err.http().unwrap().qualys_error_code.as_deref(),
        Some("403 FORBIDDEN")
    );

    let c = Client::builder()
        .gateway_url(emu.url())
        .credentials(DEMO_USER, "wrong-password-123")
        .build()
        .unwrap();
    let err = c
        .list_registries(&ListOptions::new())
        .await
        .expect_err("401");
    assert_eq!(err.code(), "auth");
    assert_eq!(err.http().unwrap().status, 401);
    assert!(!format!("{err} {err:?}").contains("wrong-password-123"));
}

async fn token_is_renewed_ahead_of_expiry_without_a_401(wire: WireProfile) {
    let emu = start(
        builder()
            .wire(wire)
            .token_ttl(Duration::from_secs(2))
            .realtime_clock(true),
    )
    .await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    c.list_schedules(&reg, &ListOptions::new()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2200)).await;
    // Many tasks at once after the TTL: one renewal serves them all.
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let c = c.clone();
            let reg = reg.clone();
            tokio::spawn(async move { c.list_schedules(&reg, &ListOptions::new()).await })
        })
        .collect();
    for t in calls {
        t.await.unwrap().unwrap();
    }
    let j = journal(&emu).await;
    assert_eq!(count(&j, "POST", "/auth"), 2, "{j:#?}");
    assert!(
        j.iter().all(|e| e["status"] != 401),
        "no call was refused: {j:#?}"
    );
    assert_eq!(c.token_fetches(), 2);
}

async fn an_expired_token_gets_one_renewal_after_a_401(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let reg = registry();
    c.list_schedules(&reg, &ListOptions::new()).await.unwrap();
    // The server's clock passes the 4 h TTL; the client's does not know.
    emu.advance_clock(Duration::from_secs(5 * 3600)).unwrap();
    clear_journal(&emu).await;
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = c.clone();
            let reg = reg.clone();
            tokio::spawn(async move { c.list_schedules(&reg, &ListOptions::new()).await })
        })
        .collect();
    for t in calls {
        t.await.unwrap().unwrap();
    }
    let j = journal(&emu).await;
    assert_eq!(
        count(&j, "POST", "/auth"),
        1,
        "exactly one extra /auth: {j:#?}"
    );
    assert!(
        j.iter().any(|e| e["status"] == 401),
        "the stale token was refused first"
    );
    assert_eq!(
        j.iter()
            .filter(|e| e["method"] == "GET" && e["status"] == 200)
            .count(),
        8
    );
}

async fn a_fixed_token_is_used_until_refused(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    qualys_cs_client::install_crypto_provider();
    let token = reqwest::Client::new()
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
        .unwrap();
    clear_journal(&emu).await;
    let c = Client::builder()
        .gateway_url(emu.url())
        .token(token.clone())
        .build()
        .unwrap();
    c.list_schedules(&registry(), &ListOptions::new())
        .await
        .unwrap();
    emu.advance_clock(Duration::from_secs(5 * 3600)).unwrap();
    let err = c
        .list_schedules(&registry(), &ListOptions::new())
        .await
        .expect_err("expired");
    assert_eq!(err.code(), "auth");
    assert_eq!(err.http().unwrap().status, 401);
    let j = journal(&emu).await;
    assert_eq!(count(&j, "POST", "/auth"), 0, "no credentials: no /auth");
    assert!(!format!("{err} {err:?} {c:?}").contains(&token));
}

async fn tls_with_a_custom_ca(wire: WireProfile) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "qualys-cs test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let ca = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();

    let emu = start(
        builder()
            .wire(wire)
            .tls(leaf.pem(), leaf_key.serialize_pem()),
    )
    .await;
    assert!(emu.url().starts_with("https://localhost:"), "{}", emu.url());

    let c = client_for(&emu)
        .add_root_certificate_pem(ca_cert.pem().as_bytes())
        .build()
        .unwrap();
    let page = c.list_registries(&ListOptions::new()).await.unwrap();
    assert_eq!(page.count, 1);

    let c = client_for(&emu).build().unwrap();
    let started = std::time::Instant::now();
    let err = c
        .list_registries(&ListOptions::new())
        .await
        .expect_err("unknown CA");
    assert_eq!(err.code(), "transport", "{err}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a refused certificate is not retried"
    );
}

async fn an_explicit_proxy_carries_every_request(wire: WireProfile) {
    // The emulator doubles as an HTTP proxy: it answers absolute-form requests by path. The
    // gateway itself does not exist (nothing listens on port 9), so success proves that every
    // request, /auth included, went through the proxy.
    let emu = start(builder().wire(wire)).await;
    let c = Client::builder()
        .gateway_url("http://gateway.localhost:9")
        // Not a loopback name to the client's plain-http rule; nothing secret leaves the host.
        .allow_insecure_http(true)
        .credentials(DEMO_USER, DEMO_PASSWORD)
        .proxy(emu.url())
        .retry(fast_retry())
        .user_agent_suffix("proxy-test/1.0")
        .build()
        .unwrap();
    assert_eq!(
        c.list_registries(&ListOptions::new()).await.unwrap().count,
        1
    );
    let j = journal(&emu).await;
    assert_eq!(count(&j, "POST", "/auth"), 1);
    assert_eq!(count(&j, "GET", "/registry"), 1);
}
