//! Registries as code against the emulator (issue 17), in both wire profiles: a desired state
//! that manages two registries and three schedules, applied from nothing, re-planned,
//! rotated, then removed with `ensure: absent` — registries before their schedules on the way
//! in, after them on the way out, and the registries the file does not name left alone. The
//! password never appears in a plan, a report, or the emulator's journal.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use qualys_cs_client::apply::{ApplyOptions, Outcome, SharedSecretResolver};
use qualys_cs_client::{Client, ListOptions, RegistryId};
use qualys_cs_core::desired::{DesiredState, Format};
use qualys_cs_core::plan::{Action, Plan, PlanOptions};
use qualys_cs_core::registry_state::SecretRef;
use qualys_cs_core::{Error, Secret};
use serde_json::Value;
use std::sync::{Arc, Mutex};

on_both_wires!(
    two_managed_registries_from_nothing_to_gone,
    a_registry_that_cannot_be_created_fails_its_schedules_not_the_others,
    dry_run_sends_nothing_and_shows_no_secret,
    a_registry_is_not_deleted_while_one_of_its_schedules_could_not_be,
);

const DEMO: &str = qualys_cs_emulator::DEMO_REGISTRY_ID;
const PASSWORD_V1: &str = "Acme-Pw-One-4f1c9e";
const PASSWORD_V2: &str = "Acme-Pw-Two-77ab02";
const HUB_TOKEN: &str = "Hub-Tok-9d33c1aa";

fn state(rotated_at: Option<&str>, ensure: &str) -> DesiredState {
    let rotated = rotated_at
        .map(|t| format!(", rotatedAt: \"{t}\""))
        .unwrap_or_default();
    let yaml = format!(
        r#"
version: 1
registries:
  - registry: registry.acme.example
    manage:
      type: V2_PRIVATE
      uri: https://registry.acme.example
      credential: {{username: ci-bot, passwordEnv: ACME_REGISTRY_PASSWORD{rotated}}}
      ensure: {ensure}
    schedules:
      - {{name: nightly-app, daily: "02:00", repos: [app]}}
      - {{name: weekly-base, weekly: {{day: MONDAY, at: "03:00"}}, repos: [base]}}
  - registry: https://registry-1.docker.io
    manage:
      type: DockerHub
      dockerHubOrgName: acme
      credential: {{username: acmebot, passwordEnv: DOCKERHUB_PASSWORD}}
      ensure: {ensure}
    schedules:
      - {{name: hub-every-3, every: 3, repos: [acme/web]}}
"#
    );
    DesiredState::parse(
        &yaml,
        Format::Yaml,
        "registries.yaml",
        "2026-06-01T00:00:00Z".parse().unwrap(),
    )
    .unwrap()
}

/// A resolver over a map that the test changes (the process environment is shared by the
/// tests of this binary, so the env resolver is tested in the CLI suite).
fn resolver(password: Arc<Mutex<String>>) -> SharedSecretResolver {
    Arc::new(move |r: &SecretRef| -> Result<Secret, Error> {
        match r {
            SecretRef::PasswordEnv { name } if name == "ACME_REGISTRY_PASSWORD" => {
                Ok(Secret::new(password.lock().unwrap().clone()))
            }
            SecretRef::PasswordEnv { name } if name == "DOCKERHUB_PASSWORD" => {
                Ok(Secret::new(HUB_TOKEN))
            }
            other => Err(Error::config(other.key(), format!("{other} is not set"))),
        }
    })
}

fn registry_actions(p: &Plan) -> Vec<(String, Action)> {
    p.registries
        .iter()
        .map(|r| (r.registry.clone(), r.action))
        .collect()
}

async fn all_registries(client: &Client) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = client
        .list_registries_all(ListOptions::new())
        .collect_all()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.registry_uuid, r.registry_uri.unwrap_or_default()))
        .collect();
    v.sort();
    v
}

fn assert_no_secret(what: &str, text: &str) {
    for s in [PASSWORD_V1, PASSWORD_V2, HUB_TOKEN] {
        assert!(!text.contains(s), "{what} shows a secret:\n{text}");
    }
}

