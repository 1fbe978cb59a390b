//! Arbitrary bytes → JSON → `validate_value` and `ScheduleRequest::from_json`.
//!
//! Invariants: nothing panics; every violation path is a valid RFC 6901 JSON pointer with a
//! non-empty code and message; a request with no errors re-serialises to canonical JSON that
//! decodes again and validates with no errors, and the canonical form is a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualys_cs_core::{Report, ScheduleRequest, Violation, validate, validate_value};
use serde_json::Value;

/// `""`, or `/`-separated tokens where every `~` is followed by `0` or `1`.
fn is_json_pointer(p: &str) -> bool {
    if p.is_empty() {
        return true;
    }
    let Some(rest) = p.strip_prefix('/') else {
        return false;
    };
    let b = rest.as_bytes();
    b.iter()
        .enumerate()
        .all(|(i, &c)| c != b'~' || matches!(b.get(i + 1), Some(b'0' | b'1')))
}

fn check_violations(what: &str, vs: &[Violation]) {
    for v in vs {
        assert!(
            is_json_pointer(&v.path),
            "{what}: bad JSON pointer {:?} ({})",
            v.path,
            v.code
        );
        assert!(!v.code.is_empty(), "{what}: empty code at {:?}", v.path);
        assert!(
            !v.message.trim().is_empty(),
            "{what}: empty message for {}",
            v.code
        );
    }
}

fn check_report(what: &str, r: &Report) {
    check_violations(what, &r.errors);
    check_violations(what, &r.warnings);
}

/// A request that validated with no errors: its canonical JSON decodes, validates clean, and
/// is a fixed point of decode → encode.
fn check_valid_round_trip(req: &ScheduleRequest) {
    let canonical = req.to_value();
    let again = validate_value(&canonical);
    check_report("canonical", &again);
    assert!(
        again.errors.is_empty(),
        "canonical form {canonical} of a valid request has errors: {:?}",
        again.errors
    );
    let decoded = match ScheduleRequest::from_value(&canonical) {
        Ok(r) => r,
        Err(e) => panic!("canonical form {canonical} does not decode: {e}"),
    };
    assert_eq!(
        decoded.to_value(),
        canonical,
        "canonical form is not a fixed point"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The raw-text path (how `invalid_json` is reached).
    match ScheduleRequest::from_json(text) {
        Ok(req) => {
            let r = validate(&req);
            check_report("validate", &r);
            if r.errors.is_empty() {
                check_valid_round_trip(&req);
            }
        }
        Err(e) => {
            assert_eq!(e.code(), "validation", "from_json failed with {e}");
            check_violations("from_json", e.violations());
            assert!(
                !e.violations().is_empty(),
                "from_json error without violations"
            );
        }
    }
    // The arbitrary-JSON path.
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let report = validate_value(&value);
    check_report("validate_value", &report);
    if report.errors.is_empty() {
        match ScheduleRequest::from_value(&value) {
            Ok(req) => check_valid_round_trip(&req),
            Err(e) => panic!("validate_value found no errors but from_value failed: {e}"),
        }
    }
});
