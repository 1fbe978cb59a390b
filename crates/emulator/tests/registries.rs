//! Registries as code on both wire profiles: create, get, update, validate, delete, bulk
//! delete, connectors; core's rules on every body; the password never answered, journaled
//! or stored; persistence across restarts and reset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::*;
use qualys_cs_emulator::{DEMO_REGISTRY_ID, WireProfile};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "pw-Zq81-never-shown";
const PASSWORD2: &str = "pw-Xk27-rotated-value";

fn v2_private(uri: &str, password: &str) -> Value {
    json!({"registryType": "V2_PRIVATE", "registryUri": uri, "credentialType": "BasicAuth",
           "credential": {"username": "ci-bot", "password": password}})
}

async fn body_text(r: reqwest::Response) -> (StatusCode, String) {
    let s = r.status();
    (s, r.text().await.unwrap())
}

/// Creates a registry; checks the profile's answer shape; returns the id.
async fn create(env: &Env, body: &Value) -> String {
    let (s, text) = body_text(
        env.call(Method::POST, "/csapi/v1.3/registry", Some(body))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let id = if env.oas() {
        v.as_str().unwrap_or_else(|| panic!("{v}")).to_owned()
    } else {
        assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
        v["registryUuid"].as_str().unwrap().to_owned()
    };
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    id
}

async fn journal_text(env: &Env) -> String {
    env.control(Method::GET, "/_emulator/requests", None)
        .await
        .text()
        .await
        .unwrap()
}

async fn managed(env: &Env, id: &str) -> Value {
    let all: Value = env
        .control(Method::GET, "/_emulator/registries", None)
        .await
        .json()
        .await
        .unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|r| r["registryUuid"] == id)
        .unwrap_or_else(|| panic!("{id} not in {all}"))["emulator"]
        .clone()
}