async fn two_managed_registries_from_nothing_to_gone(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let client = client_for(&emu).build().unwrap();
    let password = Arc::new(Mutex::new(PASSWORD_V1.to_owned()));
    let secrets = resolver(password.clone());
    let before = all_registries(&client).await;
    let demo_schedules_before = raw_schedules(&emu).await.len();
    clear_journal(&emu).await;

    // 1. From nothing: two registries, then three schedules.
    let d = state(None, "present");
    let p = client.plan(&d, PlanOptions::default()).await.unwrap();
    assert_eq!(
        registry_actions(&p),
        [
            ("registry.acme.example".to_owned(), Action::Create),
            ("https://registry-1.docker.io".to_owned(), Action::Create),
        ],
        "{}",
        p.render_text()
    );
    assert_eq!(p.summary().create, 3, "{}", p.render_text());
    let report = client
        .apply_with_secrets(&p, &ApplyOptions::default(), None, secrets.clone())
        .await;
    assert!(
        report.is_success(),
        "{}",
        serde_json::to_string_pretty(&report).unwrap()
    );
    assert_eq!(report.applied(), 5);
    assert_no_secret("the plan", &format!("{} {}", p.render_text(), p.to_json()));
    assert_no_secret("the apply report", &serde_json::to_string(&report).unwrap());
    let after = all_registries(&client).await;
    assert_eq!(after.len(), before.len() + 2);
    let acme = after
        .iter()
        .find(|(_, uri)| uri.contains("registry.acme.example"))
        .unwrap()
        .0
        .clone();
    let acme_id = RegistryId::parse(&acme).unwrap();
    let mut acme_schedules: Vec<String> = client
        .list_schedules_all(&acme_id, ListOptions::new())
        .collect_all()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    acme_schedules.sort();
    assert_eq!(acme_schedules, ["nightly-app", "weekly-base"]);
    // every registry write went before the first schedule write
    let j = journal(&emu).await;
    let writes = write_lines(&j);
    let first_schedule = writes.iter().position(|w| w.contains("/schedule")).unwrap();
    let registry_posts: Vec<usize> = writes
        .iter()
        .enumerate()
        .filter(|(_, w)| w.starts_with("POST") && w.ends_with("/registry"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(registry_posts.len(), 2, "{writes:#?}");
    assert!(
        registry_posts.iter().all(|i| *i < first_schedule),
        "{writes:#?}"
    );

    // 2. A second plan: the registries are unchanged, the password not compared (and said so).
    // Pruning touches only registries the file names: the demo registry keeps its schedules.
    let p = client.plan(&d, PlanOptions { prune: true }).await.unwrap();
    assert!(
        p.items
            .iter()
            .all(|i| i.action != Action::Delete && i.registry_id.as_deref() != Some(DEMO)),
        "{}",
        p.render_text()
    );
    assert_eq!(
        registry_actions(&p)
            .iter()
            .map(|(_, a)| *a)
            .collect::<Vec<_>>(),
        [Action::Unchanged, Action::Unchanged],
        "{}",
        p.render_text()
    );
    assert!(
        p.render_text()
            .contains("not compared, the server does not report credential.password")
    );
    if wire == WireProfile::Full {
        assert!(p.is_empty(), "{}", p.render_text());
    }

    // 3. The password changes and the file says when: exactly one registry update.
    *password.lock().unwrap() = PASSWORD_V2.to_owned();
    let details = client.get_registry(&acme_id).await.unwrap();
    let updated = details
        .registry
        .updated
        .expect("the emulator reports updated")
        .to_timestamp()
        .unwrap();
    // The rotation happened after the registry's last update (and before now).
    let rotated = (updated + std::time::Duration::from_millis(1)).to_string();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let d2 = state(Some(&rotated), "present");
    let p = client.plan(&d2, PlanOptions::default()).await.unwrap();
    assert_eq!(
        registry_actions(&p)
            .iter()
            .map(|(_, a)| *a)
            .collect::<Vec<_>>(),
        [Action::Update, Action::Unchanged],
        "{}",
        p.render_text()
    );
    let text = p.render_text();
    assert!(text.contains("credential changed (rotatedAt"), "{text}");
    assert_no_secret("the rotation plan", &text);
    clear_journal(&emu).await;
    let report = client
        .apply_with_secrets(&p, &ApplyOptions::default(), None, secrets.clone())
        .await;
    assert!(report.is_success());
    let j = journal(&emu).await;
    let puts: Vec<String> = write_lines(&j)
        .into_iter()
        .filter(|w| w.starts_with("PUT /csapi/v1.3/registry/") && !w.contains("/schedule"))
        .collect();
    assert_eq!(puts.len(), 1, "{puts:?}");
    // The emulator saw a changed credential (its revision counts changes, never values).
    // Rotating at a time before the update has no effect any more: converged.
    let p = client.plan(&d2, PlanOptions::default()).await.unwrap();
    assert!(
        p.registries.iter().all(|r| r.action == Action::Unchanged),
        "{}",
        p.render_text()
    );

    // 4. ensure: absent on both: three schedule deletes, then two registry deletes.
    clear_journal(&emu).await;
    let gone = state(None, "absent");
    let p = client.plan(&gone, PlanOptions::default()).await.unwrap();
    assert_eq!(
        registry_actions(&p)
            .iter()
            .map(|(_, a)| *a)
            .collect::<Vec<_>>(),
        [Action::Delete, Action::Delete],
        "{}",
        p.render_text()
    );
    assert_eq!(p.summary().delete, 3, "{}", p.render_text());
    let report = client
        .apply_with_secrets(&p, &ApplyOptions::default(), None, secrets.clone())
        .await;
    assert!(
        report.is_success(),
        "{}",
        serde_json::to_string_pretty(&report).unwrap()
    );
    let j = journal(&emu).await;
    let deletes: Vec<String> = write_lines(&j)
        .into_iter()
        .filter(|w| w.starts_with("DELETE"))
        .collect();
    assert_eq!(deletes.len(), 5, "{deletes:#?}");
    assert!(
        deletes[..3].iter().all(|w| w.contains("/schedule/")),
        "{deletes:#?}"
    );
    assert!(
        deletes[3..].iter().all(|w| !w.contains("/schedule")),
        "{deletes:#?}"
    );
    // Every registry the file does not name is still there, with its schedules.
    assert_eq!(all_registries(&client).await, before);
    assert_eq!(raw_schedules(&emu).await.len(), demo_schedules_before);
    // and a plan of the absent state is empty
    let p = client.plan(&gone, PlanOptions::default()).await.unwrap();
    assert!(p.is_empty(), "{}", p.render_text());

    // 5. The journal of the whole run never held a secret.
    clear_journal(&emu).await;
    let p = client.plan(&d, PlanOptions::default()).await.unwrap();
    client
        .apply_with_secrets(&p, &ApplyOptions::default(), None, secrets)
        .await;
    let j: Vec<Value> = journal(&emu).await;
    // The journal keeps request bodies (so the check below can fail), the credential masked.
    let create = j
        .iter()
        .find(|e| {
            e["method"] == "POST" && e["path"].as_str().is_some_and(|p| p.ends_with("/registry"))
        })
        .expect("the journal records the registry create");
    assert_eq!(
        create["bodyRedacted"]["registryUri"], "https://registry.acme.example",
        "{create}"
    );
    assert_eq!(create["bodyRedacted"]["credential"], "***", "{create}");
    assert_no_secret(
        "the emulator's journal",
        &serde_json::to_string(&j).unwrap(),
    );
}

async fn a_registry_that_cannot_be_created_fails_its_schedules_not_the_others(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let client = client_for(&emu).build().unwrap();
    // The emulator refuses a password that starts with "reject".
    let password = Arc::new(Mutex::new("reject-this-one".to_owned()));
    let d = state(None, "present");
    let p = client.plan(&d, PlanOptions::default()).await.unwrap();
    let report = client
        .apply_with_secrets(&p, &ApplyOptions::default(), None, resolver(password))
        .await;
    assert_eq!(report.registries[0].outcome, Outcome::Failed);
    assert_eq!(report.registries[1].outcome, Outcome::Applied);
    let failed: Vec<(&str, Outcome)> = report
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.outcome.clone()))
        .collect();
    assert_eq!(
        failed,
        [
            ("nightly-app", Outcome::Failed),
            ("weekly-base", Outcome::Failed),
            ("hub-every-3", Outcome::Applied)
        ]
    );
    let msg = report.items[0].error.as_ref().unwrap().to_string();
    assert!(
        msg.contains("its registry registry.acme.example could not be created"),
        "{msg}"
    );
    assert!(!msg.contains("reject-this-one"), "{msg}");

    // A missing secret names the variable, never a value, and creates nothing.
    let none: SharedSecretResolver = Arc::new(|r: &SecretRef| -> Result<Secret, Error> {
        Err(Error::config(r.key(), format!("{r} is not set")))
    });
    let p = client.plan(&d, PlanOptions::default()).await.unwrap();
    let report = client
        .apply_with_secrets(&p, &ApplyOptions::default(), None, none)
        .await;
    let e = report.registries[0].error.as_ref().unwrap().to_string();
    assert!(
        e.contains("environment variable ACME_REGISTRY_PASSWORD is not set"),
        "{e}"
    );
}

