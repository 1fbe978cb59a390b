//! Redaction: Debug of clients, errors and every log line at TRACE level carry neither the
//! password nor the token, in both wire profiles. Its own test binary, so its global subscriber
//! sees every callsite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use qualys_cs_client::{Client, ListOptions, ScheduleId};
use serde_json::json;
use std::time::Duration;

/// Collects what the client logs, at every level.
#[derive(Clone, Default)]
struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

on_both_wires!(secrets_never_appear_in_debug_errors_or_logs);

/// The global subscriber, installed once for the binary; the tests take turns and each reads
/// only what it logged.
fn logs() -> &'static Buffer {
    static BUF: std::sync::OnceLock<Buffer> = std::sync::OnceLock::new();
    BUF.get_or_init(|| {
        let buf = Buffer::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(buf.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        buf
    })
}

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn secrets_never_appear_in_debug_errors_or_logs(wire: WireProfile) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let buf = logs().clone();
    buf.0.lock().unwrap().clear();
    let password = "pw-Sup3r-Secret-xyz";
    let emu = start(
        builder()
            .wire(wire)
            .user("carl2ab", password)
            .token_ttl(Duration::from_secs(3600)),
    )
    .await;

    let c = Client::builder()
        .gateway_url(emu.url())
        .credentials("carl2ab", password)
        .retry(fast_retry())
        .build()
        .unwrap();
    let reg = registry();
    // Warnings, a retry, a 401 renewal and an error: every logging path runs.
    add_fault(
        &emu,
        json!({"method": "GET", "kind": "status", "status": 503, "count": 1}),
    )
    .await;
    let created = c.create_schedule(&reg, &sample("logged")).await.unwrap();
    emu.advance_clock(Duration::from_secs(7200)).unwrap();
    c.get_schedule(&reg, &created.schedule_uuid).await.unwrap();
    let err = c
        .get_schedule(&reg, &ScheduleId::new_random())
        .await
        .expect_err("404");

    qualys_cs_client::install_crypto_provider();
    let token = reqwest::Client::new()
        .post(format!("{}/auth", emu.url()))
        .form(&[
            ("username", "carl2ab"),
            ("password", password),
            ("token", "true"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let with_token = Client::builder()
        .gateway_url(emu.url())
        .token(token.clone())
        .build()
        .unwrap();
    with_token
        .list_schedules(&reg, &ListOptions::new())
        .await
        .unwrap();

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("qualys_cs.request"),
        "spans are logged: {logs}"
    );
    assert!(logs.contains("attempt=2"), "the retry is logged: {logs}");
    assert!(logs.contains("status=401"), "the renewal is logged: {logs}");
    let signature = token.rsplit('.').next().unwrap();
    for text in [
        logs,
        format!("{c:?}"),
        format!("{with_token:?}"),
        format!("{err} {err:?}"),
    ] {
        assert!(!text.contains(password), "password leaked: {text}");
        assert!(!text.contains(signature), "token leaked: {text}");
    }
    assert!(format!("{c:?}").contains("password: ***"), "{c:?}");
    assert!(
        format!("{with_token:?}").contains("token: ***"),
        "{with_token:?}"
    );
}