async fn lifecycle(wire: WireProfile) {
    let env = start_default(wire).await;
    let uri = "https://registry.acme.example";
    let id = create(&env, &v2_private(uri, PASSWORD)).await;

    // Listed (found by URI) and detailed with the username only.
    let page = env
        .get_json(&format!(
            "/csapi/v1.3/registry?filter=registryUri:\"{uri}\""
        ))
        .await;
    assert_eq!(page["count"], 1, "{page}");
    assert_eq!(page["data"][0]["registryUuid"], id.as_str());
    assert_eq!(page["data"][0]["registryType"], "V2_PRIVATE");
    let (s, details) = body_text(env.get(&format!("/csapi/v1.3/registry/{id}")).await).await;
    assert_eq!(s, StatusCode::OK);
    let d: Value = serde_json::from_str(&details).unwrap();
    assert_eq!(d["credential"], json!({"username": "ci-bot"}), "{d}");
    assert!(!details.contains(PASSWORD), "{details}");
    if env.oas() {
        assert_eq!(d["connectors"], json!([]));
    } else {
        assert_eq!(d["credentialType"], "BasicAuth");
    }
    assert_eq!(managed(&env, &id).await["credentialRevision"], 0);

    // The same URI and type again: 409 naming the existing registry.
    let (s, m) = body_text(
        env.call(
            Method::POST,
            "/csapi/v1.3/registry",
            Some(&v2_private(&format!("{uri}/"), "x")),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{m}");
    assert!(m.contains(&id), "{m}");

    // Update: a new password is one credential change; the same again is none, whatever
    // else changes.
    let path = format!("/csapi/v1.3/registry/{id}");
    for (body, revision) in [
        (v2_private(uri, PASSWORD2), 1),
        (v2_private(uri, PASSWORD2), 1),
        (
            json!({"registryType": "V2_PRIVATE", "registryUri": uri,
                   "credential": {"username": "ci-bot-2", "password": PASSWORD2}}),
            1,
        ),
    ] {
        let (s, text) = body_text(env.call(Method::PUT, &path, Some(&body)).await).await;
        assert_eq!(s, StatusCode::OK, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        if env.oas() {
            assert_eq!(v, json!(id));
        } else {
            assert_eq!(v, json!({"registryUuid": id}));
        }
        let m = managed(&env, &id).await;
        assert_eq!(m["credentialRevision"], revision, "{m}");
        assert_eq!(m["credentialStored"], true, "{m}");
    }
    assert_eq!(
        env.get_json(&path).await["credential"]["username"],
        "ci-bot-2"
    );
    // registryUri and registryType cannot change.
    let (s, m) = body_text(
        env.call(
            Method::PUT,
            &path,
            Some(&v2_private("https://other.example", "p")),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{m}");
    assert!(m.contains("registryUri cannot change"), "{m}");

    // The password never reached an answer, the journal or the control routes.
    let journal = journal_text(&env).await;
    assert!(journal.contains("/csapi/v1.3/registry"), "{journal}");
    for secret in [PASSWORD, PASSWORD2] {
        assert!(!journal.contains(secret), "journal holds the password");
        let all = env
            .control(Method::GET, "/_emulator/registries", None)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !all.contains(secret) && !all.contains("secretFingerprint"),
            "{all}"
        );
    }

    // Delete: its schedules go with it.
    let sched = json!({"name": "in-new-registry", "onDemand": true,
                       "filters": [{"repoTags": [{"repo": "app"}]}]});
    let r = env
        .call(Method::POST, &format!("{path}/schedule"), Some(&sched))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = env.call(Method::DELETE, &path, None).await;
    if env.oas() {
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap(), json!(id));
    } else {
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    assert_eq!(env.get(&path).await.status(), StatusCode::NOT_FOUND);
    let all: Value = env
        .control(Method::GET, "/_emulator/schedules", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|s| s["registryUuid"] != id.as_str()),
        "{all}"
    );
}

async fn core_rules_refuse_bad_bodies(wire: WireProfile) {
    let env = start_default(wire).await;
    // Azure without connectorId, AWS with a wrong account type, a type misspelt: each a 400
    // with core's path and code, nothing created.
    for (body, path, code) in [
        (
            json!({"registryType": "Azure", "registryUri": "https://x.azurecr.io"}),
            "/connectorId",
            "connector_id_required",
        ),
        (
            json!({"registryType": "AWS", "registryUri": "https://1.dkr.ecr.us-east-1.amazonaws.com",
                "aws": {"accountId": "123456789012", "arn": "arn:aws:iam::123456789012:role/r",
                        "region": "us-east-1", "accountType": "Gov"}}),
            "/aws/accountType",
            "",
        ),
        (
            json!({"registryType": "V2_PRIVAT", "registryUri": "https://y.example",
                "credential": {"username": "u", "password": PASSWORD}}),
            "/registryType",
            "",
        ),
    ] {
        let (s, m) = body_text(
            env.call(Method::POST, "/csapi/v1.3/registry", Some(&body))
                .await,
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {m}");
        assert!(m.contains(path) && m.contains(code), "{body}: {m}");
        assert!(!m.contains(PASSWORD), "{m}");
    }
    let r = env.call(Method::POST, "/csapi/v1.3/registry", None).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Only the demo registry exists.
    assert_eq!(env.get_json("/csapi/v1.3/registry").await["count"], 1);
}

async fn validate_and_connectors(wire: WireProfile) {
    let env = start_default(wire).await;
    let check = |body: Value| {
        let env = &env;
        async move {
            body_text(
                env.call(Method::POST, "/csapi/v1.3/registry/validate", Some(&body))
                    .await,
            )
            .await
        }
    };
    let (s, t) = check(v2_private("https://ok.example", PASSWORD)).await;
    assert_eq!((s, t.as_str()), (StatusCode::OK, "true"));
    // The emulator's credential rule: a password starting with "reject" is refused.
    let (s, t) = check(v2_private("https://ok.example", "reject-this")).await;
    if env.oas() {
        assert_eq!((s, t.as_str()), (StatusCode::OK, "false"));
    } else {
        assert_eq!(s, StatusCode::BAD_REQUEST, "{t}");
        assert!(
            t.contains("refused the credentials") && !t.contains("reject-this"),
            "{t}"
        );
    }
    // Connectors: the seeded ones are listed; an unknown ACR connector is refused, a known
    // one accepted (validate and create alike).
    let acr: Value = env.get_json("/csapi/v1.3/registry/acr/connectors").await;
    let acr_id = acr[0]["connectorId"].as_str().unwrap().to_owned();
    let gcp: Value = env.get_json("/csapi/v1.3/registry/gcp/connectors").await;
    assert!(gcp[0]["connectorId"].is_string(), "{gcp}");
    let aws: Value = env.get_json("/csapi/v1.3/registry/aws/connectors").await;
    let account = aws[0]["accountId"].as_str().unwrap();
    let of_account: Value = env
        .get_json(&format!("/csapi/v1.3/registry/aws/connectors/{account}"))
        .await;
    assert_eq!(of_account, aws);
    let one: Value = env
        .get_json(&format!("/csapi/v1.3/registry/acr/connector/{acr_id}"))
        .await;
    assert_eq!(one, acr[0]);
    assert!(env.get_json("/csapi/v1.3/registry/aws-base").await["externalId"].is_string());
    let azure = |c: &str| json!({"registryType": "Azure", "registryUri": "https://p.azurecr.io", "connectorId": c});
    let (s, t) = check(azure("a0c0a0c0-0000-4000-8000-000000000000")).await;
    assert!(
        if env.oas() {
            t == "false"
        } else {
            s == StatusCode::BAD_REQUEST && t.contains("names no ACR connector")
        },
        "{s} {t}"
    );
    let r = env
        .call(
            Method::POST,
            "/csapi/v1.3/registry",
            Some(&azure("a0c0a0c0-0000-4000-8000-000000000000")),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let id = create(&env, &azure(&acr_id)).await;
    // Now it exists: validate says so.
    let (s, t) = check(azure(&acr_id)).await;
    if env.oas() {
        assert_eq!(t, "false");
    } else {
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(t.contains("already exists") && t.contains(&id), "{t}");
    }
}

async fn running_schedules_block_delete_and_bulk_skips(wire: WireProfile) {
    let env = start_default(wire).await;
    let other = create(&env, &v2_private("https://b.example", PASSWORD)).await;
    let sid = env.create(&on_demand("now")).await;
    env.advance(2.0).await;
    assert_eq!(env.status_of(&sid).await, "Running");
    let demo = format!("/csapi/v1.3/registry/{DEMO_REGISTRY_ID}");
    let (s, m) = body_text(env.call(Method::DELETE, &demo, None).await).await;
    assert_eq!(s, StatusCode::CONFLICT, "{m}");
    assert!(m.contains("Running") && m.contains("cancel"), "{m}");
    // Bulk: the running one is skipped silently, the other deleted.
    let r = env
        .call(
            Method::DELETE,
            &format!("/csapi/v1.3/registry?registryIds={DEMO_REGISTRY_ID}&registryIds={other}"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert!(
        uuid::Uuid::parse_str(v["deletionJobId"].as_str().unwrap()).is_ok(),
        "{v}"
    );
    let page = env.get_json("/csapi/v1.3/registry").await;
    assert_eq!(page["count"], 1, "{page}");
    assert_eq!(page["data"][0]["registryUuid"], DEMO_REGISTRY_ID);
    // Once finished, a body {"registryIds": [...]} deletes it with its schedules.
    env.advance(30.0).await;
    let r = env
        .call(
            Method::DELETE,
            "/csapi/v1.3/registry",
            Some(&json!({"registryIds": [DEMO_REGISTRY_ID]})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(env.get_json("/csapi/v1.3/registry").await["count"], 0);
    assert_eq!(env.get(&demo).await.status(), StatusCode::NOT_FOUND);
    // Neither ids nor body: 400.
    let r = env.call(Method::DELETE, "/csapi/v1.3/registry", None).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // A reset brings the configured registries back and forgets created ones.
    let r = env.control(Method::POST, "/_emulator/reset", None).await;
    assert!(r.status().is_success());
    let page = env.get_json("/csapi/v1.3/registry").await;
    assert_eq!(page["count"], 1, "{page}");
    assert_eq!(page["data"][0]["registryUuid"], DEMO_REGISTRY_ID);
}

async fn registries_survive_a_restart(wire: WireProfile) {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let env = start(builder(wire).data_dir(dir.path())).await;
        let id = create(&env, &v2_private("https://persist.example", PASSWORD)).await;
        let r = env
            .call(
                Method::DELETE,
                &format!("/csapi/v1.3/registry/{DEMO_REGISTRY_ID}"),
                None,
            )
            .await;
        assert!(r.status().is_success());
        env.emu.stop().await;
        id
    };
    let db = std::fs::read(dir.path().join("emulator.sqlite3")).unwrap();
    let wal = std::fs::read(dir.path().join("emulator.sqlite3-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "the password is in the database"
        );
    }
    let env = start(builder(wire).data_dir(dir.path())).await;
    let page = env.get_json("/csapi/v1.3/registry").await;
    assert_eq!(page["count"], 1, "{page}");
    assert_eq!(page["data"][0]["registryUuid"], id.as_str());
    assert_eq!(
        env.get_json(&format!("/csapi/v1.3/registry/{id}")).await["credential"]["username"],
        "ci-bot"
    );
}

wire_tests!(
    lifecycle,
    core_rules_refuse_bad_bodies,
    validate_and_connectors,
    running_schedules_block_delete_and_bulk_skips,
    registries_survive_a_restart,
);
