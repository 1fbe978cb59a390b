//! The Rust side of `python/bench/bench.py`: bulk create with the Rust client, against an
//! emulator that is already running, with the same settings as the Python run (one `/auth`,
//! then one POST per create: `CreateRecovery::AssumeUniqueNames`, limiter at `concurrency`).
//!
//! ```text
//! bench_rust_create <gateway-url> <creates> <concurrency>
//! ```
//!
//! Prints `elapsed_s=<seconds> creates=<n>`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use futures_util::StreamExt as _;
use qualys_cs_client::{Client, CreateRecovery, RateLimitPolicy, RegistryId, ScheduleRequest};
use std::time::Instant;

const DEMO_USER: &str = "demo_user";
const DEMO_PASSWORD: &str = "demo-password";
const DEMO_REGISTRY: &str = "d3e0c0de-5eed-4a11-9e57-0000000000d0";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).expect("gateway url").clone();
    let n: usize = args.get(2).map_or(3000, |s| s.parse().expect("creates"));
    let concurrency: usize = args.get(3).map_or(64, |s| s.parse().expect("concurrency"));
    let client = Client::builder()
        .gateway_url(url)
        .credentials(DEMO_USER, DEMO_PASSWORD)
        .create_recovery(CreateRecovery::AssumeUniqueNames)
        .rate_limit(RateLimitPolicy {
            max_concurrency: concurrency,
            ..Default::default()
        })
        .build()
        .expect("client");
    let registry = RegistryId::parse(DEMO_REGISTRY).expect("id");
    let requests: Vec<ScheduleRequest> = (0..n)
        .map(|i| {
            ScheduleRequest::on_demand(format!("bench-rust-{i:05}"))
                .repo("library/nginx")
                .build()
                .expect("valid")
        })
        .collect();
    let start = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(requests)
        .map(|r| {
            let (client, registry) = (client.clone(), registry.clone());
            async move { client.create_schedule(&registry, &r).await }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = start.elapsed().as_secs_f64();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, n, "every create succeeds");
    println!("elapsed_s={elapsed:.4} creates={n}");
}
