//! Creates: calls per create, throughput against a warm raw generator, and pacing under a rate
//! limit — every figure a ratio taken in the same run, against the in-process emulator.
//!
//! ```text
//! cargo run -p qualys-cs-client --release --example bench_create [creates] [concurrency] [rounds]
//! ```
//!
//! 1. **Calls per create**: a bulk of 1,000 default-mode creates (no fault), counted from the
//!    emulator's journal (every `/csapi` request).
//! 2. **Throughput** at 0, 1,000 and 10,000 schedules already in the registry: the default
//!    client (validation, limiter, duplicate-safe create) against a raw reqwest generator that
//!    sends the same bodies with a token fetched beforehand, no validation, no limiter, no
//!    retries, over connections already open (warm). Best of `rounds`, modes alternating.
//! 3. **Pacing**: 2,000 default-mode creates under a scaled limit of 1,000 calls per 5 s; the
//!    fastest the limit allows is one window plus the time the raw generator needs for the
//!    last 1,000; the ratio is that over the time taken, with the number of 429 answers.
//!
//! Defaults: 3,000 creates per throughput run, concurrency 64, 2 rounds.

use futures_util::StreamExt as _;
use qualys_cs_client::{Client, RateLimitPolicy, RegistryId, ScheduleRequest};
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_USER, Emulator, EmulatorHandle};
use serde_json::Value;
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn requests(round: &str, n: usize) -> Res<Vec<ScheduleRequest>> {
    (0..n)
        .map(|i| {
            Ok(ScheduleRequest::on_demand(format!("bench-{round}-{i:05}"))
                .repo("library/nginx")
                .build()?)
        })
        .collect()
}

struct Raw {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Raw {
    async fn new(emu: &EmulatorHandle) -> Res<Raw> {
        qualys_cs_client::install_crypto_provider();
        let http = reqwest::Client::builder().no_proxy().build()?;
        let token = http
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
        Ok(Raw {
            http,
            url: format!(
                "{}/csapi/v1.3/registry/{}/schedule",
                emu.url(),
                emu.demo_registry_id()
            ),
            token,
        })
    }

    /// Creates/s for these bodies.
    async fn run(&self, reqs: &[ScheduleRequest], concurrency: usize) -> Res<f64> {
        let bodies: Vec<Vec<u8>> = reqs
            .iter()
            .map(|r| serde_json::to_vec(&r.to_value()))
            .collect::<Result<_, _>>()?;
        let started = Instant::now();
        let results: Vec<Result<u16, reqwest::Error>> = futures_util::stream::iter(bodies)
            .map(|body| async move {
                let r = self
                    .http
                    .post(&self.url)
                    .bearer_auth(&self.token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = r.status().as_u16();
                r.bytes().await?;
                Ok(status)
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
}

async fn with_client(
    client: &Client,
    registry: &RegistryId,
    reqs: &[ScheduleRequest],
    concurrency: usize,
) -> Res<f64> {
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

fn client(emu: &EmulatorHandle, concurrency: usize) -> Res<Client> {
    Ok(Client::builder()
        .gateway_url(emu.url())
        .credentials(DEMO_USER, DEMO_PASSWORD)
        .rate_limit(RateLimitPolicy {
            max_concurrency: concurrency,
            ..Default::default()
        })
        .build()?)
}

/// `/csapi` requests in the journal since it was last cleared.
async fn cs_calls(emu: &EmulatorHandle) -> Res<(usize, usize)> {
    qualys_cs_client::install_crypto_provider();
    let journal: Vec<Value> = reqwest::Client::builder()
        .no_proxy()
        .build()?
        .get(format!("{}/_emulator/requests", emu.url()))
        .send()
        .await?
        .json()
        .await?;
    let cs: Vec<&Value> = journal
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/csapi")))
        .collect();
    let refused = cs.iter().filter(|e| e["status"] == 429).count();
    Ok((cs.len(), refused))
}

async fn clear_journal(emu: &EmulatorHandle) -> Res<()> {
    qualys_cs_client::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .build()?
        .delete(format!("{}/_emulator/requests", emu.url()))
        .send()
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3_000);
    let concurrency: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(64);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2);

    let emu = Emulator::builder()
        .in_memory()
        .rate_limit(u64::MAX / 2, Duration::from_secs(60))
        .start()
        .await?;
    let registry = RegistryId::parse(emu.demo_registry_id())?;
    let raw = Raw::new(&emu).await?;
    let c = client(&emu, concurrency)?;

    // Warm-up: connections of both, the token, the allocator.
    raw.run(&requests("warm-raw", 500)?, concurrency).await?;
    with_client(&c, &registry, &requests("warm-client", 500)?, concurrency).await?;

    // 1. Calls per create, bulk of 1,000, default mode, no fault.
    emu.reset()?;
    clear_journal(&emu).await?;
    with_client(&c, &registry, &requests("calls", 1_000)?, concurrency).await?;
    let (calls, _) = cs_calls(&emu).await?;
    let per_create = calls as f64 / 1_000.0;

    // 2. Throughput at 0 / 1,000 / 10,000 existing schedules.
    let mut table = Vec::new();
    for existing in [0usize, 1_000, 10_000] {
        let mut best = [0f64; 2];
        for round in 0..rounds {
            for mode in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
                emu.reset()?;
                if existing > 0 {
                    raw.run(&requests("existing", existing)?, concurrency)
                        .await?;
                }
                let reqs = requests(&format!("r{round}m{mode}"), n)?;
                let rate = if mode == 0 {
                    raw.run(&reqs, concurrency).await?
                } else {
                    with_client(&c, &registry, &reqs, concurrency).await?
                };
                eprintln!(
                    "  existing {existing:>6} round {round} {:<7} {rate:8.0} creates/s",
                    ["raw", "client"][mode]
                );
                best[mode] = best[mode].max(rate);
            }
        }
        table.push((existing, best[0], best[1]));
    }
    emu.stop().await;

    // 3. Pacing under 1,000 calls per 5 s.
    const LIMIT: u64 = 1_000;
    const WINDOW: Duration = Duration::from_secs(5);
    let paced = Emulator::builder()
        .in_memory()
        .rate_limit(LIMIT, WINDOW)
        .start()
        .await?;
    let pc = client(&paced, concurrency)?;
    let preg = RegistryId::parse(paced.demo_registry_id())?;
    let raw_rate = table[0].1;
    let started = Instant::now();
    with_client(
        &pc,
        &preg,
        &requests("paced", 2 * LIMIT as usize)?,
        concurrency,
    )
    .await?;
    let took = started.elapsed().as_secs_f64();
    let (paced_calls, refused) = cs_calls(&paced).await?;
    let fastest = WINDOW.as_secs_f64() + LIMIT as f64 / raw_rate;
    paced.stop().await;

    println!("creates, concurrency {concurrency}, emulator in memory, best of {rounds} rounds:");
    println!(
        "  calls per create (default mode, bulk of 1,000, no fault): {per_create:.3} ({calls} calls)"
    );
    println!("  default-mode creates/s vs a warm raw generator ({n} creates):");
    for (existing, raw_r, client_r) in &table {
        println!(
            "    {existing:>6} existing: raw {raw_r:8.0}/s  client {client_r:8.0}/s  ratio {:.2}",
            client_r / raw_r
        );
    }
    println!(
        "  pacing, {} creates under {LIMIT} calls / {} s: {took:.2} s, fastest allowed {fastest:.2} s, ratio {:.2}, {refused} answers 429, {paced_calls} calls",
        2 * LIMIT,
        WINDOW.as_secs(),
        fastest / took
    );
    Ok(())
}
