//! Long run: 100 000 requests through ONE client against an in-process emulator (in memory,
//! rate limit raised), sampling the process RSS (`VmRSS` of `/proc/self/status`) every 10 000
//! requests. Fails (exit 1) when RSS after the first 20 000 requests grows by more than the
//! bound (10 % by default): the emulator's journal is capped at 10 000 entries, so by then both
//! sides are at their steady state.
//!
//! ```text
//! cargo run -p qualys-cs-client --release --example long_run -- [REQUESTS] [CONCURRENCY] [MAX_GROWTH_PCT] [mix|lists]
//! ```
//!
//! The mix, per 10 requests: 8 list calls (one page of 20), 1 create, 1 delete of that
//! schedule, so the store stays small and the run measures the client, not store growth;
//! `lists` makes every request a list call.
//! Linux only (reads /proc).

use futures_util::StreamExt as _;
use qualys_cs_client::{Client, ListOptions, RateLimitPolicy, RegistryId, ScheduleRequest};
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_USER, Emulator};
use std::time::{Duration, Instant};

fn rss_kib() -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS line in /proc/self/status")?;
    Ok(line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?)
}

/// One unit of 10 requests (8 lists, a create, a delete).
async fn unit(
    client: &Client,
    registry: &RegistryId,
    i: usize,
    lists_only: bool,
) -> Result<(), qualys_cs_client::Error> {
    let page = ListOptions::new().page_size(20);
    if lists_only {
        for _ in 0..10 {
            client.list_schedules(registry, &page).await?;
        }
        return Ok(());
    }
    for _ in 0..8 {
        client.list_schedules(registry, &page).await?;
    }
    let req = ScheduleRequest::on_demand(format!("long-run-{i}"))
        .repo("library/nginx")
        .build()?;
    let created = client.create_schedule(registry, &req).await?;
    client
        .delete_schedule(registry, &created.schedule_uuid)
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let total: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let concurrency: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(8);
    let max_growth_pct: f64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10.0);
    let lists_only = match args.next().as_deref() {
        None | Some("mix") => false,
        Some("lists") => true,
        Some(other) => return Err(format!("MODE is mix or lists, not {other:?}").into()),
    };
    const SAMPLE_EVERY: usize = 10_000;
    const UNIT: usize = 10;
    if total < 3 * SAMPLE_EVERY {
        return Err(format!("REQUESTS must be at least {}", 3 * SAMPLE_EVERY).into());
    }

    // A 1 s rate-limit window, raised out of the way: the client's limiter keeps the send
    // instants of one window (plus 5 %) to budget the next calls, so with the documented 60 s
    // window its log would still be filling during a 20 s run (bounded by the window, not a
    // leak, but not a flat line either).
    let emu = Emulator::builder()
        .in_memory()
        .rate_limit(u64::MAX / 2, Duration::from_secs(1))
        .start()
        .await?;
    let registry = RegistryId::parse(emu.demo_registry_id())?;
    // A few schedules so that list calls return data.
    let client = Client::builder()
        .gateway_url(emu.url())
        .credentials(DEMO_USER, DEMO_PASSWORD)
        .no_proxy()
        .rate_limit(RateLimitPolicy {
            max_concurrency: concurrency,
            ..Default::default()
        })
        .build()?;
    for i in 0..20 {
        let req = ScheduleRequest::on_demand(format!("long-run-seed-{i}"))
            .repo("library/alpine")
            .build()?;
        client.create_schedule(&registry, &req).await?;
    }

    println!(
        "long run: {total} requests ({}), concurrency {concurrency}, one client, emulator in process",
        if lists_only {
            "lists only"
        } else {
            "8 lists + create + delete per 10"
        }
    );
    println!("{:>9}  {:>10}  {:>8}", "requests", "VmRSS KiB", "req/s");
    let started = Instant::now();
    let mut samples: Vec<(usize, u64)> = vec![(0, rss_kib()?)];
    println!("{:>9}  {:>10}  {:>8}", 0, samples[0].1, "-");
    let mut done = 0usize;
    let mut unit_no = 0usize;
    while done < total {
        let units = SAMPLE_EVERY / UNIT;
        let chunk_start = Instant::now();
        let errors: Vec<_> = futures_util::stream::iter(unit_no..unit_no + units)
            .map(|i| unit(&client, &registry, i, lists_only))
            .buffer_unordered(concurrency)
            .filter_map(|r| async move { r.err() })
            .collect()
            .await;
        if let Some(e) = errors.first() {
            return Err(format!(
                "{} request(s) failed, first: [{}] {e}",
                errors.len(),
                e.code()
            )
            .into());
        }
        unit_no += units;
        done += SAMPLE_EVERY;
        let rss = rss_kib()?;
        println!(
            "{done:>9}  {rss:>10}  {:>8.0}",
            SAMPLE_EVERY as f64 / chunk_start.elapsed().as_secs_f64()
        );
        samples.push((done, rss));
    }
    let base = samples
        .iter()
        .find(|(n, _)| *n == 2 * SAMPLE_EVERY)
        .map(|s| s.1)
        .ok_or("no sample at 20 000")?;
    let max_after = samples
        .iter()
        .filter(|(n, _)| *n > 2 * SAMPLE_EVERY)
        .map(|s| s.1)
        .max()
        .unwrap_or(base);
    let growth = (max_after as f64 - base as f64) / base as f64 * 100.0;
    println!(
        "RSS at 20 000: {base} KiB; max after: {max_after} KiB; growth {growth:+.1} % (bound {max_growth_pct} %); {:.1} s; token fetches {}",
        started.elapsed().as_secs_f64(),
        client.token_fetches()
    );
    emu.stop().await;
    if growth > max_growth_pct {
        eprintln!("FAIL: RSS grew by more than {max_growth_pct} % after the first 20 000 requests");
        std::process::exit(1);
    }
    println!("OK: flat memory");
    Ok(())
}
