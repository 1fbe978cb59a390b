//! Builds the seed document's second sample schedule with the typed builder, validates it and
//! prints the request body that would be sent.
//!
//! `cargo run -p qualys-cs-core --example seed_sample`

use qualys_cs_core::{RegistryType, ScheduleRequest, WeekDay, next_runs, validate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let req = ScheduleRequest::weekly("Automatic Scan Schedule", WeekDay::Thursday)
        .at("09:30")
        .repo("azuretest")
        .force_scan(true)
        .registry_type(RegistryType::Azure)
        .latest_tags(5)
        .build()?;
    let report = validate(&req);
    println!(
        "valid: {} ({} warnings)",
        report.is_valid(),
        report.warnings.len()
    );
    for w in &report.warnings {
        println!("warning {w}");
    }
    println!("{}", serde_json::to_string_pretty(&req)?);
    let created: qualys_cs_core::jiff::Timestamp = "2026-11-26T12:00:00Z".parse()?;
    for t in next_runs(&req, created, created, 3)? {
        println!("next run: {t}");
    }
    Ok(())
}
