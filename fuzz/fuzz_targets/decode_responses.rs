//! Arbitrary bytes → every response decoder of the core.
//!
//! Invariants: nothing panics; failures are `decode` errors that carry the body; decoded
//! schedules re-serialise to JSON that decodes to the same value; `Error::from_http` maps each
//! status to its class and keeps the status.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualys_cs_core::{
    BulkCancelResponse, BulkDeleteResponse, CreateResponse, Error, ErrorBody, Page, Registry,
    RegistryDetails, Repository, Schedule, decode_body,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

fn decode<T: DeserializeOwned + Serialize>(body: &str) -> Option<T> {
    match decode_body::<T>(body) {
        Ok(v) => {
            // Whatever decoded re-serialises and decodes to the same JSON.
            let json = serde_json::to_string(&v).expect("a decoded value serialises");
            let again: T = match decode_body(&json) {
                Ok(a) => a,
                Err(e) => panic!("re-serialised {json} does not decode: {e}"),
            };
            assert_eq!(
                serde_json::to_value(&again).ok(),
                serde_json::to_value(&v).ok(),
                "round trip changed {json}"
            );
            Some(v)
        }
        Err(e) => {
            assert_eq!(e.code(), "decode", "decode_body failed with {e}");
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let body = body.as_ref();

    match CreateResponse::from_body(body) {
        Ok(c) => assert!(qualys_cs_core::ScheduleId::parse(c.schedule_uuid.as_str()).is_ok()),
        Err(e) => assert_eq!(e.code(), "decode", "create failed with {e}"),
    }
    if let Some(page) = decode::<Page<Schedule>>(body) {
        for s in &page.data {
            // Each schedule on its own: re-serialise → decode → same schedule.
            let json = serde_json::to_string(s).expect("a schedule serialises");
            let back: Schedule = match decode_body(&json) {
                Ok(b) => b,
                Err(e) => panic!("schedule {json} does not decode again: {e}"),
            };
            assert_eq!(
                serde_json::to_value(&back).ok(),
                serde_json::to_value(s).ok(),
                "schedule round trip changed {json}"
            );
            let _ = s.status().is_terminal();
            let _ = s.to_request();
            let _ = s.id();
        }
    }
    let _ = decode::<Schedule>(body);
    let _ = decode::<Page<Registry>>(body);
    let _ = decode::<RegistryDetails>(body);
    let _ = decode::<Page<Repository>>(body);
    let _ = decode::<BulkDeleteResponse>(body);
    let _ = decode::<BulkCancelResponse>(body);
    let _ = decode::<ErrorBody>(body);

    for status in [
        400u16, 401, 403, 404, 409, 422, 423, 429, 500, 502, 503, 418, 302, 200,
    ] {
        let e = Error::from_http(
            status,
            Some("req-1".into()),
            body,
            Some(Duration::from_secs(1)),
        );
        let code = e.code();
        let want = match status {
            400 | 422 => "bad_request",
            401 => "auth",
            403 => "permission",
            404 => "not_found",
            409 | 423 => "conflict",
            429 => "rate_limited",
            500..=599 => "server",
            _ => "http",
        };
        assert_eq!(code, want, "status {status}");
        let d = e.http().expect("an HTTP error carries its details");
        assert_eq!(d.status, status, "status lost for {code}");
        let _ = e.to_string();
        let _ = format!("{e:?}");
    }
});
