//! What a name lookup costs in a registry of 10,000 schedules, compared with an empty one
//! (issue 14: a client recovering a lost create lists `filter=name:"…"&sort=created:desc`).
//!
//! ```text
//! cargo run -p qualys-cs-emulator --example bench_lookup [-- --schedules 10000 --rounds 300 --sqlite]
//! ```
//!
//! Two measures, each on a small registry and on a full one:
//!
//! - **HTTP**: `GET …/schedule?filter=name:"target"&sort=created:desc` against an in-process
//!   emulator (in memory, or a SQLite file with `--sqlite`), mean and p50 over the rounds,
//!   in a registry holding only the target (one match) and in one holding 10,000 more; and
//!   a name that matches nothing, in an empty registry and in the full one. Plus
//!   `filter=name:*target*` (a wildcard: every row is read and decoded) for contrast.
//! - **store**: [`Tx::list_narrowed`] by name (the indexed lookup the route uses) against
//!   [`Tx::list`] + decode + filter in Rust (what every lookup cost before the index).
//!
//! [`Tx::list_narrowed`]: qualys_cs_emulator::store::Tx::list_narrowed
//! [`Tx::list`]: qualys_cs_emulator::store::Tx::list
#![allow(clippy::unwrap_used, clippy::expect_used)]

use qualys_cs_core::ScheduleRequest;
use qualys_cs_emulator::jobs::{JobSettings, new_row};
use qualys_cs_emulator::store::{Narrow, Store, StoreError, fold_key};
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

struct Args {
    schedules: usize,
    rounds: usize,
    sqlite: bool,
}

fn parse_args() -> Args {
    let mut a = Args {
        schedules: 10_000,
        rounds: 300,
        sqlite: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        match k.as_str() {
            "--schedules" => a.schedules = it.next().and_then(|v| v.parse().ok()).unwrap(),
            "--rounds" => a.rounds = it.next().and_then(|v| v.parse().ok()).unwrap(),
            "--sqlite" => a.sqlite = true,
            other => panic!("unknown argument {other}; see the file's doc comment"),
        }
    }
    a
}

/// Mean and median of `rounds` runs of `f` (after a few warm-up runs).
async fn time<F, Fut>(rounds: usize, mut f: F) -> (Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..5 {
        f().await;
    }
    let mut all = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        f().await;
        all.push(t.elapsed());
    }
    all.sort();
    let mean = all.iter().sum::<Duration>() / u32::try_from(rounds).unwrap();
    (mean, all[rounds / 2])
}

fn sync_time(rounds: usize, mut f: impl FnMut()) -> Duration {
    for _ in 0..3 {
        f();
    }
    let t = Instant::now();
    for _ in 0..rounds {
        f();
    }
    t.elapsed() / u32::try_from(rounds).unwrap()
}

fn on_demand(name: &str) -> Value {
    json!({"name": name, "onDemand": true, "filters": [{"repoTags": [{"repo": "library/nginx"}]}]})
}

