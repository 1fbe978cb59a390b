//! The client-side rate limiter keeps bulk work under the server's limit instead of bouncing
//! off 429s, while finishing within 5 % of the fastest time the limit allows, in both wire
//! profiles, in the default create mode (one call per create). Takes real time (~10 s per
//! profile).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use futures_util::StreamExt as _;
use qualys_cs_client::RateLimitPolicy;
use std::time::{Duration, Instant};

on_both_wires!(bulk_creates_stay_under_the_limit_at_full_speed[multi_thread]);

/// The two profiles' runs take turns: each measures its own rate.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn bulk_creates_stay_under_the_limit_at_full_speed(wire: WireProfile) {
    let _turn = ONE_AT_A_TIME.lock().await;
    const N: usize = 300;
    const LIMIT: u64 = 50;
    const WINDOW: Duration = Duration::from_secs(2);
    let emu = start(builder().wire(wire).rate_limit(LIMIT, WINDOW)).await;
    let c = client_for(&emu)
        // The default mode: one call per create, so the rate of creates is the rate of calls.
        .rate_limit(RateLimitPolicy {
            max_concurrency: 32,
            ..Default::default()
        })
        .build()
        .unwrap();
    let reg = registry();

    let started = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(0..N)
        .map(|i| {
            let (c, reg) = (c.clone(), reg.clone());
            async move {
                c.create_schedule(&reg, &on_demand(&format!("limited-{i:03}")))
                    .await
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let elapsed = started.elapsed();

    assert!(
        results.iter().all(Result::is_ok),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(raw_schedules(&emu).await.len(), N);
    let j = journal(&emu).await;
    let refused = j.iter().filter(|e| e["status"] == 429).count();
    assert_eq!(refused, 0, "no 429 answers");
    assert_eq!(
        count(&j, "POST", "/schedule"),
        N,
        "one call per create, nothing else"
    );
    // The server counts fixed windows from its first call: the last batch can start at the
    // beginning of window ceil(N / LIMIT); anything later is budget left unspent.
    let fastest = (N as f64 / LIMIT as f64).ceil().max(1.0) - 1.0;
    let fastest = fastest * WINDOW.as_secs_f64();
    let ratio = fastest / elapsed.as_secs_f64();
    eprintln!(
        "limiter: {N} creates in {elapsed:?}; fastest the limit allows {fastest:.2} s; pacing ratio {ratio:.3}"
    );
    assert!(
        ratio >= 0.95,
        "{N} creates took {elapsed:?}: pacing ratio {ratio:.3} < 0.95 of the fastest {fastest:.2} s"
    );
}
