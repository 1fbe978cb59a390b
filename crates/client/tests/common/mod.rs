//! Helpers shared by the integration tests: an in-process emulator on 127.0.0.1 port 0, a
//! client for it, the emulator's control routes (faults, journal, raw schedules), and
//! [`on_both_wires!`](crate::on_both_wires) to run a test against both wire profiles.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use qualys_cs_client::{AdditionalFilters, RegistryType, ScheduleRequest, WeekDay};
use qualys_cs_client::{ClientBuilder, RegistryId, RetryPolicy};
use qualys_cs_emulator::{
    DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator, EmulatorBuilder, EmulatorHandle,
};
use serde_json::Value;
use std::time::Duration;

#[allow(unused_imports)] // not every test file names it
pub use qualys_cs_emulator::WireProfile;

/// Runs each `async fn name(wire: WireProfile)` as two tests, `full::name` and
/// `oas2021::name`: one per wire profile of the emulator. `name [multi_thread]` runs on the
/// multi-thread runtime with 2 workers. One invocation per test file:
///
/// ```ignore
/// on_both_wires!(schedule_lifecycle, chaos [multi_thread]);
/// ```
#[macro_export]
macro_rules! on_both_wires {
    ($($name:ident $([$flavor:ident])?),* $(,)?) => {
        /// The tests against [`WireProfile::Full`](qualys_cs_emulator::WireProfile::Full).
        mod full {
            $( $crate::on_both_wires!(@one $name, Full $(, $flavor)?); )*
        }
        /// The tests against [`WireProfile::Oas2021`](qualys_cs_emulator::WireProfile::Oas2021).
        mod oas2021 {
            $( $crate::on_both_wires!(@one $name, Oas2021 $(, $flavor)?); )*
        }
    };
    (@one $name:ident, $wire:ident) => {
        #[tokio::test]
        async fn $name() {
            super::$name($crate::common::WireProfile::$wire).await
        }
    };
    (@one $name:ident, $wire:ident, multi_thread) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            super::$name($crate::common::WireProfile::$wire).await
        }
    };
}

pub fn builder() -> EmulatorBuilder {
    Emulator::builder().in_memory()
}

pub async fn start(b: EmulatorBuilder) -> EmulatorHandle {
    b.start().await.expect("emulator starts")
}

/// Retries fast enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_elapsed: Duration::from_secs(20),
    }
}

/// A client builder for the emulator, logged in as the demo user. A create whose outcome is
/// unknown looks for its schedule for 300 ms before sending again (the default settle window
/// is made for real servers: 5 s and more).
pub fn client_for(emu: &EmulatorHandle) -> ClientBuilder {
    qualys_cs_client::Client::builder()
        .gateway_url(emu.url())
        .credentials(DEMO_USER, DEMO_PASSWORD)
        .retry(fast_retry())
        .create_settle_window(Duration::from_millis(300))
}

pub fn registry() -> RegistryId {
    RegistryId::parse(DEMO_REGISTRY_ID).unwrap()
}

/// The seed's second sample: weekly THURSDAY 09:30, repo azuretest, forceScan, Azure,
/// latest 5 tags by createdDate.
pub fn sample(name: &str) -> ScheduleRequest {
    let mut r = ScheduleRequest::weekly(name, WeekDay::Thursday)
        .at("09:30")
        .repo("azuretest")
        .force_scan(true)
        .registry_type(RegistryType::Azure)
        .build()
        .unwrap();
    r.additional_filters = Some(AdditionalFilters {
        number_of_tags: Some(5),
        sort_criteria: Some("createdDate".into()),
        extra: Default::default(),
    });
    r
}

/// A minimal valid on-demand request.
pub fn on_demand(name: &str) -> ScheduleRequest {
    ScheduleRequest::on_demand(name)
        .repo("library/nginx")
        .build()
        .unwrap()
}

