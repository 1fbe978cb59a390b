//! A small load generator: logs in, then N workers create on-demand schedules against an
//! emulator (or anything speaking the same API) for a bounded time and count, and prints
//! creates/s and latency percentiles.
//!
//! ```text
//! cargo run --release -p qualys-cs-emulator --example loadgen -- \
//!     --url http://127.0.0.1:PORT [--concurrency 64] [--duration-secs 10] [--max-requests 500000]
//! ```
//!
//! Only loopback URLs are accepted: this is a load test tool for a local emulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    url: String,
    concurrency: usize,
    duration: Duration,
    max_requests: u64,
    user: String,
    password: String,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        url: String::new(),
        concurrency: 64,
        duration: Duration::from_secs(10),
        max_requests: 500_000,
        user: DEMO_USER.into(),
        password: DEMO_PASSWORD.into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().ok_or_else(|| format!("{k} needs a value"));
        match k.as_str() {
            "--url" => a.url = v()?,
            "--concurrency" => {
                a.concurrency = v()?.parse().map_err(|e| format!("--concurrency: {e}"))?
            }
            "--duration-secs" => {
                a.duration = Duration::from_secs_f64(
                    v()?.parse().map_err(|e| format!("--duration-secs: {e}"))?,
                )
            }
            "--max-requests" => {
                a.max_requests = v()?.parse().map_err(|e| format!("--max-requests: {e}"))?
            }
            "--user" => a.user = v()?,
            "--password" => a.password = v()?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.url.is_empty() {
        return Err("--url is required".into());
    }
    let host = url::Url::parse(&a.url)
        .map_err(|e| format!("--url: {e}"))?
        .host_str()
        .unwrap_or("")
        .to_owned();
    if !(host == "localhost" || host.starts_with("127.") || host == "[::1]") {
        return Err(format!(
            "--url must be a loopback address (got host {host:?})"
        ));
    }
    if a.concurrency == 0 || a.duration > Duration::from_secs(300) {
        return Err("--concurrency must be >= 1 and --duration-secs <= 300".into());
    }
    Ok(a)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let r = http
        .post(format!("{}/auth", args.url))
        .form(&[
            ("username", args.user.as_str()),
            ("password", args.password.as_str()),
            ("token", "true"),
        ])
        .send()
        .await
        .expect("POST /auth");
    assert_eq!(r.status().as_u16(), 201, "login failed");
    let token = Arc::new(r.text().await.unwrap());
    let url = Arc::new(format!(
        "{}/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/schedule",
        args.url
    ));

    let issued = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + args.duration;
    let mut workers = Vec::new();
    for w in 0..args.concurrency {
        let (http, token, url, issued, errors) = (
            http.clone(),
            token.clone(),
            url.clone(),
            issued.clone(),
            errors.clone(),
        );
        let max = args.max_requests;
        workers.push(tokio::spawn(async move {
            let mut lat_us: Vec<u32> = Vec::new();
            let mut i = 0u64;
            while Instant::now() < deadline && issued.fetch_add(1, Ordering::Relaxed) < max {
                let body = serde_json::json!({
                    "name": format!("load-{w}-{i}"),
                    "onDemand": true,
                    "filters": [{"days": null, "repoTags": [{"repo": "library/nginx", "tag": null}]}]
                });
                i += 1;
                let t = Instant::now();
                let ok = match http.post(url.as_str()).bearer_auth(token.as_str()).json(&body).send().await {
                    Ok(r) => r.status().as_u16() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    lat_us.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                } else {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            lat_us
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let ok = all.len();
    println!(
        "creates_ok={ok} errors={} seconds={secs:.2} creates_per_sec={:.0} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} concurrency={}",
        errors.load(Ordering::Relaxed),
        ok as f64 / secs,
        percentile(&all, 0.50),
        percentile(&all, 0.99),
        percentile(&all, 1.0),
        args.concurrency
    );
}
