//! Quickstart: start the emulator in-process, create the Qualys documentation's sample
//! schedule (weekly on Thursday 09:30, repo `azuretest`, force scan, Azure, latest 5 tags by
//! creation date), list it and print it.
//!
//! ```text
//! cargo run -p qualys-cs-client --example quickstart
//! ```
//!
//! Against a real tenant, build the client with `Client::from_env()` (QUALYS_USERNAME,
//! QUALYS_PASSWORD, QUALYS_PLATFORM) instead of pointing it at the emulator.

use qualys_cs_client::{Client, ListOptions, RegistryId};
use qualys_cs_client::{RegistryType, ScheduleRequest, WeekDay};
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_USER, Emulator};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::builder().start().await?;
    println!("emulator listening at {}", emulator.url());

    let client = Client::builder()
        .gateway_url(emulator.url())
        .credentials(DEMO_USER, DEMO_PASSWORD)
        .build()?;
    let registry = RegistryId::parse(emulator.demo_registry_id())?;

    // The second sample body of "Create a Registry Schedule".
    let request = ScheduleRequest::weekly("Automatic Scan Schedule", WeekDay::Thursday)
        .at("09:30")
        .repo("azuretest")
        .force_scan(true)
        .registry_type(RegistryType::Azure)
        .latest_tags(5)
        .build()?;

    let created = client.create_schedule(&registry, &request).await?;
    println!("created schedule {}", created.schedule_uuid);
    for w in &created.warnings {
        println!("  warning: {w}");
    }

    let page = client
        .list_schedules(
            &registry,
            &ListOptions::new().filter(format!("scheduleUuid:{}", created.schedule_uuid)),
        )
        .await?;
    println!("listed {} schedule(s):", page.count);
    for s in &page.data {
        println!(
            "  {}  {:?}  status={}  every {} days on {} at {} UTC  repos={}",
            s.schedule_uuid,
            s.name,
            s.status(),
            s.schedule_interval_in_days
                .map_or("?".into(), |d| d.to_string()),
            s.week_day.as_ref().map_or("-", |d| d.as_str()),
            s.schedule.as_deref().unwrap_or("-"),
            s.filters
                .iter()
                .flat_map(|f| f.repo_tags.iter().map(|r| r.repo.as_str()))
                .collect::<Vec<_>>()
                .join(",")
        );
        println!("{}", serde_json::to_string_pretty(s)?);
    }

    emulator.stop().await;
    Ok(())
}
