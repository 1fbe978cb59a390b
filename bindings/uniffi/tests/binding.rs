//! The binding's Rust surface, as Kotlin and Swift call it (without the FFI).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use qualys_cs_core as qc;
use qualys_cs_core::WeekDay;
use qualys_cs_uniffi::*;
use std::time::Duration;

#[test]
fn request_round_trips_with_unknown_fields() {
    let text = r#"{"name":"n","onDemand":false,"scheduleIntervalInDays":7,"weekDay":"MONDAY",
        "filters":[{"repoTags":[{"repo":"a","x":[1]}],"y":{"z":2}}],"owner":"team"}"#;
    let rec = parse_request_json(text.into()).unwrap();
    assert_eq!(rec.week_day, Some(WeekDay::Monday));
    let back: serde_json::Value = serde_json::from_str(&request_to_json(rec).unwrap()).unwrap();
    assert_eq!(back, qc::ScheduleRequest::from_json(text).unwrap().to_value());
}

#[test]
fn a_misspelt_enum_is_a_validation_error_with_a_did_you_mean() {
    let e = parse_week_day("thursdy".into()).unwrap_err();
    assert_eq!(e.code(), "validation");
    assert_eq!(e.violations()[0].path, "/weekDay");
    let m = &e.violations()[0].message;
    assert!(m.contains("did you mean THURSDAY?") && m.contains("\"thursdy\""), "{m}");
    assert_eq!(parse_week_day("THURSDAY".into()).unwrap(), WeekDay::Thursday);
    let e = parse_registry_type("dockerhub".into()).unwrap_err();
    assert!(e.message().contains("did you mean DockerHub?"), "{}", e.message());
    assert!(parse_schedule_status("Running".into()).is_ok());
}

#[test]
fn validate_json_reports_invalid_json_as_an_error() {
    let err = validate_json("{nope".into()).unwrap_err();
    assert_eq!(err.violations()[0].code, "invalid_json");
}

#[test]
fn pages_encode_like_the_core() {
    let body = r#"{"count": 1, "data": [{"registryUuid": "r", "created": "1754400000123"}]}"#;
    let page = decode_registry_page(body.into()).unwrap();
    let want =
        serde_json::to_value(qc::decode_page::<qc::Registry>(body, false).unwrap().0).unwrap();
    let got: serde_json::Value =
        serde_json::from_str(&registry_page_to_json(page).unwrap()).unwrap();
    assert_eq!(got, want);
}

#[test]
fn http_details_and_retry_after_travel() {
    let body = r#"{"errorCode":"429 TOO_MANY_REQUESTS","message":"slow down"}"#;
    let e =
        error_from_http(429, Some("r-9".into()), body.into(), Some(Duration::from_millis(1500)));
    assert!(matches!(e, QualysCsError::RateLimited { .. }), "{e:?}");
    assert_eq!((e.code(), e.status()), ("rate_limited".to_owned(), Some(429)));
    assert_eq!(e.request_id().as_deref(), Some("r-9"));
    assert_eq!(e.qualys_error_code().as_deref(), Some("429 TOO_MANY_REQUESTS"));
    assert_eq!(e.server_message().as_deref(), Some("slow down"));
    assert_eq!(e.retry_after(), Some(Duration::from_millis(1500)));
    assert!(e.message().contains("slow down"), "{}", e.message());
}

#[test]
fn the_builder_checks_every_rule() {
    let ops = serde_json::json!([["at", ["06:55"]], ["repo", ["app"]], ["force_scan", [true]]]);
    let (name, day) = (serde_json::json!("w"), serde_json::json!("THURSDAY"));
    let req = build_request("weekly".into(), name, day, ops, true).unwrap();
    assert_eq!(req.to_value()["weekDay"], "THURSDAY");
    assert_eq!(req.schedule.as_deref(), Some("06:55"));
    let (name, time) = (serde_json::json!(""), serde_json::json!("25:00"));
    let e = build_request("daily".into(), name, time, serde_json::json!([]), true).unwrap_err();
    let codes: Vec<_> = e.violations().into_iter().map(|v| v.code).collect();
    assert_eq!(codes, ["name_required", "invalid_schedule_time", "repo_tags_required"]);
    // a daily schedule takes no force_scan (its interval is one day): the core's typed builder
    let ops = serde_json::json!([["force_scan", [true]]]);
    let (name, time) = (serde_json::json!("d"), serde_json::json!("02:00"));
    let e = build_request("daily".into(), name, time, ops, false).unwrap_err();
    assert_eq!(e.code(), "validation");
}

#[test]
fn emulator_failures_are_the_cores_errors() {
    let bind = qualys_cs_emulator::Error::Bind {
        addr: "127.0.0.1:1".into(),
        source: std::io::Error::from(std::io::ErrorKind::AddrInUse),
    };
    let e = QualysCsError::from(bind);
    assert_eq!(e.code(), "transport");
    assert!(e.message().contains("127.0.0.1:1"), "{}", e.message());
    let e = QualysCsError::from(qualys_cs_emulator::Error::Config("bad wire".into()));
    assert_eq!(e.code(), "config");
    let e = Emulator::start(EmulatorOptions { wire: Some("oas2022".into()), ..Default::default() })
        .expect_err("an unknown wire profile");
    assert!(e.message().contains("oas2021"), "{}", e.message());
}
