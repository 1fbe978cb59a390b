//! Chaos driver for `scripts/chaos.sh`: creates `count` on-demand schedules named
//! `<prefix>-<i>` on the demo registry of an emulator (or any gateway) through ONE client with
//! the default duplicate-proof create recovery and a retry policy sized for injected faults.
//!
//! ```text
//! cargo run -p qualys-cs-client --release --example chaos_creates -- URL COUNT PREFIX [CONCURRENCY]
//! ```
//!
//! Prints `attempted=N ok=M failed=F` on the last line and exits non-zero when any create
//! failed (each failure is printed with its error code).

use futures_util::StreamExt as _;
use qualys_cs_client::{Client, RateLimitPolicy, RegistryId, RetryPolicy, ScheduleRequest};
use std::time::{Duration, Instant};

const DEMO_REGISTRY: &str = "d3e0c0de-5eed-4a11-9e57-0000000000d0";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, count, prefix, rest @ ..] = args.as_slice() else {
        return Err("usage: chaos_creates URL COUNT PREFIX [CONCURRENCY]".into());
    };
    let count: usize = count.parse()?;
    let concurrency: usize = rest.first().map(|c| c.parse()).transpose()?.unwrap_or(16);
    let user = std::env::var("QUALYS_USERNAME").unwrap_or_else(|_| "demo_user".into());
    let password = std::env::var("QUALYS_PASSWORD").unwrap_or_else(|_| "demo-password".into());

    let client = Client::builder()
        .gateway_url(url.as_str())
        .credentials(user, password)
        .no_proxy()
        // The chaos emulator completes some requests 2.5 s late: give up after 1.5 s and keep
        // looking for 4 s before sending again (docs/create-guarantee.md).
        .request_timeout(Duration::from_millis(1_500))
        .create_settle_window(Duration::from_secs(4))
        .retry(RetryPolicy {
            max_attempts: 12,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(500),
            max_elapsed: Duration::from_secs(60),
        })
        .rate_limit(RateLimitPolicy {
            max_concurrency: concurrency,
            ..Default::default()
        })
        .build()?;
    let registry = RegistryId::parse(DEMO_REGISTRY)?;
    let requests: Vec<ScheduleRequest> = (0..count)
        .map(|i| {
            ScheduleRequest::on_demand(format!("{prefix}-{i:05}"))
                .repo("library/nginx")
                .build()
        })
        .collect::<Result<_, _>>()?;

    let started = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(&requests)
        .map(|r| async { (r.name.clone(), client.create_schedule(&registry, r).await) })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut ok = 0usize;
    let mut recovered = 0usize;
    for (name, result) in &results {
        match result {
            Ok(created) => {
                ok += 1;
                if created.recovered {
                    recovered += 1;
                }
            }
            Err(e) => eprintln!("create {name} failed: [{}] {e}", e.code()),
        }
    }
    println!(
        "rust: attempted={count} ok={ok} failed={} recovered_by_lookup={recovered} elapsed_s={:.2}",
        count - ok,
        started.elapsed().as_secs_f64()
    );
    if ok != count {
        std::process::exit(1);
    }
    Ok(())
}
