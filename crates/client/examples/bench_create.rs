//! Bulk-create throughput of the client against the in-process emulator, as a ratio to the
//! emulator's own ceiling measured by a raw reqwest load generator in the same run (same
//! request bodies, a token fetched beforehand, no validation, no limiter, no retries).
//!
//! ```text
//! cargo run -p qualys-cs-client --release --example bench_create [creates] [concurrency] [rounds]
//! ```
//!
//! Defaults: 10 000 creates, concurrency 64, 4 rounds, emulator in memory with its rate limit
//! raised out of the way. Each round runs every mode (in alternating order, the store reset
//! before each run) and the best run of each mode counts.
//!
//! Modes: the raw generator (one POST per create); the client with
//! `CreateRecovery::AssumeUniqueNames` (validation + limiter + one POST); the client with the
//! default `CreateRecovery::Snapshot` (a `GET ?filter=name:"…"` before each POST, so its
//! figure also measures how fast the server answers filtered lists; the emulator scans every
//! schedule of the registry for that, so this mode runs on 500 creates, against a raw run of
//! the same size).

use futures_util::StreamExt as _;
use qualys_cs_client::ScheduleRequest;
use qualys_cs_client::{Client, CreateRecovery, RateLimitPolicy, RegistryId};
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_USER, Emulator, EmulatorHandle};
use std::time::{Duration, Instant};

/// Snapshot mode lists by name before each POST; the emulator answers a filtered list by
/// scanning the registry's schedules, so that mode runs on a smaller store.
const SNAPSHOT_N: usize = 500;
const MODES: [&str; 4] = [
    "raw",
    "client AssumeUniqueNames",
    "raw (small)",
    "client Snapshot (small)",
];

fn requests(round: &str, n: usize) -> Result<Vec<ScheduleRequest>, qualys_cs_client::Error> {
    (0..n)
        .map(|i| {
            ScheduleRequest::on_demand(format!("bench-{round}-{i:05}"))
                .repo("library/nginx")
                .build()
        })
        .collect()
}

async fn raw(
    emu: &EmulatorHandle,
    token: &str,
    reqs: &[ScheduleRequest],
    concurrency: usize,
) -> Result<f64, Box<dyn std::error::Error>> {
    let http = reqwest::Client::builder().no_proxy().build()?;
    let url = format!(
        "{}/csapi/v1.3/registry/{}/schedule",
        emu.url(),
        emu.demo_registry_id()
    );
    let bodies: Vec<Vec<u8>> = reqs
        .iter()
        .map(|r| serde_json::to_vec(&r.to_value()))
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let results: Vec<Result<u16, reqwest::Error>> = futures_util::stream::iter(bodies)
        .map(|body| {
            let (http, url) = (http.clone(), url.clone());
            async move {
                let r = http
                    .post(url)
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = r.status().as_u16();
                r.bytes().await?;
                Ok(status)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let ok = results.iter().filter(|r| matches!(r, Ok(200))).count();
    if ok != reqs.len() {
        return Err(format!("raw: only {ok} of {} creates succeeded", reqs.len()).into());
    }
    Ok(reqs.len() as f64 / elapsed.as_secs_f64())
}

async fn with_client(
    client: &Client,
    registry: &RegistryId,
    reqs: &[ScheduleRequest],
    concurrency: usize,
) -> Result<f64, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(reqs)
        .map(|r| client.create_schedule(registry, r))
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        return Err(format!("client create failed: {e}").into());
    }
    Ok(reqs.len() as f64 / elapsed.as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let concurrency: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(64);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(4);

    let emu = Emulator::builder()
        .in_memory()
        .rate_limit(u64::MAX / 2, Duration::from_secs(60))
        .start()
        .await?;
    let registry = RegistryId::parse(emu.demo_registry_id())?;
    let token = reqwest::Client::builder()
        .no_proxy()
        .build()?
        .post(format!("{}/auth", emu.url()))
        .form(&[
            ("username", DEMO_USER),
            ("password", DEMO_PASSWORD),
            ("token", "true"),
        ])
        .send()
        .await?
        .text()
        .await?;
    let client = |mode| {
        Client::builder()
            .gateway_url(emu.url())
            .credentials(DEMO_USER, DEMO_PASSWORD)
            .create_recovery(mode)
            .rate_limit(RateLimitPolicy {
                max_concurrency: concurrency,
                ..Default::default()
            })
            .build()
    };
    let unique = client(CreateRecovery::AssumeUniqueNames)?;
    let snapshot = client(CreateRecovery::Snapshot)?;

    // Warm-up: connections, token, allocator.
    raw(&emu, &token, &requests("warm-raw", 200)?, concurrency).await?;
    with_client(
        &unique,
        &registry,
        &requests("warm-client", 200)?,
        concurrency,
    )
    .await?;
    emu.reset()?;

    // Rounds alternate the order of the modes so that neither gains from going first; the
    // store is reset before each run.
    let mut best = [0f64; 4];
    for round in 0..rounds {
        let reqs = requests(&format!("r{round}"), n)?;
        let small = &reqs[..n.min(SNAPSHOT_N)];
        let mut order = [0usize, 1, 2, 3];
        if round % 2 == 1 {
            order.reverse();
        }
        for mode in order {
            emu.reset()?;
            let rate = match mode {
                0 => raw(&emu, &token, &reqs, concurrency).await?,
                1 => with_client(&unique, &registry, &reqs, concurrency).await?,
                2 => raw(&emu, &token, small, concurrency).await?,
                _ => with_client(&snapshot, &registry, small, concurrency).await?,
            };
            eprintln!("  round {round} {:<28} {rate:8.0} creates/s", MODES[mode]);
            best[mode] = best[mode].max(rate);
        }
    }
    let [raw_n, unique_n, raw_small, snapshot_small] = best;

    println!(
        "bulk create, concurrency {concurrency}, emulator in memory, best of {rounds} rounds:"
    );
    println!("  {n} creates:");
    println!("    raw reqwest ceiling                    {raw_n:8.0} creates/s");
    println!(
        "    client, AssumeUniqueNames (1 call)     {unique_n:8.0} creates/s   ratio {:.2}",
        unique_n / raw_n
    );
    let small_n = n.min(SNAPSHOT_N);
    println!("  {small_n} creates:");
    println!("    raw reqwest ceiling                    {raw_small:8.0} creates/s");
    println!(
        "    client, Snapshot (default, GET + POST) {snapshot_small:8.0} creates/s   ratio {:.2}",
        snapshot_small / raw_small
    );
    emu.stop().await;
    Ok(())
}