async fn dry_run_sends_nothing_and_shows_no_secret(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let client = client_for(&emu).build().unwrap();
    let d = state(None, "present");
    let p = client.plan(&d, PlanOptions::default()).await.unwrap();
    clear_journal(&emu).await;
    let report = client
        .apply_with_secrets(
            &p,
            &ApplyOptions {
                dry_run: true,
                ..Default::default()
            },
            None,
            resolver(Arc::new(Mutex::new(PASSWORD_V1.to_owned()))),
        )
        .await;
    assert!(writes(&journal(&emu).await).is_empty());
    assert!(
        report
            .registries
            .iter()
            .all(|r| r.outcome == Outcome::DryRun)
    );
    let shown = serde_json::to_string(&report).unwrap();
    assert_no_secret("a dry run", &shown);
    assert_eq!(report.registries[0].requests[0].method, "POST");
    assert_eq!(
        report.registries[0].requests[0].body.as_ref().unwrap()["credential"]["password"],
        "***"
    );
    assert!(
        report.items[0].requests[0]
            .path
            .contains("<id of new registry registry.acme.example>"),
        "{shown}"
    );
}

async fn a_registry_is_not_deleted_while_one_of_its_schedules_could_not_be(wire: WireProfile) {
    let emu = start(builder().wire(wire)).await;
    let client = client_for(&emu).build().unwrap();
    let secrets = resolver(Arc::new(Mutex::new(PASSWORD_V1.to_owned())));
    let p = client
        .plan(&state(None, "present"), PlanOptions::default())
        .await
        .unwrap();
    assert!(
        client
            .apply_with_secrets(&p, &ApplyOptions::default(), None, secrets.clone())
            .await
            .is_success()
    );
    let before = all_registries(&client).await;
    // The first schedule delete (nightly-app, of the acme registry) fails on every attempt
    // (the tests' retry policy makes 6).
    add_fault(
        &emu,
        serde_json::json!({"method": "DELETE", "path": "/csapi/v1.3/registry/*/schedule/*",
            "kind": "status", "status": 500, "stage": "before", "count": 6}),
    )
    .await;
    let p = client
        .plan(&state(None, "absent"), PlanOptions::default())
        .await
        .unwrap();
    let report = client
        .apply_with_secrets(
            &p,
            &ApplyOptions {
                concurrency: 1,
                ..Default::default()
            },
            None,
            secrets.clone(),
        )
        .await;
    let outcomes: Vec<(&str, Outcome)> = report
        .registries
        .iter()
        .map(|r| (r.registry.as_str(), r.outcome.clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("registry.acme.example", Outcome::Failed),
            ("https://registry-1.docker.io", Outcome::Applied)
        ]
    );
    let msg = report.registries[0].error.as_ref().unwrap().to_string();
    assert!(
        msg.contains("its schedule nightly-app could not be deleted first"),
        "{msg}"
    );
    assert_eq!(all_registries(&client).await.len(), before.len() - 1);
    // Applying again finishes the job.
    let p = client
        .plan(&state(None, "absent"), PlanOptions::default())
        .await
        .unwrap();
    assert!(
        client
            .apply_with_secrets(&p, &ApplyOptions::default(), None, secrets)
            .await
            .is_success()
    );
    assert_eq!(all_registries(&client).await.len(), before.len() - 2);
}
