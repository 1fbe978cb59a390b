//! Every CS route, auth, validation, paging/filter/sort and the control routes, over real HTTP;
//! each test runs once per wire profile (`full::…`, `oas2021::…`), asserting the profile's
//! shape where the two differ (crate README, "Wire profiles").
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use base64::Engine as _;
use common::*;
use qualys_cs_core::{Page, Registry, RegistryDetails, Repository, Schedule, decode_body};
use qualys_cs_emulator::{
    ConfigFile, DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator, WireProfile,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

wire_tests!(
    auth_issues_jwts_and_guards_every_cs_route,
    registries_and_repositories_are_listed_paged_and_filtered,
    registry_answers_have_the_profile_shape,
    create_stores_the_canonical_request_and_lists_it_as_core_schedule,
    schedule_list_items_have_the_profile_shape,
    bad_creates_return_400_listing_core_violations,
    nulls_and_wrong_types_are_422_at_the_oas2021_gateway,
    extra_properties_pass_the_gateway,
    unknown_request_fields_never_shadow_the_emulators_own,
    update_delete_and_cancel_follow_the_rules,
    bulk_delete_and_cancel_skip_as_documented,
    schedules_page_filter_and_sort,
    indexed_lookups_answer_exactly_what_the_filter_does,
    control_routes_reset_journal_redact_and_openapi_matches_routes,
    stop_and_drop_close_the_port,
);
wire_tests_blocking!(blocking_handle_serves_and_stops);

async fn auth_issues_jwts_and_guards_every_cs_route(wire: WireProfile) {
    let env = start(
        builder(wire)
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
    let other = start_default(wire).await;
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

fn example_config() -> ConfigFile {
    let mut cfg: ConfigFile = serde_json::from_str(&ConfigFile::example_json()).unwrap();
    cfg.users.clear();
    cfg.wire = None;
    cfg
}

async fn registries_and_repositories_are_listed_paged_and_filtered(wire: WireProfile) {
    let env = start(builder(wire).config(example_config())).await;
    let oas = env.oas();

    let page: Page<Registry> =
        decode_body(&env.get("/csapi/v1.3/registry").await.text().await.unwrap()).unwrap();
    assert_eq!(page.count, 2);
    assert_eq!(page.data[0].registry_uuid, DEMO_REGISTRY_ID);
    // The 2021 OpenAPI `Registry` has no registryName (spec §6b).
    let demo_name = (!oas).then_some("demo-registry");
    assert_eq!(page.data[0].registry_name.as_deref(), demo_name);

    let v = env
        .get_json("/csapi/v1.3/registry?filter=registryType:Azure")
        .await;
    assert_eq!(v["count"], 1);
    assert_eq!(v["data"][0]["registryUri"], "https://prod.azurecr.io");
    if oas {
        assert!(v["data"][0].get("registryName").is_none(), "{v}");
    } else {
        assert_eq!(v["data"][0]["registryName"], "acr-prod");
    }
    // A filter on registryName matches nothing where the field does not exist.
    let v = env.get_json("/csapi/v1.3/registry?filter=registryName:%22demo-registry%22%20and%20registryUri:https*").await;
    assert_eq!(v["count"], if oas { 0 } else { 1 });
    let v = env
        .get_json("/csapi/v1.3/registry?filter=registryName:*")
        .await;
    assert_eq!(v["count"], if oas { 0 } else { 2 });
    let v = env
        .get_json("/csapi/v1.3/registry?sort=registryName:desc&pageSize=1")
        .await;
    assert_eq!(
        (v["count"].as_u64(), v["data"].as_array().unwrap().len()),
        (Some(2), 1)
    );
    // Sorting on a field the profile lacks keeps the default (creation) order.
    assert_eq!(v["data"][0]["registryUuid"], DEMO_REGISTRY_ID);
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
    if oas {
        assert_eq!(d.credential_type, None);
        assert_eq!(d.schedules, None);
    } else {
        assert_eq!(d.credential_type.as_deref(), Some("None"));
        assert_eq!(d.schedules, Some(vec![]));
    }
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

/// The key sets of `GET /registry` items and `GET /registry/{id}`, exactly (spec §6b for
/// Oas2021; Full is core's `Registry` / `RegistryDetails`).
async fn registry_answers_have_the_profile_shape(wire: WireProfile) {
    let env = start(builder(wire).config(example_config())).await;
    let list_text = env.get("/csapi/v1.3/registry").await.text().await.unwrap();
    let keys = item_keys(&list_text);
    let details_path = format!("/csapi/v1.3/registry/{DEMO_REGISTRY_ID}");
    let details_text = env.get(&details_path).await.text().await.unwrap();
    let details_keys = object_keys(&details_text);
    let list: Value = serde_json::from_str(&list_text).unwrap();
    let details: Value = serde_json::from_str(&details_text).unwrap();
    let common = [
        "registryUuid",
        "registryUri",
        "registryType",
        "repoCount",
        "created",
        "updated",
    ];
    match wire {
        WireProfile::Oas2021 => {
            let item = [
                &common[..],
                &[
                    "totalImages",
                    "totalScannedImages",
                    "totalVulnerableImages",
                    "scheduleStatusList",
                ],
            ]
            .concat();
            assert_eq!(sorted(&keys[0]), sorted(&item), "{list_text}");
            assert_eq!(sorted(&keys[1]), sorted(&item), "{list_text}");
            assert_eq!(
                sorted(&details_keys),
                sorted(&[&item[..], &["connectors"]].concat()),
                "{details_text}"
            );
            assert!(nulls(&list).is_empty() && nulls(&details).is_empty());
            // Demo totals: 3+2+3+1 images, 3+2+1+0 scanned, 2+0+1+0 vulnerable.
            let d = &list["data"][0];
            assert_eq!(
                (
                    &d["totalImages"],
                    &d["totalScannedImages"],
                    &d["totalVulnerableImages"]
                ),
                (&json!(9), &json!(6), &json!(3))
            );
            assert_eq!(d["repoCount"], 4);
            assert_eq!(d["created"], "1735689600000");
            assert_eq!(d["scheduleStatusList"], json!([]));
            assert_eq!(details["connectors"], json!([]));
            // A job that ran: its status is listed and lastScanned is its scan completion.
            let id = env.create(&on_demand("scan")).await;
            env.advance(4.0).await;
            env.create(&on_demand("waiting")).await;
            let list = env.get_json("/csapi/v1.3/registry").await;
            let d = &list["data"][0];
            assert_eq!(d["scheduleStatusList"], json!(["Completed", "Created"]));
            assert_eq!(d["lastScanned"], ms("2026-01-01T00:00:04Z"));
            let s = env.schedule(&id).await;
            assert_eq!(d["lastScanned"], s["jobScanningCompletionDate"]);
            assert_eq!(list["data"][1]["scheduleStatusList"], json!([]));
            let details = env.get_json(&details_path).await;
            assert_eq!(details["lastScanned"], d["lastScanned"]);
            assert!(details.get("schedules").is_none());
        }
        WireProfile::Full => {
            let item = [&common[..], &["registryName"]].concat();
            assert_eq!(sorted(&keys[0]), sorted(&item), "{list_text}");
            assert_eq!(
                sorted(&details_keys),
                sorted(&[&item[..], &["credentialType", "schedules"]].concat()),
                "{details_text}"
            );
        }
    }
}

async fn create_stores_the_canonical_request_and_lists_it_as_core_schedule(wire: WireProfile) {
    let env = start_default(wire).await;
    // Qualys's own sample (weekly with a time and days 90: warnings only), with the doc's aliases.
    let mut body = json!({
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
    if env.oas() {
        // The sample's `"tag": null` does not pass a gateway validating against the 2021
        // OpenAPI schema (spec §6b); the same body without it does.
        let r = env.call(Method::POST, &schedules_path(), Some(&body)).await;
        let m = qualys_error(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            m.contains("/filters/0/repoTags/0/tag: expected string, got null"),
            "{m}"
        );
        assert_eq!(env.raw_count().await, 0);
        body["filters"][0]["repoTags"][0]
            .as_object_mut()
            .unwrap()
            .remove("tag");
    }
    let id = env.create(&body).await;
    let s = env.schedule(&id).await;
    if env.oas() {
        assert_eq!(
            sorted(&s.as_object().unwrap().keys().collect::<Vec<_>>()),
            sorted(&[
                "scheduleUuid",
                "name",
                "onDemand",
                "schedule",
                "status",
                "filters",
                "errors",
                "created",
                "updated"
            ]),
            "{s}"
        );
        assert_eq!(s["onDemand"], false);
        assert_eq!(s["schedule"], "06:55");
        assert_eq!(s["status"], "Created");
        assert_stamp(&s["created"], "2026-01-01T00:00:00Z");
        assert_eq!(
            s["filters"],
            json!([{"days": 90, "repoTags": [{"repo": "azuretest"}]}])
        );
        // What the answer does not carry stays unknown (spec §6b): the typed schedule has
        // no interval, weekday, forceScan, registryType or additionalFilters.
        let typed: Schedule = serde_json::from_value(s.clone()).unwrap();
        assert_eq!(typed.id().unwrap().as_str(), id);
        let stored = qualys_cs_core::ScheduleRequest::from_value(&body).unwrap();
        assert_eq!(
            (
                typed.name.as_str(),
                typed.schedule.as_deref(),
                &typed.filters
            ),
            (
                stored.name.as_str(),
                stored.schedule.as_deref(),
                &stored.filters
            )
        );
        assert_eq!(
            (
                typed.schedule_interval_in_days,
                typed.week_day.is_none(),
                typed.force_scan,
                typed.registry_type.is_none(),
                typed.additional_filters.is_none()
            ),
            (None, true, None, true, true)
        );
        // The emulator stored everything: the raw view has the whole canonical request.
        let raw = env.emu.schedules().unwrap();
        assert_eq!(raw[0]["emulator"]["request"]["scheduleIntervalInDays"], 7);
    }
    for field in if env.oas() {
        vec![]
    } else {
        vec![
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
        ]
    } {
        assert!(s.get(field).is_some(), "missing {field} in {s}");
    }
    assert!(s.get("OnDemand").is_none() && s.get("scheduleScanIntervalInDays").is_none());
    assert_eq!(s["jobStartDate"], Value::Null);
    if !env.oas() {
        assert_eq!(s["onDemand"], false);
        assert_eq!(s["scheduleIntervalInDays"], 7);
        assert_eq!(s["status"], "Created");
        assert_stamp(&s["created"], "2026-01-01T00:00:00Z");
        let typed: Schedule = serde_json::from_value(s.clone()).unwrap();
        assert_eq!(typed.id().unwrap().as_str(), id);
        assert_eq!(
            typed.to_request(),
            qualys_cs_core::ScheduleRequest::from_value(&body).unwrap()
        );
    }

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
/// In Oas2021 the bodies that do not match the OpenAPI schema stop at the gateway (422);
/// the others reach core's rules as in Full.
async fn bad_creates_return_400_listing_core_violations(wire: WireProfile) {
    let env = start_default(wire).await;
    // Absent days/tag are omitted (valid in both profiles); a null is tested on its own below.
    let f = |repo: Value, tag: Value| {
        let mut rt = json!({"repo": repo});
        if !tag.is_null() {
            rt["tag"] = tag;
        }
        json!([{"repoTags": [rt]}])
    };
    // Bodies the Oas2021 gateway refuses, with the paths its 422 names.
    let gateway: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({"name": 5, "onDemand": "yes", "filters": f(json!("x"), Value::Null)}),
            vec![
                "/name: expected string, got a number",
                "/onDemand: expected boolean, got a string",
            ],
        ),
        (
            json!(["not", "an", "object"]),
            vec!["(root): expected object, got an array"],
        ),
    ];
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
        if let Some((_, lines)) = gateway
            .iter()
            .find(|(b, _)| *b == body)
            .filter(|_| env.oas())
        {
            let m = qualys_error(r, StatusCode::UNPROCESSABLE_ENTITY).await;
            let got: Vec<&str> = m.lines().skip(1).map(str::trim).collect();
            assert_eq!(got, *lines, "{body}: {m}");
            continue;
        }
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

/// The key set of schedule list items, exactly, each key once (spec §6 for Full, §6b for
/// Oas2021: no interval, weekday, forceScan, registryType, additionalFilters; nothing null).
async fn schedule_list_items_have_the_profile_shape(wire: WireProfile) {
    let env = start(long_lived(wire)).await;
    let daily_id = env.create(&daily("nightly", "06:00")).await;
    let now_id = env.create(&on_demand("now")).await;
    env.advance(4.0).await; // the on-demand job completes
    let r = env
        .control(
            Method::PUT,
            "/_emulator/settings",
            Some(json!({"jobOutcome": "Failed"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let failed_id = env.create(&on_demand("doomed")).await;
    env.advance(4.0).await;

    let text = env.get(&schedules_path()).await.text().await.unwrap();
    let keys = item_keys(&text);
    let page: Value = serde_json::from_str(&text).unwrap();
    for k in &keys {
        let mut unique = k.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), k.len(), "duplicate keys in {k:?}");
    }
    let item = |id: &str| {
        let i = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .position(|s| s["scheduleUuid"] == id)
            .unwrap();
        (page["data"][i].clone(), keys[i].clone())
    };
    let (d, d_keys) = item(&daily_id);
    let (n, n_keys) = item(&now_id);
    let (f, f_keys) = item(&failed_id);
    let dates = [
        "jobStartDate",
        "jobCompletionDate",
        "jobListingStartDate",
        "jobListingCompletionDate",
        "jobScanningStartDate",
        "jobScanningCompletionDate",
    ];
    let base = [
        "scheduleUuid",
        "name",
        "onDemand",
        "status",
        "filters",
        "errors",
        "created",
        "updated",
    ];
    match wire {
        WireProfile::Oas2021 => {
            // Not run yet: no dates (omitted, never null); a time: `schedule`.
            assert_eq!(
                sorted(&d_keys),
                sorted(&[&base[..], &["schedule"]].concat())
            );
            // Run: every date; on demand: no `schedule`.
            assert_eq!(sorted(&n_keys), sorted(&[&base[..], &dates[..]].concat()));
            assert_eq!(sorted(&f_keys), sorted(&n_keys));
            assert!(nulls(&page).is_empty(), "{text}");
            assert_eq!(
                d["filters"],
                json!([{"days": 7, "repoTags": [{"repo": "team/app", "tag": "main,v1.1.0"}]}])
            );
            assert_eq!(
                n["filters"],
                json!([{"repoTags": [{"repo": "library/nginx"}]}])
            );
            assert_eq!(n["jobScanningCompletionDate"], ms("2026-01-01T00:00:04Z"));
            assert_eq!(n["errors"], json!([]));
            assert_eq!(f["status"], "Failed");
            assert_eq!(
                sorted(
                    &f["errors"][0]
                        .as_object()
                        .unwrap()
                        .keys()
                        .collect::<Vec<_>>()
                ),
                sorted(&["errorCode", "errorMessage", "contextParams"])
            );
        }
        WireProfile::Full => {
            let full = [&base[..], &dates[..], &["forceScan", "registryType"]].concat();
            assert_eq!(
                sorted(&d_keys),
                sorted(&[&full[..], &["scheduleIntervalInDays", "schedule"]].concat())
            );
            assert_eq!(sorted(&n_keys), sorted(&full));
            assert_eq!(sorted(&f_keys), sorted(&full));
            assert_eq!(d["jobStartDate"], Value::Null);
            assert_eq!(d["scheduleIntervalInDays"], 1);
            assert_eq!(n["forceScan"], false);
            assert_eq!(n["registryType"], "V2");
        }
    }
    assert_eq!(n["status"], "Completed");
    assert_eq!(f["errors"][0]["errorCode"], "EMULATED_SCAN_FAILURE");
}

/// Oas2021's gateway validates against the OpenAPI `ScheduleRequest`, where no property is
/// nullable: each kind of `null` (and a wrong type) is a 422 whose message names the path.
/// Full reads `null` as absent and leaves the rest to core (200 or 400).
async fn nulls_and_wrong_types_are_422_at_the_oas2021_gateway(wire: WireProfile) {
    let env = start_default(wire).await;
    let base = on_demand("n");
    type Edit = fn(&mut Value);
    let cases: Vec<(Edit, &str, StatusCode)> = vec![
        (
            |b| b["filters"][0]["days"] = Value::Null,
            "/filters/0/days: expected integer, got null",
            StatusCode::OK,
        ),
        (
            |b| b["filters"][0]["repoTags"][0]["tag"] = Value::Null,
            "/filters/0/repoTags/0/tag: expected string, got null",
            StatusCode::OK,
        ),
        (
            |b| b["schedule"] = Value::Null,
            "/schedule: expected string, got null",
            StatusCode::OK,
        ),
        (
            |b| b["onDemand"] = Value::Null,
            "/onDemand: expected boolean, got null",
            StatusCode::OK,
        ),
        (
            |b| b["name"] = Value::Null,
            "/name: expected string, got null",
            StatusCode::BAD_REQUEST,
        ),
        (
            |b| b["filters"] = Value::Null,
            "/filters: expected array, got null",
            StatusCode::BAD_REQUEST,
        ),
        (
            |b| b["filters"] = json!([null]),
            "/filters/0: expected object, got null",
            StatusCode::BAD_REQUEST,
        ),
        (
            |b| b["filters"][0]["repoTags"] = Value::Null,
            "/filters/0/repoTags: expected array, got null",
            StatusCode::BAD_REQUEST,
        ),
        (
            |b| b["filters"][0]["repoTags"] = json!([null]),
            "/filters/0/repoTags/0: expected object, got null",
            StatusCode::BAD_REQUEST,
        ),
        (
            |b| b["filters"][0]["repoTags"][0]["repo"] = Value::Null,
            "/filters/0/repoTags/0/repo: expected string, got null",
            StatusCode::BAD_REQUEST,
        ),
        (
            |b| b["filters"][0]["days"] = json!("7"),
            "/filters/0/days: expected integer, got a string",
            StatusCode::BAD_REQUEST,
        ),
        (
            |b| b["filters"][0]["days"] = json!(1.5),
            "/filters/0/days: expected integer, got a decimal number",
            StatusCode::BAD_REQUEST,
        ),
    ];
    let mut created = 0;
    for (edit, line, full_status) in &cases {
        let mut body = base.clone();
        edit(&mut body);
        let r = env.call(Method::POST, &schedules_path(), Some(&body)).await;
        if env.oas() {
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["errorCode"], "422 UNPROCESSABLE_ENTITY", "{v}");
            assert!(v["timestamp"].is_i64(), "{v}");
            let m = v["message"].as_str().unwrap();
            assert!(
                m.starts_with(
                    "the request body does not match the OpenAPI ScheduleRequest schema: 1 problem\n"
                ),
                "{m}"
            );
            let got = m.lines().nth(1).unwrap().trim();
            assert!(got.starts_with(line), "{body}: {m}");
            if line.ends_with("got null") {
                assert!(got.ends_with("omit it instead of sending null)"), "{m}");
            }
        } else {
            assert_eq!(r.status(), *full_status, "{body}");
            created += usize::from(*full_status == StatusCode::OK);
        }
    }
    // Several problems at once are all listed; nothing refused was stored.
    let mut body = base.clone();
    body["name"] = Value::Null;
    body["schedule"] = Value::Null;
    body["filters"][0]["days"] = Value::Null;
    let r = env.call(Method::POST, &schedules_path(), Some(&body)).await;
    if env.oas() {
        let m = qualys_error(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        let paths: Vec<&str> = m
            .lines()
            .skip(1)
            .map(|l| l.trim().split(':').next().unwrap())
            .collect();
        // In the body's order (`schedule` was added last).
        assert_eq!(paths, ["/name", "/filters/0/days", "/schedule"], "{m}");
        assert!(m.contains(": 3 problems\n"), "{m}");
        // The journal records the body as sent.
        let journal: Vec<Value> = env
            .control(Method::GET, "/_emulator/requests", None)
            .await
            .json()
            .await
            .unwrap();
        let last = journal.last().unwrap();
        assert_eq!(last["status"], 422);
        assert_eq!(last["bodyRedacted"]["filters"][0]["days"], Value::Null);
        assert!(last["bodyRedacted"]["filters"][0].get("days").is_some());
    } else {
        qualys_error(r, StatusCode::BAD_REQUEST).await;
    }
    assert_eq!(env.raw_count().await, created);

    // Update goes through the same gateway.
    let id = env.create(&daily("d", "06:00")).await;
    let mut next = daily("d", "07:00");
    next["schedule"] = Value::Null;
    let r = env
        .call(
            Method::PUT,
            &format!("{}/{id}", schedules_path()),
            Some(&next),
        )
        .await;
    if env.oas() {
        let m = qualys_error(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            m.contains("\n  /schedule: expected string, got null"),
            "{m}"
        );
    } else {
        let m = qualys_error(r, StatusCode::BAD_REQUEST).await;
        assert!(m.contains("(schedule_required)"), "{m}");
    }
    assert_eq!(env.schedule(&id).await["schedule"], "06:00");
}

/// The OpenAPI schema allows properties it does not list: the documentation's fields (and
/// anything else) pass the Oas2021 gateway, even as null; the answer just does not carry them.
async fn extra_properties_pass_the_gateway(wire: WireProfile) {
    let env = start_default(wire).await;
    let body = json!({
        "name": "weekly", "onDemand": false, "OnDemand": null,
        "scheduleIntervalInDays": 7, "weekDay": "MONDAY", "schedule": "01:00",
        "forceScan": true, "registryType": "V2", "additionalFilters": null, "ticket": "T-1",
        "filters": [{"days": 7, "repoTags": [{"repo": "team/app", "tag": "main"}]}]
    });
    let id = env.create(&body).await;
    let mut with_latest = body.clone();
    with_latest["additionalFilters"] = json!({"numberOfTags": 2, "sortCriteria": "createdDate"});
    with_latest["scheduleScanIntervalInDays"] = Value::Null;
    let id2 = env.create(&with_latest).await;
    let s = env.schedule(&id).await;
    let s2 = env.schedule(&id2).await;
    let absent_in_oas = [
        "scheduleIntervalInDays",
        "weekDay",
        "forceScan",
        "registryType",
        "additionalFilters",
        "ticket",
        "OnDemand",
        "scheduleScanIntervalInDays",
    ];
    if env.oas() {
        for k in absent_in_oas {
            assert!(
                s.get(k).is_none() && s2.get(k).is_none(),
                "{k} in {s} / {s2}"
            );
        }
        assert_eq!(s["schedule"], "01:00");
        assert_eq!(s["onDemand"], false);
    } else {
        assert_eq!(
            (
                &s["scheduleIntervalInDays"],
                &s["weekDay"],
                &s["forceScan"],
                &s["registryType"],
                &s["ticket"]
            ),
            (
                &json!(7),
                &json!("MONDAY"),
                &json!(true),
                &json!("V2"),
                &json!("T-1")
            )
        );
        assert_eq!(s2["additionalFilters"]["numberOfTags"], 2);
    }
    // The emulator keeps and uses them all the same: a weekly schedule runs on Mondays.
    let raw = env.emu.schedules().unwrap();
    assert_eq!(raw[0]["emulator"]["nextRun"], "2026-01-05T01:00:00Z");
    let r = env
        .call(
            Method::PUT,
            &format!("{}/{id}", schedules_path()),
            Some(&body),
        )
        .await;
    assert_eq!(
        r.status(),
        if env.oas() {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        }
    );
}

/// A create body carrying a listed schedule's own fields (what a client sends when it posts
/// a listed dict back) must not produce duplicate keys nor override the emulator's values:
/// unknown fields are kept apart, Full echoes only harmless ones, Oas2021 none.
async fn unknown_request_fields_never_shadow_the_emulators_own(wire: WireProfile) {
    let env = start_default(wire).await;
    let mut body = on_demand("shadow");
    let unknown = json!({
        "scheduleUuid": "x", "status": "Running", "created": "1", "updated": "2",
        "jobStartDate": "3", "errors": "none", "Status": "Paused", "ticket": "T-1"
    });
    body.as_object_mut()
        .unwrap()
        .extend(unknown.as_object().unwrap().clone());
    let id = env.create(&body).await;

    let text = env.get(&schedules_path()).await.text().await.unwrap();
    let keys = &item_keys(&text)[0];
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "duplicate keys: {text}");
    for k in ["scheduleUuid", "status", "created", "updated", "errors"] {
        assert_eq!(keys.iter().filter(|x| *x == k).count(), 1, "{k}: {text}");
    }
    assert!(!keys.iter().any(|k| k == "Status"), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let s = &v["data"][0];
    assert_eq!(s["scheduleUuid"], id);
    assert_eq!(s["status"], "Created");
    assert_stamp(&s["created"], "2026-01-01T00:00:00Z");
    assert_stamp(&s["updated"], "2026-01-01T00:00:00Z");
    assert_eq!(s["errors"], json!([]));
    assert!(s["jobStartDate"].is_null());
    if env.oas() {
        assert!(s.get("ticket").is_none(), "{s}");
    } else {
        assert_eq!(s["ticket"], "T-1");
        // The registry details list the same item, also without duplicates.
        let d = env
            .get(&format!("/csapi/v1.3/registry/{DEMO_REGISTRY_ID}"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(d.matches("\"status\":").count(), 1, "{d}");
        assert_eq!(d.matches("\"scheduleUuid\":").count(), 1, "{d}");
    }
    // The filter sees the emulator's values, not the echoed ones.
    assert_eq!(env.list("filter=status:Created").await["count"], 1);
    assert_eq!(env.list("filter=status:Running").await["count"], 0);
    // The raw view keeps every unknown field apart.
    let raw_text = env
        .control(Method::GET, "/_emulator/schedules", None)
        .await
        .text()
        .await
        .unwrap();
    let raw_keys = &serde_json::from_str::<Vec<Keys>>(&raw_text).unwrap()[0].0;
    let mut unique = raw_keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), raw_keys.len(), "duplicate keys: {raw_text}");
    let raw: Vec<Value> = serde_json::from_str(&raw_text).unwrap();
    assert_eq!(raw[0]["status"], "Created");
    assert_eq!(raw[0]["emulator"]["unknownFields"], unknown);
    assert!(raw[0]["emulator"]["request"].get("ticket").is_none());

    // An update replaces the unknown fields with the new body's.
    let mut d = daily("d", "06:00");
    d["owner"] = json!("a");
    d["status"] = json!("Running");
    let did = env.create(&d).await;
    d["owner"] = json!("b");
    d.as_object_mut().unwrap().remove("status");
    let r = env
        .call(
            Method::PUT,
            &format!("{}/{did}", schedules_path()),
            Some(&d),
        )
        .await;
    assert!(r.status().is_success());
    let raw = env.emu.schedules().unwrap();
    assert_eq!(raw[1]["emulator"]["unknownFields"], json!({"owner": "b"}));
    let s = env.schedule(&did).await;
    assert_eq!(s["status"], "Created");
    if env.oas() {
        assert!(s.get("owner").is_none());
    } else {
        assert_eq!(s["owner"], "b");
    }
}

/// Full: update 200 `{"scheduleUuid"}`, delete 204, cancel 201. Oas2021 (spec §6b): update
/// 201 with an empty body, delete and cancel 200 with the id as a JSON string.
async fn update_delete_and_cancel_follow_the_rules(wire: WireProfile) {
    let mut env = start_default(wire).await;
    let id = env.create(&daily("nightly", "06:00")).await;
    let path = format!("{}/{id}", schedules_path());

    // Update the time: listed back, `updated` moves with the clock.
    env.advance(10.0).await;
    let mut next = daily("nightly", "07:00");
    next["name"] = json!("nightly-renamed");
    let r = env.call(Method::PUT, &path, Some(&next)).await;
    if env.oas() {
        assert_eq!(r.status(), StatusCode::CREATED);
        assert!(r.headers().get("content-type").is_none());
        assert_eq!(r.text().await.unwrap(), "");
    } else {
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({"scheduleUuid": id})
        );
    }
    let s = env.schedule(&id).await;
    assert_eq!(
        (s["schedule"].as_str(), s["name"].as_str()),
        (Some("07:00"), Some("nightly-renamed"))
    );
    assert_stamp(&s["updated"], "2026-01-01T00:00:10Z");

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

    // Running: update and delete are refused with 409; cancel works, then delete.
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
    if env.oas() {
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap(), json!(id));
    } else {
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.text().await.unwrap(), "");
    }
    assert_eq!(env.status_of(&id).await, "Canceled");
    let m = qualys_error(
        env.call(Method::POST, &format!("{path}/cancel"), None)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(m.contains("Canceled"), "{m}");
    let r = env.call(Method::DELETE, &path, None).await;
    if env.oas() {
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap(), json!(id));
    } else {
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    qualys_error(
        env.call(Method::DELETE, &path, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(env.list("").await["count"], 1);
}

/// The docs' `/schedule/bulk` in both profiles; Oas2021 also serves the 2021 file's
/// `DELETE /schedule` with the same behaviour (Full: 405 there).
async fn bulk_delete_and_cancel_skip_as_documented(wire: WireProfile) {
    let env = start_default(wire).await;
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

    // The 2021 OpenAPI file's path for bulk delete.
    let x = env.create(&on_demand("x")).await;
    let r = env
        .call(
            Method::DELETE,
            &format!("{}?scheduleIds={x}", schedules_path()),
            None,
        )
        .await;
    if env.oas() {
        assert_eq!(r.status(), StatusCode::OK);
        let job: qualys_cs_core::BulkDeleteResponse =
            decode_body(&r.text().await.unwrap()).unwrap();
        assert!(uuid::Uuid::parse_str(&job.deletion_job_id).is_ok());
        assert_eq!(env.list("filter=name:x").await["count"], 0);
        qualys_error(
            env.call(Method::DELETE, &schedules_path(), None).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    } else {
        qualys_error(r, StatusCode::METHOD_NOT_ALLOWED).await;
        assert_eq!(env.list("filter=name:x").await["count"], 1);
    }

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

async fn schedules_page_filter_and_sort(wire: WireProfile) {
    let env = start_default(wire).await;
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
    // Fields an Oas2021 item does not carry match nothing there (and sort as absent).
    let n = if env.oas() { 0 } else { 1 };
    assert_eq!(
        env.list("filter=scheduleIntervalInDays:1").await["count"],
        n
    );
    assert_eq!(env.list("filter=registryType:V2").await["count"], 7 * n);
    assert_eq!(
        names(
            &env.list("sort=scheduleIntervalInDays:desc&pageSize=1")
                .await
        ),
        [if env.oas() { "s1" } else { "weekly `odd`" }]
    );

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

/// Equality terms on name, scheduleUuid, status and onDemand are answered from indexed keys;
/// the answer is exactly what the filter gives on the whole list (case-insensitive, Unicode
/// lower-casing, two terms on one field, values that cannot match).
async fn indexed_lookups_answer_exactly_what_the_filter_does(wire: WireProfile) {
    let env = start(long_lived(wire)).await;
    let names = [
        "Nightly Scan",
        "nightly scan",
        "NIGHTLY SCAN x",
        "Ärger",
        "ärger",
        "straße",
        "ΣΊΣΥΦΟΣ",
        "a*b",
    ];
    for n in names {
        env.create(&on_demand(n)).await;
    }
    let first = env.create(&daily("Nightly Scan", "03:00")).await;
    env.advance(2.0).await; // the on-demand ones are Running, the daily one Created
    let all = env.list("pageSize=1000").await["data"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(all.len(), names.len() + 1);
    let lower = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
    let ids_where = |f: &dyn Fn(&Value) -> bool| {
        all.iter()
            .filter(|s| f(s))
            .map(|s| s["scheduleUuid"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let ids = |page: &Value| {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["scheduleUuid"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let q = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    for name in [
        "nightly scan",
        "NIGHTLY SCAN",
        "ärger",
        "ÄRGER",
        "STRASSE",
        "σίσυφος",
        "x",
    ] {
        let want = ids_where(&|s| lower(s["name"].as_str().unwrap()) == lower(name));
        let got = env
            .list(&format!(
                "pageSize=1000&filter={}",
                q(&format!("name:\"{name}\""))
            ))
            .await;
        assert_eq!(ids(&got), want, "name:{name:?}");
    }
    assert_eq!(
        ids(&env
            .list("filter=name:%22nightly%20scan%22&sort=created:desc")
            .await),
        {
            let mut v = ids_where(&|s| lower(s["name"].as_str().unwrap()) == "nightly scan");
            v.reverse();
            v
        }
    );
    // Wildcards still go through the filter (a `*` in a stored name is just a character).
    assert_eq!(env.list("filter=name:a*b").await["count"], 1);
    assert_eq!(env.list("filter=name:nightly*").await["count"], 4);
    // Ids in any case; two different ids match nothing.
    let upper = first.to_uppercase();
    assert_eq!(
        ids(&env.list(&format!("filter=scheduleUuid:{upper}")).await),
        std::slice::from_ref(&first)
    );
    let other = all[0]["scheduleUuid"].as_str().unwrap();
    assert_eq!(
        env.list(&format!(
            "filter=scheduleUuid:{first}%20and%20scheduleUuid:{other}"
        ))
        .await["count"],
        0
    );
    // Status and onDemand, alone and together with a name.
    for (filter, want) in [
        ("status:RUNNING", ids_where(&|s| s["status"] == "Running")),
        ("status:created", ids_where(&|s| s["status"] == "Created")),
        ("onDemand:TRUE", ids_where(&|s| s["onDemand"] == true)),
        ("onDemand:false", vec![first.clone()]),
        ("onDemand:maybe", vec![]),
        ("onDemand:true%20and%20onDemand:false", vec![]),
        ("name:a%20and%20name:b", vec![]),
        (
            "name:%22NIGHTLY%20scan%22%20and%20onDemand:false%20and%20status:Created",
            vec![first.clone()],
        ),
        ("status:Completed", vec![]),
    ] {
        assert_eq!(
            ids(&env.list(&format!("pageSize=1000&filter={filter}")).await),
            want,
            "{filter}"
        );
    }
    // Bulk calls narrow the same way.
    let r = env
        .call(
            Method::DELETE,
            &format!(
                "{}/bulk?filter=name:%22nightly%20scan%22%20and%20onDemand:false",
                schedules_path()
            ),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        env.list("filter=name:%22nightly%20scan%22").await["count"],
        2
    );
}

async fn control_routes_reset_journal_redact_and_openapi_matches_routes(wire: WireProfile) {
    let env = start_default(wire).await;
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
    assert_eq!(s["wire"], wire.to_string());
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
    assert_eq!(ops, 34);
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
fn blocking_handle_serves_and_stops(wire: WireProfile) {
    let emu = builder(wire).start_blocking().unwrap();
    assert!(emu.url().starts_with("http://127.0.0.1:"));
    assert_eq!(emu.demo_registry_id(), DEMO_REGISTRY_ID);
    assert_eq!(emu.wire(), wire);
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

async fn stop_and_drop_close_the_port(wire: WireProfile) {
    let emu = Emulator::builder().wire(wire).start().await.unwrap();
    assert_eq!(emu.wire(), wire);
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
    let emu = Emulator::builder().wire(wire).start().await.unwrap();
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
