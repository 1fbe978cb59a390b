//! Helpers shared by the integration tests: an in-process emulator on 127.0.0.1 port 0, a
//! client for it, and the emulator's control routes (faults, journal, raw schedules).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use qualys_cs_client::{AdditionalFilters, RegistryType, ScheduleRequest, WeekDay};
use qualys_cs_client::{ClientBuilder, RegistryId, RetryPolicy};
use qualys_cs_emulator::{
    DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator, EmulatorBuilder, EmulatorHandle,
};
use serde_json::Value;
use std::time::Duration;

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

/// A client builder for the emulator, logged in as the demo user.
pub fn client_for(emu: &EmulatorHandle) -> ClientBuilder {
    qualys_cs_client::Client::builder()
        .gateway_url(emu.url())
        .credentials(DEMO_USER, DEMO_PASSWORD)
        .retry(fast_retry())
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
