//! Runs the time-zone and plan vectors of `tests/vectors/` (shared with every language).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use qualys_cs_core::desired::{DesiredState, Format};
use qualys_cs_core::plan::{ActualRegistry, PlanOptions, plan};
use qualys_cs_core::{Registry, Schedule, WeekDay, local_to_utc};
use serde_json::Value;
use std::path::PathBuf;

fn load(name: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).expect("vector file")).expect("json")
}

#[test]
fn timezone_vectors() {
    let doc = load("timezones.json");
    let cases = doc["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let wd = c
            .get("week_day")
            .and_then(Value::as_str)
            .map(WeekDay::from_wire);
        let reference = c["reference"].as_str().unwrap().parse().unwrap();
        let got = local_to_utc(
            c["local_time"].as_str().unwrap(),
            wd.as_ref(),
            c["zone"].as_str().unwrap(),
            reference,
        );
        match (got, c.get("expect"), c.get("expect_error")) {
            (Ok(conv), Some(e), None) => {
                let actual = serde_json::json!({
                    "utc_time": conv.utc_time, "utc_week_day": conv.utc_week_day,
                    "day_shift": conv.day_shift, "offset_minutes": conv.offset_minutes,
                });
                for k in ["utc_time", "utc_week_day", "day_shift", "offset_minutes"] {
                    if actual[k] != e[k] {
                        failures.push(format!("{name}: {k} = {} (want {})", actual[k], e[k]));
                    }
                }
                let want = e["warnings"].as_array().unwrap();
                if want.len() != conv.warnings.len() {
                    failures.push(format!(
                        "{name}: {} warnings (want {}): {:?}",
                        conv.warnings.len(),
                        want.len(),
                        conv.warnings
                    ));
                    continue;
                }
                for (w, g) in want.iter().zip(&conv.warnings) {
                    if w["code"] != g.code.as_str() {
                        failures.push(format!(
                            "{name}: warning code {} (want {})",
                            g.code, w["code"]
                        ));
                    }
                    if let Some(sub) = w.get("contains").and_then(Value::as_str)
                        && !g.message.contains(sub)
                    {
                        failures.push(format!("{name}: warning {:?} lacks {sub:?}", g.message));
                    }
                }
            }
            (Err(err), None, Some(code)) => {
                if err.violations().first().map(|v| v.code.as_str()) != code.as_str() {
                    failures.push(format!("{name}: error {err} (want {code})"));
                }
            }
            (got, _, _) => failures.push(format!("{name}: unexpected {got:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("vectors: timezones {} passed", cases.len());
}

#[test]
fn plan_vectors() {
    let doc = load("plans.json");
    let registry: Registry = serde_json::from_value(doc["registry"].clone()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let text = c["desired"].to_string();
        let reference = "2026-06-01T00:00:00Z".parse().unwrap();
        let desired = match DesiredState::parse(&text, Format::Json, name, reference) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{name}: desired state does not parse: {e}"));
                continue;
            }
        };
        let actual: Vec<ActualRegistry> = c["actual"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| ActualRegistry {
                registry: registry.clone(),
                schedules: serde_json::from_value::<Vec<Schedule>>(a["schedules"].clone()).unwrap(),
            })
            .collect();
        let prune = c.get("prune").and_then(Value::as_bool).unwrap_or(false);
        let p = plan(&desired, &actual, PlanOptions { prune });
        let want = c["expect"].as_array().unwrap();
        if want.len() != p.items.len() {
            failures.push(format!(
                "{name}: {} items (want {}):\n{}",
                p.items.len(),
                want.len(),
                p.render_text()
            ));
            continue;
        }
        for (w, it) in want.iter().zip(&p.items) {
            let got_action = serde_json::to_value(it.action).unwrap();
            if w["registry"] != it.registry.as_str()
                || w["name"] != it.name.as_str()
                || w["action"] != got_action
            {
                failures.push(format!(
                    "{name}: got {} {} {got_action} (want {w})",
                    it.registry, it.name
                ));
            }
            if let Some(fields) = w.get("fields") {
                let got: Vec<&str> = it.changes.iter().map(|c| c.field.as_str()).collect();
                if *fields != serde_json::json!(got) {
                    failures.push(format!("{name}: changed fields {got:?} (want {fields})"));
                }
            }
            if let Some(fields) = w.get("unknown") {
                let got: Vec<&str> = it
                    .changes
                    .iter()
                    .filter(|c| c.unknown)
                    .map(|c| c.field.as_str())
                    .collect();
                if *fields != serde_json::json!(got) {
                    failures.push(format!("{name}: unknown fields {got:?} (want {fields})"));
                }
                if it.changes.iter().any(|c| c.unknown && !c.from.is_null()) {
                    failures.push(format!("{name}: an unknown field has a from value"));
                }
            }
            if let Some(sub) = w.get("reason_contains").and_then(Value::as_str)
                && !it.reason.as_deref().unwrap_or("").contains(sub)
            {
                failures.push(format!("{name}: reason {:?} lacks {sub:?}", it.reason));
            }
        }
        let unmanaged = c
            .get("expect_unmanaged")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        if p.unmanaged != unmanaged {
            failures.push(format!(
                "{name}: unmanaged {} (want {unmanaged})",
                p.unmanaged
            ));
        }
        // The JSON form round-trips and the text form has its summary line.
        let back: qualys_cs_core::plan::Plan = serde_json::from_value(p.to_json()).unwrap();
        assert_eq!(back, p, "{name}: plan JSON round trip");
        assert!(p.render_text().contains("Plan: "));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("vectors: plans {} passed", cases.len());
}