struct Http {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Http {
    async fn list(&self, query: &str) -> Value {
        let r = self
            .http
            .get(format!(
                "{}/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/schedule?{query}",
                self.base
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        r.json().await.unwrap()
    }

    async fn create(&self, name: &str) {
        let r = self
            .http
            .post(format!(
                "{}/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/schedule",
                self.base
            ))
            .bearer_auth(&self.token)
            .json(&on_demand(name))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

async fn http_bench(a: &Args) {
    let dir = tempfile::tempdir().unwrap();
    let mut b = Emulator::builder().rate_limit(1_000_000_000, Duration::from_secs(60));
    if a.sqlite {
        b = b.data_dir(dir.path());
    }
    let emu = b.start().await.unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let token = http
        .post(format!("{}/auth", emu.url()))
        .form(&[
            ("username", DEMO_USER),
            ("password", DEMO_PASSWORD),
            ("token", "true"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let c = std::sync::Arc::new(Http {
        http,
        base: emu.url().to_owned(),
        token,
    });
    let lookup = "filter=name:%22target%22&sort=created:desc";
    let absent = "filter=name:%22absent%22&sort=created:desc";
    let scan = "filter=name:*target*&sort=created:desc";

    let (absent_empty, _) = time(a.rounds, || async {
        assert_eq!(c.list(absent).await["count"], 0);
    })
    .await;
    c.create("target").await;
    let (one_mean, one_p50) = time(a.rounds, || async {
        assert_eq!(c.list(lookup).await["count"], 1);
    })
    .await;

    let t = Instant::now();
    let per = a.schedules.div_ceil(16);
    let mut tasks = Vec::new();
    for w in 0..16 {
        let c = c.clone();
        let n = per.min(a.schedules.saturating_sub(w * per));
        tasks.push(tokio::spawn(async move {
            for i in 0..n {
                c.create(&format!("bulk-{w}-{i}")).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let seeded = t.elapsed();

    let (full_mean, full_p50) = time(a.rounds, || async {
        assert_eq!(c.list(lookup).await["count"], 1);
    })
    .await;
    let (absent_full, _) = time(a.rounds, || async {
        assert_eq!(c.list(absent).await["count"], 0);
    })
    .await;
    let (scan_mean, _) = time(a.rounds.clamp(1, 20), || async {
        assert_eq!(c.list(scan).await["count"], 1);
    })
    .await;
    let mode = if a.sqlite {
        "SQLite file (WAL)"
    } else {
        "in memory"
    };
    println!(
        "HTTP, {mode}; {} schedules seeded in {:.1} s",
        a.schedules,
        seeded.as_secs_f64()
    );
    println!(
        "  name lookup (1 match), 1 schedule:       mean {}  p50 {}",
        ms(one_mean),
        ms(one_p50)
    );
    println!(
        "  name lookup (1 match), {:>6} schedules: mean {}  p50 {}",
        a.schedules + 1,
        ms(full_mean),
        ms(full_p50)
    );
    println!(
        "  ratio:                                  {:.2} (mean), {:.2} (p50)",
        full_mean.as_secs_f64() / one_mean.as_secs_f64(),
        full_p50.as_secs_f64() / one_p50.as_secs_f64()
    );
    println!(
        "  no match: empty registry mean {}, {} schedules mean {}, ratio {:.2}",
        ms(absent_empty),
        a.schedules + 1,
        ms(absent_full),
        absent_full.as_secs_f64() / absent_empty.as_secs_f64()
    );
    println!(
        "  for contrast, name:*target* (reads and decodes every row): mean {}",
        ms(scan_mean)
    );
    emu.stop().await;
}

fn store_bench(a: &Args) {
    let fill = |store: &Store, n: usize| {
        store
            .write(|tx| {
                for i in 0..n {
                    let name = if i + 1 == n {
                        "target".to_owned()
                    } else {
                        format!("bulk-{i}")
                    };
                    let req = ScheduleRequest::on_demand(name)
                        .repo("library/nginx")
                        .build()
                        .unwrap();
                    let mut row = new_row(
                        uuid::Uuid::new_v4().to_string(),
                        DEMO_REGISTRY_ID.into(),
                        req,
                        1_000,
                        JobSettings::default(),
                    );
                    tx.insert(&mut row)?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
    };
    // "small" holds only the target: both lookups find and decode exactly one row.
    let small = Store::open_in_memory().unwrap();
    fill(&small, 1);
    let full = Store::open_in_memory().unwrap();
    fill(&full, a.schedules + 1);
    let mut n = Narrow::default();
    n.name("TARGET");
    let indexed = |s: &Store| {
        sync_time(a.rounds, || {
            s.read(|tx| tx.list_narrowed(DEMO_REGISTRY_ID, &n)).unwrap();
        })
    };
    let (ie, ifull) = (indexed(&small), indexed(&full));
    let old = |s: &Store, rounds: usize| {
        sync_time(rounds, || {
            let rows = s.read(|tx| tx.list(DEMO_REGISTRY_ID)).unwrap();
            let hits = rows
                .iter()
                .map(|r| r.to_schedule(None))
                .filter(|x| fold_key(&x.name) == "target")
                .count();
            assert_eq!(hits, 1);
        })
    };
    let (oe, ofull) = (old(&small, a.rounds), old(&full, 5));
    println!("store (in memory), one lookup by name (1 match):");
    println!(
        "  indexed (list_narrowed):      1 schedule {}  {} schedules {}  ratio {:.2}",
        ms(ie),
        a.schedules + 1,
        ms(ifull),
        ifull.as_secs_f64() / ie.as_secs_f64()
    );
    println!(
        "  decode all + filter (before): 1 schedule {}  {} schedules {}  ratio {:.0}",
        ms(oe),
        a.schedules + 1,
        ms(ofull),
        ofull.as_secs_f64() / oe.as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = parse_args();
    http_bench(&a).await;
    store_bench(&a);
}
