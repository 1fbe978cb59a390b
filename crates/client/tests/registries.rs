//! Registries as code through the client, against the emulator on both wire profiles:
//! create / update / validate / delete / bulk delete / connectors, validation before sending,
//! a create whose answer is lost found again (never duplicated), and the password never in
//! `Debug`, error text, the emulator's journal or any log line at TRACE level (this binary
//! installs a global TRACE subscriber; each test checks its own password).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use qualys_cs_client::qualys_cs_core::registry::Credential;
use qualys_cs_client::{Client, ConnectorKind, RegistryId, registry_uri_key};
use qualys_cs_core::RegistryRequest;
use serde_json::{Value, json};
use std::time::Duration;

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

/// Every log line of this binary, at TRACE level.
fn logs() -> String {
    static BUF: std::sync::OnceLock<Buffer> = std::sync::OnceLock::new();
    let buf = BUF.get_or_init(|| {
        let buf = Buffer::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(buf.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        buf
    });
    String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned()
}

const REGISTRIES: &str = "/csapi/v1.3/registry";

fn control() -> reqwest::Client {
    qualys_cs_client::install_crypto_provider();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// `GET /_emulator/registries`.
async fn raw_registries(emu: &qualys_cs_emulator::EmulatorHandle) -> Vec<Value> {
    control()
        .get(format!("{}/_emulator/registries", emu.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn with_uri(emu: &qualys_cs_emulator::EmulatorHandle, uri: &str) -> Vec<Value> {
    raw_registries(emu)
        .await
        .into_iter()
        .filter(|r| r["registryUri"].as_str().map(registry_uri_key) == Some(registry_uri_key(uri)))
        .collect()
}

/// The password is in none of: the journal, the emulator's registry dump, the log lines.
async fn assert_nowhere(emu: &qualys_cs_emulator::EmulatorHandle, secret: &str) {
    let journal = serde_json::to_string(&journal(emu).await).unwrap();
    assert!(!journal.contains(secret), "the journal holds the password");
    let dump = serde_json::to_string(&raw_registries(emu).await).unwrap();
    assert!(
        !dump.contains(secret),
        "the registry dump holds the password"
    );
    assert!(!logs().contains(secret), "a log line holds the password");
}

on_both_wires!(
    lifecycle,
    invalid_requests_are_never_sent,
    lost_answers_are_found_again_never_duplicated,
    a_create_without_uri_is_never_sent_twice,
    connectors_are_listed,
);

async fn lifecycle(wire: WireProfile) {
    let _ = logs();
    let password = format!("pw-life-{wire}-9f3k");
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let uri = "https://registry.acme.example";
    let req = RegistryRequest::v2_private(uri, "ci-bot", password.as_str());
    assert!(!format!("{req:?}").contains(&password));

    let created = c.create_registry(&req).await.unwrap();
    assert!(!created.recovered);
    let found = c.find_registry(uri).await.unwrap();
    assert_eq!(found.registry_uuid, created.registry_uuid.as_str());
    let details = c.get_registry(&created.registry_uuid).await.unwrap();
    assert_eq!(
        serde_json::to_value(&details).unwrap()["credential"],
        json!({"username": "ci-bot"})
    );

    // Creating it again: the service's conflict, with no password in the text.
    let again = c.create_registry(&req).await.unwrap_err();
    assert_eq!(again.code(), "conflict", "{again}");
    assert!(!again.to_string().contains(&password) && !format!("{again:?}").contains(&password));

    // A new password: one credential change on the server.
    let rotated = format!("{password}-rotated");
    c.update_registry(
        &created.registry_uuid,
        &RegistryRequest::v2_private(uri, "ci-bot", rotated.as_str()),
    )
    .await
    .unwrap();
    let raw = with_uri(&emu, uri).await;
    assert_eq!(raw[0]["emulator"]["credentialRevision"], 1, "{raw:?}");
    // The URI cannot change: the service's 400.
    let e = c
        .update_registry(
            &created.registry_uuid,
            &RegistryRequest::v2_private("https://elsewhere.example", "ci-bot", rotated.as_str()),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "bad_request", "{e}");

    // Remote validation: a new registry is acceptable; the emulator's refused credential
    // (a password starting with "reject") and an existing registry are not.
    let fresh = RegistryRequest::docker_hub("https://hub.example", "bot", password.as_str());
    let ok = c.validate_registry(&fresh).await.unwrap();
    assert!(ok.valid && ok.message.is_none(), "{ok:?}");
    let refused = c
        .validate_registry(&RegistryRequest::docker_hub(
            "https://hub.example",
            "bot",
            "reject-me",
        ))
        .await
        .unwrap();
    assert!(!refused.valid);
    let exists = c.validate_registry(&req).await.unwrap();
    assert!(!exists.valid);
    if wire == WireProfile::Full {
        assert!(refused.message.unwrap().contains("refused the credentials"));
        assert!(exists.message.unwrap().contains("already exists"));
    } else {
        assert_eq!(refused.message, None, "oas2021 answers a bare false");
    }

    // Delete: gone, with its schedules; bulk delete of the demo registry and a second one.
    let second = c.create_registry(&fresh).await.unwrap();
    c.create_schedule(&created.registry_uuid, &on_demand("in-it"))
        .await
        .unwrap();
    c.delete_registry(&created.registry_uuid).await.unwrap();
    assert_eq!(
        c.get_registry(&created.registry_uuid)
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
    assert!(
        raw_schedules(&emu)
            .await
            .iter()
            .all(|s| s["registryUuid"] != created.registry_uuid.as_str())
    );
    let job = c
        .bulk_delete_registries(&[registry(), second.registry_uuid.clone()])
        .await
        .unwrap();
    assert!(!job.deletion_job_id.is_empty());
    assert!(raw_registries(&emu).await.is_empty());
    assert_eq!(
        c.bulk_delete_registries(&[]).await.unwrap_err().code(),
        "validation"
    );
    assert_nowhere(&emu, &password).await;
    assert_nowhere(&emu, &rotated).await;
    emu.stop().await;
}

async fn invalid_requests_are_never_sent(wire: WireProfile) {
    let _ = logs();
    let password = format!("pw-invalid-{wire}-7c2m");
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    // V2_PRIVATE without a password, Azure without a connector: every problem at once.
    let mut no_password = RegistryRequest::v2_private("https://r.example", "u", "x");
    no_password.credential = Some(Credential {
        username: Some("u".into()),
        ..Default::default()
    });
    let e = c.create_registry(&no_password).await.unwrap_err();
    assert_eq!(e.code(), "validation");
    assert!(
        e.violations()
            .iter()
            .any(|v| v.path == "/credential/password"),
        "{e}"
    );
    let e = c
        .create_registry_value(
            &json!({"registryType": "Azure", "registryUri": "https://a.azurecr.io",
            "credential": {"username": "u", "password": password}}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "validation");
    assert!(
        e.violations().iter().any(|v| v.path == "/connectorId"),
        "{e}"
    );
    assert!(!e.to_string().contains(&password), "{e}");
    let e = c
        .validate_registry(&RegistryRequest::azure("https://a.azurecr.io", " "))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "validation");
    assert_eq!(count(&journal(&emu).await, "POST", "/registry"), 0);
    assert_eq!(count(&journal(&emu).await, "POST", "/registry/validate"), 0);
    assert_nowhere(&emu, &password).await;
    emu.stop().await;
}

/// The registry create's part of `docs/create-guarantee.md`: the answer lost after the
/// server acted (connection dropped, 503, 500, 429 after processing) ends with exactly one
/// registry, returned as `recovered`; a 503 before processing is sent again and made once.
async fn lost_answers_are_found_again_never_duplicated(wire: WireProfile) {
    let _ = logs();
    let password = format!("pw-lost-{wire}-4h8q");
    let emu = start(builder().wire(wire)).await;
    let c: Client = client_for(&emu)
        .create_settle_window(Duration::from_millis(300))
        .build()
        .unwrap();
    let mut ids: Vec<RegistryId> = Vec::new();
    for (i, (fault, recovered)) in [
        (json!({"method": "POST", "path": REGISTRIES, "kind": "drop", "stage": "after"}), true),
        (json!({"method": "POST", "path": REGISTRIES, "kind": "status", "status": 503, "stage": "after"}), true),
        (json!({"method": "POST", "path": REGISTRIES, "kind": "status", "status": 500, "stage": "after"}), true),
        (json!({"method": "POST", "path": REGISTRIES, "kind": "status", "status": 429, "stage": "after", "retryAfterSec": 0}), true),
        (json!({"method": "POST", "path": REGISTRIES, "kind": "status", "status": 503, "stage": "before"}), false),
    ]
    .into_iter()
    .enumerate()
    {
        clear_journal(&emu).await;
        let uri = format!("https://lost-{i}.example");
        add_fault(&emu, fault.clone()).await;
        let created = c
            .create_registry(&RegistryRequest::v2_private(&uri, "ci", password.as_str()))
            .await
            .unwrap_or_else(|e| panic!("{fault}: {e}"));
        assert_eq!(created.recovered, recovered, "{fault}");
        let same = with_uri(&emu, &uri).await;
        assert_eq!(same.len(), 1, "{fault}: exactly one registry");
        assert_eq!(same[0]["registryUuid"], created.registry_uuid.as_str(), "{fault}");
        let posts = count(&journal(&emu).await, "POST", REGISTRIES);
        assert_eq!(posts, if recovered { 1 } else { 2 }, "{fault}: POSTs sent");
        assert!(!ids.contains(&created.registry_uuid));
        ids.push(created.registry_uuid);
        clear_faults(&emu).await;
    }
    // Nothing was made and the answer was lost before processing every time: the error is
    // the last failure, and no registry exists.
    add_fault(
        &emu,
        json!({"method": "POST", "path": REGISTRIES, "kind": "status", "status": 503, "stage": "before", "count": 100}),
    )
    .await;
    let e = c
        .create_registry(&RegistryRequest::v2_private(
            "https://never.example",
            "ci",
            password.as_str(),
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "server", "{e}");
    assert!(with_uri(&emu, "https://never.example").await.is_empty());
    assert_nowhere(&emu, &password).await;
    emu.stop().await;
}

async fn connectors_are_listed(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    for kind in ConnectorKind::ALL {
        let list = c.list_connectors(kind).await.unwrap();
        assert_eq!(list.len(), 1, "{kind:?}: {list:?}");
        match kind {
            ConnectorKind::Aws => {
                assert!(list[0].arn.as_deref().unwrap().starts_with("arn:aws:iam::"))
            }
            _ => assert!(list[0].connector_id.is_some(), "{list:?}"),
        }
    }
    // An Azure registry with the seeded ACR connector is created; an unknown one refused.
    let acr = c.list_connectors(ConnectorKind::Acr).await.unwrap()[0]
        .connector_id
        .clone()
        .unwrap();
    c.create_registry(&RegistryRequest::azure("https://prod.azurecr.io", &acr))
        .await
        .unwrap();
    let e = c
        .create_registry(&RegistryRequest::azure(
            "https://other.azurecr.io",
            "a0c0a0c0-0000-4000-8000-000000000000",
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "bad_request", "{e}");
    assert!(e.to_string().contains("connector"), "{e}");
    emu.stop().await;
}

/// A connector-type registry may have no `registryUri` (core warns): a lost answer then
/// cannot be told from another registry, so the create is not sent again: the error comes
/// back and the one registry the server made stays the only one.
async fn a_create_without_uri_is_never_sent_twice(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let c = client_for(&emu).build().unwrap();
    let acr = c.list_connectors(ConnectorKind::Acr).await.unwrap()[0]
        .connector_id
        .clone()
        .unwrap();
    let mut req = RegistryRequest::azure("x", &acr);
    req.registry_uri = None;
    // Two registries without a URI are not "the same registry".
    c.create_registry(&req).await.unwrap();
    clear_journal(&emu).await;
    add_fault(
        &emu,
        json!({"method": "POST", "path": REGISTRIES, "kind": "drop", "stage": "after"}),
    )
    .await;
    let e = c.create_registry(&req).await.unwrap_err();
    assert_eq!(e.code(), "transport", "{e}");
    assert_eq!(count(&journal(&emu).await, "POST", REGISTRIES), 1);
    let azure = raw_registries(&emu)
        .await
        .into_iter()
        .filter(|r| r["registryType"] == "Azure")
        .count();
    assert_eq!(azure, 2, "the first one and the one whose answer was lost");
    emu.stop().await;
}
