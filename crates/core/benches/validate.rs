//! Criterion bench: `validate` and serialisation of a typical request (the seed's sample).
#![allow(missing_docs, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use qualys_cs_core::{ScheduleRequest, validate, validate_value};
use std::hint::black_box;

const SAMPLE: &str = r#"{
  "filters": [{"days": null, "repoTags": [{"repo": "azuretest", "tag": null}]}],
  "name": "Automatic Scan Schedule", "onDemand": false, "schedule": "09:30",
  "forceScan": true, "registryType": "Azure", "scheduleIntervalInDays": 7,
  "additionalFilters": {"numberOfTags": 5, "sortCriteria": "createdDate"},
  "weekDay": "THURSDAY"
}"#;

fn benches(c: &mut Criterion) {
    let value: serde_json::Value = serde_json::from_str(SAMPLE).expect("json");
    let req = ScheduleRequest::from_value(&value).expect("request");
    c.bench_function("validate(typed request)", |b| {
        b.iter(|| validate(black_box(&req)))
    });
    c.bench_function("validate_value(json value)", |b| {
        b.iter(|| validate_value(black_box(&value)))
    });
    c.bench_function("serialise to JSON text", |b| {
        b.iter(|| serde_json::to_string(black_box(&req)).expect("ser"))
    });
    c.bench_function("parse JSON text to request", |b| {
        b.iter(|| ScheduleRequest::from_json(black_box(SAMPLE)).expect("parse"))
    });
}

criterion_group!(g, benches);
criterion_main!(g);
