//! Every CS route, auth, validation, paging/filter/sort and the control routes, over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use common::*;
use qualys_cs_core::{Page, Registry, RegistryDetails, Repository, Schedule, decode_body};
use qualys_cs_emulator::{ConfigFile, DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn auth_issues_jwts_and_guards_every_cs_route() {
    let env = start(
        Emulator::builder()
            .clock_start(t0())
            .user("alice", "s3cret")
            .user_without_permission("bob", "pw"),
    )
    .await;
    let base = env.emu.url().to_owned();

    // The token is a JWT with exp = iat + 4 h by the emulator clock, for the user.
    let parts: Vec<&str> = env.token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], DEMO_USER);
    assert_eq!(claims["iat"], t0().as_second());
    assert_eq!(claims["exp"], t0().as_second() + 4 * 3600);

    // Extra users log in; wrong password / unknown user -> 401; missing fields -> 400.
    login_ok(&env.http, &base, "alice", "s3cret").await;
    let m = qualys_error(
        login(&env.http, &base, "alice", "nope").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(m.contains("invalid credentials"), "{m}");
    qualys_error(
        login(&env.http, &base, "mallory", "s3cret").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let r = env
        .http
        .post(format!("{base}/auth"))
        .form(&[("username", "alice")])
        .send()
        .await
        .unwrap();
    qualys_error(r, StatusCode::BAD_REQUEST).await;
    let r = env
        .http
        .post(format!("{base}/auth"))
        .form(&[("username", "alice"), ("password", "s3cret")])
        .send()
        .await
        .unwrap();
    assert!(
        qualys_error(r, StatusCode::BAD_REQUEST)
            .await
            .contains("token=true")
    );

    let path = format!("{base}/csapi/v1.3/registry");
    // No token.
    let r = env.http.get(&path).send().await.unwrap();
    assert!(r.headers().contains_key("x-ratelimit-limit"));
    assert!(r.headers().contains_key("x-request-id"));
    let m = qualys_error(r, StatusCode::UNAUTHORIZED).await;
    assert!(m.contains("missing bearer token"), "{m}");
    // Garbage token and a token of another emulator instance (another secret).
    let r = env
        .http
        .get(&path)
        .bearer_auth("not.a.jwt")
        .send()
        .await
        .unwrap();
    qualys_error(r, StatusCode::UNAUTHORIZED).await;
    let other = start_default().await;
    let r = env
        .http
        .get(&path)
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    let m = qualys_error(r, StatusCode::UNAUTHORIZED).await;
    assert!(m.contains("signature"), "{m}");
    // A user without the permission: 403 with the Qualys body, on every CS route.
    let bob = login_ok(&env.http, &base, "bob", "pw").await;
    for (method, p) in [
        (Method::GET, "/csapi/v1.3/registry".to_owned()),
        (Method::GET, schedules_path()),
        (Method::POST, schedules_path()),
    ] {
        let r = env
            .http
            .request(method, format!("{base}{p}"))
            .bearer_auth(&bob)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["errorCode"], "403 FORBIDDEN");
        assert!(v["message"].as_str().unwrap().contains("bob"), "{v}");
    }
    // The good token works.
    assert_eq!(
        env.get("/csapi/v1.3/registry").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn registries_and_repositories_are_listed_paged_and_filtered() {
    let mut cfg: ConfigFile = serde_json::from_str(&ConfigFile::example_json()).unwrap();
    cfg.users.clear();
    let env = start(Emulator::builder().clock_start(t0()).config(cfg)).await;

    let page: Page<Registry> =
        decode_body(&env.get("/csapi/v1.3/registry").await.text().await.unwrap()).unwrap();
    assert_eq!(page.count, 2);
    assert_eq!(page.data[0].registry_uuid, DEMO_REGISTRY_ID);
    assert_eq!(page.data[0].registry_name.as_deref(), Some("demo-registry"));

    let v = env
        .get_json("/csapi/v1.3/registry?filter=registryType:Azure")
        .await;
    assert_eq!(v["count"], 1);
    assert_eq!(v["data"][0]["registryName"], "acr-prod");
    let v = env.get_json("/csapi/v1.3/registry?filter=registryName:%22demo-registry%22%20and%20registryUri:https*").await;
    assert_eq!(v["count"], 1);
    let v = env
        .get_json("/csapi/v1.3/registry?sort=registryName:desc&pageSize=1")
        .await;
    assert_eq!(
        (v["count"].as_u64(), v["data"].as_array().unwrap().len()),
        (Some(2), 1)
    );
    assert_eq!(v["data"][0]["registryName"], "demo-registry");
    let m = qualys_error(
        env.get("/csapi/v1.3/registry?filter=bogus:1").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        m.contains("unknown field \"bogus\"") && m.contains("registryName"),
        "{m}"
    );

    let d: RegistryDetails = decode_body(
        &env.get(&format!("/csapi/v1.3/registry/{DEMO_REGISTRY_ID}"))
            .await
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(d.registry.repo_count, Some(4));
    assert_eq!(d.credential_type.as_deref(), Some("None"));
    assert_eq!(d.schedules, Some(vec![]));
    let unknown = "00000000-0000-4000-8000-000000000000";
    let m = qualys_error(
        env.get(&format!("/csapi/v1.3/registry/{unknown}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(m.contains(unknown));
    let m = qualys_error(
        env.get("/csapi/v1.3/registry/not-a-uuid").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(m.contains("registryId must be a UUID"), "{m}");

    let repos = format!("/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/repository");
    let p: Page<Repository> = decode_body(
        &env.get(&format!("{repos}?pageSize=3&pageNumber=2"))
            .await
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(p.count, 4);
    assert_eq!(p.data.len(), 1);
    let v = env
        .get_json(&format!(
            "{repos}?filter=repoName:library/*&sort=totalImages:desc"
        ))
        .await;
    assert_eq!(v["count"], 2);
    assert_eq!(v["data"][0]["repoName"], "library/nginx");
    assert_eq!(v["data"][0]["totalImages"], 3);
    qualys_error(
        env.get(&format!("/csapi/v1.3/registry/{unknown}/repository"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn create_stores_the_canonical_request_and_lists_it_as_core_schedule() {
    let env = start_default().await;
    // Qualys's own sample (weekly with a time and days 90: warnings only), with the doc's aliases.
    let body = json!({
        "name": "Automatic Scan Schedule",
        "OnDemand": false,
        "scheduleScanIntervalInDays": 7,
        "weekDay": "THURSDAY",
        "schedule": "06:55",
        "forceScan": true,
        "registryType": "Azure",
        "filters": [{"days": 90, "repoTags": [{"repo": "azuretest", "tag": null}]}],
        "additionalFilters": {"numberOfTags": 5, "sortCriteria": "createdDate"}
    });
    let id = env.create(&body).await;
    let s = env.schedule(&id).await;
    for field in [
        "scheduleUuid",
        "name",
        "onDemand",
        "scheduleIntervalInDays",
        "weekDay",
        "schedule",
        "forceScan",
        "registryType",
        "status",
        "filters",
        "additionalFilters",
        "errors",
        "created",
        "updated",
        "jobStartDate",
        "jobCompletionDate",
        "jobListingStartDate",
        "jobListingCompletionDate",
        "jobScanningStartDate",
        "jobScanningCompletionDate",
    ] {
        assert!(s.get(field).is_some(), "missing {field} in {s}");
    }
    assert_eq!(s["onDemand"], false);
    assert_eq!(s["scheduleIntervalInDays"], 7);
    assert!(s.get("OnDemand").is_none() && s.get("scheduleScanIntervalInDays").is_none());
    assert_eq!(s["status"], "Created");
    assert_eq!(s["created"], ms("2026-01-01T00:00:00Z"));
    assert_eq!(s["jobStartDate"], Value::Null);
    let typed: Schedule = serde_json::from_value(s.clone()).unwrap();
    assert_eq!(typed.id().unwrap().as_str(), id);
    assert_eq!(
        typed.to_request(),
        qualys_cs_core::ScheduleRequest::from_value(&body).unwrap()
    );

    // Duplicate names are allowed (Qualys does not enforce uniqueness).
    let again = env.create(&body).await;
    assert_ne!(again, id);
    let page = env
        .list("filter=name:%22Automatic%20Scan%20Schedule%22")
        .await;
    assert_eq!(page["count"], 2);

    // Unknown registry -> 404; bad JSON -> 400 invalid_json.
    let r = env
        .call(
            Method::POST,
            "/csapi/v1.3/registry/00000000-0000-4000-8000-000000000000/schedule",
            Some(&body),
        )
        .await;
    qualys_error(r, StatusCode::NOT_FOUND).await;
    let r = env
        .http
        .post(env.url(&schedules_path()))
        .bearer_auth(&env.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(
        qualys_error(r, StatusCode::BAD_REQUEST)
            .await
            .contains("(invalid_json)")
    );
}

/// Every rule family of core comes back as a 400 whose message lists `path: message (code)`
/// lines, exactly core's own text (the emulator calls core; it does not re-write rules).
#[tokio::test]
async fn bad_creates_return_400_listing_core_violations() {
    let env = start_default().await;
    let f =
        |repo: Value, tag: Value| json!([{"days": null, "repoTags": [{"repo": repo, "tag": tag}]}]);
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({"name": "", "onDemand": false, "scheduleIntervalInDays": 400, "filters": []}),
            vec!["name_required", "interval_out_of_range", "filters_required"],
        ),
        (
            json!({"name": "a\u{7}b", "filters": f(json!("x"), Value::Null)}),
            vec!["name_control_characters"],
        ),
        (
            json!({"name": "n", "onDemand": false, "filters": f(json!("x"), Value::Null)}),
            vec!["interval_required"],
        ),
        (
            json!({"name": "n", "scheduleIntervalInDays": 3, "weekDay": "MONDAY", "filters": f(json!("x"), Value::Null)}),
            vec!["interval_not_allowed", "week_day_not_allowed"],
        ),
        (
            json!({"name": "n", "onDemand": false, "scheduleIntervalInDays": 7, "filters": f(json!("x"), Value::Null)}),
            vec!["week_day_required"],
        ),
        (
            json!({"name": "n", "onDemand": false, "scheduleIntervalInDays": 7, "weekDay": "monday", "filters": f(json!("x"), Value::Null)}),
            vec!["invalid_week_day"],
        ),
        (
            json!({"name": "n", "onDemand": false, "scheduleIntervalInDays": 1, "filters": f(json!("x"), Value::Null)}),
            vec!["schedule_required"],
        ),
        (
            json!({"name": "n", "onDemand": false, "scheduleIntervalInDays": 1, "schedule": "24:00", "filters": f(json!("x"), Value::Null)}),
            vec!["invalid_schedule_time"],
        ),
        (
            json!({"name": "n", "onDemand": false, "scheduleIntervalInDays": 3, "forceScan": true, "filters": f(json!("x"), Value::Null)}),
            vec!["force_scan_interval_too_short"],
        ),
        (
            json!({"name": "n", "filters": [{"repoTags": []}]}),
            vec!["repo_tags_required"],
        ),
        (
            json!({"name": "n", "filters": f(json!(" "), Value::Null)}),
            vec!["repo_required"],
        ),
        (
            json!({"name": "n", "filters": f(json!("a b"), json!("x,,y"))}),
            vec!["repo_whitespace", "tag_empty"],
        ),
        (
            json!({"name": "n", "filters": [{"days": 0, "repoTags": [{"repo": "x"}]}]}),
            vec!["days_out_of_range"],
        ),
        (
            json!({"name": "n", "filters": f(json!("x"), Value::Null), "additionalFilters": {"sortCriteria": "createdDate"}}),
            vec!["number_of_tags_required"],
        ),
        (
            json!({"name": "n", "filters": f(json!("x"), Value::Null), "additionalFilters": {"numberOfTags": 0}}),
            vec!["number_of_tags_out_of_range"],
        ),
        (
            json!({"name": "n", "onDemand": true, "OnDemand": false, "filters": f(json!("x"), Value::Null)}),
            vec!["conflicting_fields"],
        ),
        (
            json!({"name": 5, "onDemand": "yes", "filters": f(json!("x"), Value::Null)}),
            vec!["wrong_type", "wrong_type"],
        ),
        (json!(["not", "an", "object"]), vec!["wrong_type"]),
    ];
    for (body, codes) in cases {
        let r = env.call(Method::POST, &schedules_path(), Some(&body)).await;
        let message = qualys_error(r, StatusCode::BAD_REQUEST).await;
        let core_text = qualys_cs_core::validate_value(&body)
            .into_result()
            .unwrap_err()
            .to_string();
        assert_eq!(message, core_text, "{body}");
        let got: Vec<&str> = message
            .lines()
            .skip(1)
            .map(|l| l.rsplit_once('(').unwrap().1.trim_end_matches(')'))
            .collect();
        assert_eq!(got, codes, "{body}: {message}");
        assert!(
            message
                .lines()
                .skip(1)
                .all(|l| l.trim_start().starts_with('/')),
            "{message}"
        );
    }
    assert_eq!(env.raw_count().await, 0, "nothing invalid was stored");
}

#[tokio::test]
async fn update_delete_and_cancel_follow_the_rules() {
    let mut env = start_default().await;
    let id = env.create(&daily("nightly", "06:00")).await;
    let path = format!("{}/{id}", schedules_path());

    // Update the time: 200, listed back, `updated` moves with the clock.
    env.advance(10.0).await;
    let mut next = daily("nightly", "07:00");
    next["name"] = json!("nightly-renamed");
    let r = env.call(Method::PUT, &path, Some(&next)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["scheduleUuid"], id);
    let s = env.schedule(&id).await;
    assert_eq!(
        (s["schedule"].as_str(), s["name"].as_str()),
        (Some("07:00"), Some("nightly-renamed"))
    );
    assert_eq!(s["updated"], ms("2026-01-01T00:00:10Z"));

    // Immutable fields and on-demand updates are refused with core's codes.
    let mut moved = next.clone();
    moved["filters"][0]["repoTags"][0]["repo"] = json!("other");
    let m = qualys_error(
        env.call(Method::PUT, &path, Some(&moved)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(m.contains("(immutable_repo)"), "{m}");
    let od = env.create(&on_demand("once")).await;
    let m = qualys_error(
        env.call(
            Method::PUT,
            &format!("{}/{od}", schedules_path()),
            Some(&on_demand("once")),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(m.contains("(update_not_automatic)"), "{m}");
    let m = qualys_error(
        env.call(Method::PUT, &path, Some(&json!({"name": ""})))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(m.contains("(name_required)"), "{m}");
    let missing = format!("{}/00000000-0000-4000-8000-000000000000", schedules_path());
    qualys_error(
        env.call(Method::PUT, &missing, Some(&next)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    qualys_error(
        env.call(Method::DELETE, &missing, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    qualys_error(
        env.call(Method::POST, &format!("{missing}/cancel"), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let m = qualys_error(
        env.call(Method::DELETE, &format!("{}/x..y", schedules_path()), None)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(m.contains("scheduleId must be a UUID"), "{m}");

    // Running: update and delete are refused with 409; cancel works (201), then delete (204).
    env.advance(7.0 * 3600.0 - 10.0 + 1.5).await; // 07:00 fire, then 1.5 steps
    env.token = login_ok(&env.http, env.emu.url(), DEMO_USER, DEMO_PASSWORD).await; // 4 h TTL
    assert_eq!(env.status_of(&id).await, "Running");
    let m = qualys_error(
        env.call(Method::PUT, &path, Some(&next)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(m.contains("Running"), "{m}");
    qualys_error(
        env.call(Method::DELETE, &path, None).await,
        StatusCode::CONFLICT,
    )
    .await;
    let r = env
        .call(Method::POST, &format!("{path}/cancel"), None)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(env.status_of(&id).await, "Canceled");
    let m = qualys_error(
        env.call(Method::POST, &format!("{path}/cancel"), None)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(m.contains("Canceled"), "{m}");
    assert_eq!(
        env.call(Method::DELETE, &path, None).await.status(),
        StatusCode::NO_CONTENT
    );
    qualys_error(
        env.call(Method::DELETE, &path, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(env.list("").await["count"], 1);
}

#[tokio::test]
async fn bulk_delete_and_cancel_skip_as_documented() {
    let env = start_default().await;
    let bulk = format!("{}/bulk", schedules_path());
    let cancel = format!("{}/cancel", schedules_path());

    let queued = env.create(&on_demand("queued")).await;
    env.advance(1.0).await; // queued -> Queued
    let created = env.create(&on_demand("created")).await;
    let canceled = env.create(&on_demand("canceled")).await;
    env.call(
        Method::POST,
        &format!("{}/{canceled}/cancel", schedules_path()),
        None,
    )
    .await;

    let r = env
        .call(
            Method::DELETE,
            &format!("{bulk}?filter=scheduleUuid:*"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let job: qualys_cs_core::BulkDeleteResponse = decode_body(&r.text().await.unwrap()).unwrap();
    assert!(uuid::Uuid::parse_str(&job.deletion_job_id).is_ok());
    let left: Vec<String> = env.list("").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scheduleUuid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        left,
        vec![queued.clone()],
        "Queued is skipped silently; Created and Canceled go"
    );
    let _ = created;

    // scheduleIds win over filter.
    let d = env.create(&on_demand("d")).await;
    let e = env.create(&on_demand("e")).await;
    let r = env
        .call(
            Method::DELETE,
            &format!("{bulk}?scheduleIds={d}&filter=name:e"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(env.list("filter=name:d").await["count"], 0);
    assert_eq!(env.list("filter=name:e").await["count"], 1);
    qualys_error(
        env.call(Method::DELETE, &bulk, None).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let m = qualys_error(
        env.call(Method::DELETE, &format!("{bulk}?scheduleIds=nope"), None)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(m.contains("scheduleIds"), "{m}");
    // A malformed filter is an error even when ids are given (and win).
    let m = qualys_error(
        env.call(
            Method::DELETE,
            &format!("{bulk}?scheduleIds={e}&filter=bogus:1"),
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(m.contains("unknown field \"bogus\""), "{m}");
    assert_eq!(env.list("filter=name:e").await["count"], 1);

    // Bulk cancel: Queued/Created/Running are canceled; Completed is skipped; ids repeated.
    env.advance(10.0).await; // everything so far completes
    let done = e.clone();
    assert_eq!(env.status_of(&done).await, "Completed");
    let a = env.create(&on_demand("a")).await;
    env.advance(2.0).await; // a Running
    let b = env.create(&on_demand("b")).await;
    let r = env
        .call(
            Method::POST,
            &format!("{cancel}?scheduleIds={a}&scheduleIds={b}&scheduleIds={done}"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert!(v["CancelJobId"].as_str().is_some(), "{v}");
    assert_eq!(env.status_of(&a).await, "Canceled");
    assert_eq!(env.status_of(&b).await, "Canceled");
    assert_eq!(env.status_of(&done).await, "Completed");
    // Cancel all with scheduleUuid:*.
    let c = env.create(&on_demand("c")).await;
    let r = env
        .call(
            Method::POST,
            &format!("{cancel}?filter=scheduleUuid:*"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(env.status_of(&c).await, "Canceled");
}

#[tokio::test]
async fn schedules_page_filter_and_sort() {
    let env = start_default().await;
    for i in 1..=5 {
        env.create(&on_demand(&format!("s{i}"))).await;
        env.advance(0.001).await;
    }
    env.create(&on_demand("nightly scan")).await;
    env.create(&daily("weekly `odd`", "05:00")).await;

    let counts = |v: &Value| {
        (
            v["count"].as_u64().unwrap(),
            v["data"].as_array().unwrap().len(),
        )
    };
    assert_eq!(counts(&env.list("pageSize=3&pageNumber=1").await), (7, 3));
    assert_eq!(counts(&env.list("pageSize=3&pageNumber=3").await), (7, 1));
    assert_eq!(counts(&env.list("pageSize=3&pageNumber=4").await), (7, 0));
    assert_eq!(counts(&env.list("").await), (7, 7));
    let v = env.list("pageSize=2&pageNumber=2").await;
    assert_eq!(
        v["data"][0]["name"], "s3",
        "default order is creation order"
    );

    let names = |v: &Value| {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&env.list("sort=name:desc&pageSize=2").await),
        ["weekly `odd`", "s5"]
    );
    assert_eq!(
        names(
            &env.list("sort=created:desc&filter=name:s*&pageSize=2")
                .await
        ),
        ["s5", "s4"]
    );
    assert_eq!(
        names(&env.list("filter=name:%22nightly%20scan%22").await),
        ["nightly scan"]
    );
    assert_eq!(
        names(&env.list("filter=name:%22weekly%20%60odd%60%22").await),
        ["weekly `odd`"]
    );
    assert_eq!(
        names(&env.list("filter=onDemand:false").await),
        ["weekly `odd`"]
    );
    assert_eq!(
        names(&env.list("filter=status:created%20AND%20name:s1").await),
        ["s1"]
    );
    assert_eq!(env.list("filter=scheduleUuid:*").await["count"], 7);

    for (q, param) in [
        ("filter=registryName:x", "filter"),
        ("filter=name:a%20or%20name:b", "filter"),
        ("sort=bogus:asc", "sort"),
        ("sort=name:sideways", "sort"),
        ("pageNumber=0", "pageNumber"),
        ("pageSize=5000", "pageSize"),
    ] {
        let r = env.get(&format!("{}?{q}", schedules_path())).await;
        let m = qualys_error(r, StatusCode::BAD_REQUEST).await;
        assert!(m.contains(param), "{q}: {m}");
    }
}

#[tokio::test]
async fn control_routes_reset_journal_redact_and_openapi_matches_routes() {
    let env = start_default().await;
    let id = env.create(&on_demand("x")).await;

    // The journal has /auth with the password redacted and no token anywhere.
    let r = env.control(Method::GET, "/_emulator/requests", None).await;
    let text = r.text().await.unwrap();
    assert!(!text.contains(DEMO_PASSWORD), "password leaked: {text}");
    assert!(!text.contains(&env.token), "token leaked");
    let journal: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(journal[0]["path"], "/auth");
    assert_eq!(journal[0]["status"], 201);
    assert_eq!(journal[0]["bodyRedacted"]["password"], "***");
    assert_eq!(journal[0]["bodyRedacted"]["username"], DEMO_USER);
    assert_eq!(journal[1]["method"], "POST");
    assert_eq!(journal[1]["authorization"], "Bearer ***");
    assert_eq!(journal[1]["user"], DEMO_USER);
    assert_eq!(journal[1]["bodyRedacted"]["name"], "x");

    // Raw state.
    let raw: Vec<Value> = env
        .control(Method::GET, "/_emulator/schedules", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(raw[0]["scheduleUuid"], id);
    assert_eq!(raw[0]["registryUuid"], DEMO_REGISTRY_ID);
    assert_eq!(raw[0]["emulator"]["phase"], "Created");
    assert_eq!(
        raw[0]["emulator"]["nextStepMs"],
        t0().as_millisecond() + 1000
    );

    // Settings: change the step, see it applied.
    let r = env
        .control(
            Method::PUT,
            "/_emulator/settings",
            Some(json!({"jobStepSeconds": 60})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["jobStepSeconds"], 60.0);
    let r = env
        .control(
            Method::PUT,
            "/_emulator/settings",
            Some(json!({"jobStepSeconds": -1})),
        )
        .await;
    qualys_error(r, StatusCode::BAD_REQUEST).await;

    // Clock.
    let c: Value = env
        .control(Method::GET, "/_emulator/clock", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["now"], "2026-01-01T00:00:00Z");
    assert_eq!(c["nowMs"], t0().as_millisecond());
    assert_eq!(c["mode"], "virtual");
    let r = env
        .control(
            Method::POST,
            "/_emulator/clock/advance",
            Some(json!({"seconds": -5})),
        )
        .await;
    qualys_error(r, StatusCode::BAD_REQUEST).await;
    let r = env
        .control(
            Method::POST,
            "/_emulator/clock/advance",
            Some(json!({"secs": 5})),
        )
        .await;
    qualys_error(r, StatusCode::BAD_REQUEST).await;

    // Reset clears schedules, faults and the journal; the token still works.
    env.fault(json!({"kind": "latency", "latencyMs": 1, "count": 100}))
        .await;
    assert_eq!(
        env.control(Method::POST, "/_emulator/reset", None)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(env.raw_count().await, 0);
    let faults: Vec<Value> = env
        .control(Method::GET, "/_emulator/faults", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(faults.is_empty());
    let journal: Vec<Value> = env
        .control(Method::GET, "/_emulator/requests", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(journal.is_empty());
    assert_eq!(env.list("").await["count"], 0);
    assert_eq!(
        env.control(Method::DELETE, "/_emulator/requests", None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );

    // Unknown route and wrong method: Qualys-shaped 404 / 405.
    qualys_error(env.get("/csapi/v1.3/nope").await, StatusCode::NOT_FOUND).await;
    qualys_error(
        env.call(Method::PATCH, &schedules_path(), None).await,
        StatusCode::METHOD_NOT_ALLOWED,
    )
    .await;

    // OpenAPI: 3.0, and every documented operation is a route (no 404 "no route", no 405),
    // and every route these tests use is documented.
    let doc: Value = env
        .control(Method::GET, "/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().unwrap();
    let mut ops = 0;
    for (p, item) in paths {
        for (method, _) in item.as_object().unwrap() {
            let concrete = p
                .replace("{registryId}", DEMO_REGISTRY_ID)
                .replace("{scheduleId}", "00000000-0000-4000-8000-000000000000");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = if p.starts_with("/csapi") {
                env.call(m.clone(), &concrete, None).await
            } else {
                env.control(m.clone(), &concrete, None).await
            };
            assert_ne!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {p}");
            let status = r.status();
            let body = r.text().await.unwrap();
            assert!(
                !body.contains("no route for"),
                "{method} {p}: {status} {body}"
            );
            let documented = doc["paths"][p][method]["responses"].as_object().unwrap();
            assert!(
                documented.contains_key(status.as_str()),
                "{method} {p}: {status} undocumented"
            );
            ops += 1;
        }
    }
    assert_eq!(ops, 23);
    for p in [
        "/auth",
        "/csapi/v1.3/registry/{registryId}/schedule/bulk",
        "/_emulator/clock/advance",
    ] {
        assert!(paths.contains_key(p), "{p}");
    }
    let _ = Duration::ZERO;
}

/// The blocking handle (for bindings) runs its own runtime; stop closes the port.
#[test]
fn blocking_handle_serves_and_stops() {
    let emu = Emulator::builder()
        .clock_start(t0())
        .start_blocking()
        .unwrap();
    assert!(emu.url().starts_with("http://127.0.0.1:"));
    assert_eq!(emu.demo_registry_id(), DEMO_REGISTRY_ID);
    let url = emu.url().to_owned();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clock = |rt: &tokio::runtime::Runtime| -> Value {
        rt.block_on(async {
            http()
                .get(format!("{url}/_emulator/clock"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        })
    };
    assert_eq!(clock(&rt)["now"], "2026-01-01T00:00:00Z");
    let now = emu.advance_clock(Duration::from_secs(90)).unwrap();
    assert_eq!(now.to_string(), "2026-01-01T00:01:30Z");
    assert_eq!(clock(&rt)["now"], "2026-01-01T00:01:30Z");
    let port = emu.port();
    emu.stop();
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port still open after stop"
    );
}

#[tokio::test]
async fn stop_and_drop_close_the_port() {
    let emu = Emulator::builder().start().await.unwrap();
    let port = emu.port();
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
    );
    emu.stop().await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
    );
    let emu = Emulator::builder().start().await.unwrap();
    let port = emu.port();
    drop(emu);
    let mut closed = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(closed, "drop did not shut the server down");
}
