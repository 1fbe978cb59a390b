//! Arbitrary text → `DesiredState::parse` as YAML and as JSON (fixed reference instant), then
//! `plan` against an empty actual state and against empty registries of the same names.
//!
//! Invariants: nothing panics; failures are `validation` errors with at least one violation;
//! every parsed request validates with no errors; with no registries every item is `skip`,
//! with empty registries every wanted schedule is one `create`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualys_cs_core::desired::{DesiredState, Format};
use qualys_cs_core::jiff::Timestamp;
use qualys_cs_core::plan::{Action, ActualRegistry, PlanOptions, plan};
use qualys_cs_core::{Registry, validate};

fn check(text: &str, format: Format, source: &str) {
    // 2026-03-29T00:30:00Z: a few hours before the EU spring DST shift.
    let reference = Timestamp::from_second(1_774_744_200).expect("a valid instant");
    let state = match DesiredState::parse(text, format, source, reference) {
        Ok(s) => s,
        Err(e) => {
            assert_eq!(e.code(), "validation", "{source}: parse failed with {e}");
            assert!(
                !e.violations().is_empty(),
                "{source}: error without violations"
            );
            for v in e.violations() {
                assert!(!v.code.is_empty() && !v.message.is_empty());
            }
            return;
        }
    };
    let wanted: usize = state.registries.iter().map(|r| r.schedules.len()).sum();
    for r in &state.registries {
        for s in &r.schedules {
            let rep = validate(&s.request);
            assert!(
                rep.errors.is_empty(),
                "{source}: parsed schedule {:?} does not validate: {:?}",
                s.name,
                rep.errors
            );
        }
    }

    let p = plan(&state, &[], PlanOptions::default());
    assert_eq!(p.items.len(), wanted);
    assert!(p.items.iter().all(|i| i.action == Action::Skip));
    let _ = p.render_text();
    let _ = p.to_json();
    let _ = p.summary();

    let actual: Vec<ActualRegistry> = state
        .registries
        .iter()
        .enumerate()
        .map(|(i, r)| ActualRegistry {
            registry: Registry {
                registry_uuid: format!("00000000-0000-4000-8000-{i:012}"),
                registry_name: Some(r.registry.clone()),
                ..Default::default()
            },
            schedules: Vec::new(),
        })
        .collect();
    let p = plan(&state, &actual, PlanOptions { prune: true });
    assert_eq!(p.items.len(), wanted);
    assert!(
        p.items
            .iter()
            .all(|i| i.action == Action::Create && i.request.is_some()),
        "{source}: expected only creates: {}",
        p.render_text()
    );
    let _ = p.render_text();
    assert_eq!(p.summary().create, wanted);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check(text, Format::Yaml, "fuzz.yaml");
    check(text, Format::Json, "fuzz.json");
});