fn control() -> reqwest::Client {
    qualys_cs_client::install_crypto_provider();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

pub async fn add_fault(emu: &EmulatorHandle, rule: Value) {
    let r = control()
        .post(format!("{}/_emulator/faults", emu.url()))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
}

pub async fn clear_faults(emu: &EmulatorHandle) {
    control()
        .delete(format!("{}/_emulator/faults", emu.url()))
        .send()
        .await
        .unwrap();
}

pub async fn journal(emu: &EmulatorHandle) -> Vec<Value> {
    control()
        .get(format!("{}/_emulator/requests", emu.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn clear_journal(emu: &EmulatorHandle) {
    control()
        .delete(format!("{}/_emulator/requests", emu.url()))
        .send()
        .await
        .unwrap();
}

/// `GET /_emulator/schedules`: every schedule of every registry.
pub async fn raw_schedules(emu: &EmulatorHandle) -> Vec<Value> {
    control()
        .get(format!("{}/_emulator/schedules", emu.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Journal entries with this method whose path ends with `suffix`.
pub fn count(journal: &[Value], method: &str, suffix: &str) -> usize {
    journal
        .iter()
        .filter(|e| {
            e["method"] == method && e["path"].as_str().is_some_and(|p| p.ends_with(suffix))
        })
        .count()
}

pub fn statuses(journal: &[Value]) -> Vec<Option<u64>> {
    journal.iter().map(|e| e["status"].as_u64()).collect()
}

/// The raw schedule with this id (`GET /_emulator/schedules`), whatever the wire profile:
/// every field as stored, the stored request under `emulator.request`.
pub async fn raw_schedule(emu: &EmulatorHandle, id: &str) -> Value {
    raw_schedules(emu)
        .await
        .into_iter()
        .find(|s| {
            s["scheduleUuid"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(id))
        })
        .unwrap_or_else(|| panic!("schedule {id} is stored"))
}

/// The request the emulator stored for this schedule (as it would be sent again).
pub async fn stored_request(emu: &EmulatorHandle, id: &str) -> Value {
    raw_schedule(emu, id).await["emulator"]["request"].clone()
}

/// Journal entries that wrote to the CS API (POST, PUT, DELETE under `/csapi`).
pub fn writes(journal: &[Value]) -> Vec<&Value> {
    journal
        .iter()
        .filter(|e| e["method"] != "GET")
        .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/csapi")))
        .collect()
}

/// `METHOD path` of every write, in order.
pub fn write_lines(journal: &[Value]) -> Vec<String> {
    writes(journal)
        .into_iter()
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap()
            )
        })
        .collect()
}

/// JSON pointers of every `null` in `v`.
pub fn null_paths(v: &Value) -> Vec<String> {
    fn walk(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Null => out.push(if at.is_empty() { "(root)".into() } else { at }),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, format!("{at}/{i}"), out)),
            Value::Object(m) => m
                .iter()
                .for_each(|(k, x)| walk(x, format!("{at}/{k}"), out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, String::new(), &mut out);
    out
}

/// The two request bodies of the seed page ("Create a Registry Schedule"), verbatim: both
/// carry `"tag": null`, the first `"additionalFilters": null`, the second `"days": null`.
pub fn seed_samples() -> [Value; 2] {
    [
        serde_json::json!({
            "filters": [{"days": 90, "repoTags": [{"repo": "azuretest", "tag": null}]}],
            "name": "Automatic Scan Schedule",
            "onDemand": false,
            "schedule": "06:55",
            "forceScan": true,
            "registryType": "Azure",
            "scheduleIntervalInDays": 7,
            "additionalFilters": null,
            "weekDay": "THURSDAY"
        }),
        serde_json::json!({
            "filters": [{"days": null, "repoTags": [{"repo": "azuretest", "tag": null}]}],
            "name": "Automatic Scan Schedule",
            "onDemand": false,
            "schedule": "09:30",
            "forceScan": true,
            "registryType": "Azure",
            "scheduleIntervalInDays": 7,
            "additionalFilters": {"numberOfTags": 5, "sortCriteria": "createdDate"},
            "weekDay": "THURSDAY"
        }),
    ]
}

/// A desired state of one registry, the demo registry, holding `schedules` (the `schedules`
/// list of a desired-state file, as JSON).
pub fn desired(schedules: Value) -> qualys_cs_core::desired::DesiredState {
    let doc = serde_json::json!({"version": 1, "registries": [{"registry": DEMO_REGISTRY_ID, "schedules": schedules}]});
    qualys_cs_core::desired::DesiredState::parse(
        &doc.to_string(),
        qualys_cs_core::desired::Format::Json,
        "test.json",
        "2026-06-01T00:00:00Z".parse().unwrap(),
    )
    .expect("desired state parses")
}
