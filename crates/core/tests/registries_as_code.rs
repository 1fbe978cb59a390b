//! Registries as code in the core (issue 17): the `manage:` block of a desired-state file and
//! the registry part of a plan. The client and CLI suites run the same against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use qualys_cs_core::desired::{DesiredState, Format};
use qualys_cs_core::plan::{Action, ActualRegistry, PlanOptions, plan, plan_with};
use qualys_cs_core::registry_state::{Ensure, RegistryPlanOptions, SecretRef, SecretResolver};
use qualys_cs_core::{Error, Registry, Schedule, Secret};
use serde_json::json;

const SECRET: &str = "Sup3r-Secret-Value-17";

fn reference() -> qualys_cs_core::jiff::Timestamp {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

fn parse(yaml: &str) -> Result<DesiredState, Error> {
    DesiredState::parse(yaml, Format::Yaml, "state.yaml", reference())
}

fn codes(e: &Error) -> Vec<(String, String)> {
    e.violations()
        .iter()
        .map(|v| (v.path.clone(), v.code.clone()))
        .collect()
}

const TWO_MANAGED: &str = r#"
version: 1
registries:
  - registry: registry.acme.example
    manage:
      type: V2_PRIVATE
      credential: {username: ci-bot, passwordEnv: ACME_REGISTRY_PASSWORD}
    schedules:
      - {name: nightly-app, daily: "02:00", repos: [app]}
      - {name: weekly-base, weekly: {day: MONDAY, at: "03:00"}, repos: [base]}
  - registry: https://registry-1.docker.io
    manage:
      type: DockerHub
      dockerHubOrgName: acme
      credential: {username: acmebot, tokenEnv: DOCKERHUB_TOKEN}
    schedules:
      - {name: hub-weekly, every: 3, repos: [acme/web], registryType: DockerHub}
"#;

#[test]
fn manage_blocks_parse_into_references_only() {
    let d = parse(TWO_MANAGED).unwrap();
    let m = d.registries[0].manage.as_ref().unwrap();
    assert_eq!(m.registry_type.as_str(), "V2_PRIVATE");
    assert_eq!(
        m.uri, "registry.acme.example",
        "uri defaults to the entry's registry"
    );
    assert_eq!(m.ensure, Ensure::Present);
    assert_eq!(
        m.secret_ref(),
        Some(&SecretRef::PasswordEnv {
            name: "ACME_REGISTRY_PASSWORD".into()
        })
    );
    assert_eq!(m.line, Some(5));
    let hub = d.registries[1].manage.as_ref().unwrap();
    assert!(hub.secret_ref().unwrap().is_token());
    // the token goes out as credential.accessToken
    let resolver = |_: &SecretRef| Ok::<_, Error>(Secret::new(SECRET));
    let req = hub.request_with(&resolver).unwrap();
    assert_eq!(req.to_wire_value()["credential"]["accessToken"], SECRET);
    assert!(req.to_wire_value()["credential"].get("password").is_none());
}

#[test]
fn a_literal_secret_is_an_error_naming_the_line_never_the_value() {
    let yaml = format!(
        "registries:\n  - registry: r.example\n    manage:\n      type: V2_PRIVATE\n      credential:\n        username: bot\n        password: {SECRET}\n"
    );
    let e = parse(&yaml).unwrap_err();
    assert_eq!(
        codes(&e),
        [(
            "/registries/0/manage/credential/password".into(),
            "literal_secret".into()
        )]
    );
    let text = e.to_string();
    assert!(text.contains("state.yaml:7:"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!format!("{e:?}").contains(SECRET));

    // a token too, and at the manage level
    let yaml = format!(
        "registries:\n  - registry: r.example\n    manage:\n      type: V2_PRIVATE\n      token: {SECRET}\n      credential: {{username: bot, passwordEnv: X}}\n"
    );
    let e = parse(&yaml).unwrap_err();
    assert_eq!(
        codes(&e),
        [("/registries/0/manage/token".into(), "literal_secret".into())]
    );
    assert!(!e.to_string().contains(SECRET));
}

#[test]
fn every_problem_of_a_manage_block_at_once_with_file_paths() {
    let yaml = r#"
registries:
  - registry: r1.example
    manage:
      type: dockerhub
      credential: {username: bot, passwordEnv: A, passwordFile: /run/secret}
      ensure: gone
  - registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com
    manage:
      type: AWS
      aws: {accountId: "1234", region: us-east-1, accountType: US_Gov}
  - registry: gcr.io
    manage: {type: GCP, connectorId: c-1, credential: {username: u, passwordEnv: "bad name"}}
  - registry: r4.example
    manage: {uri: "https://r4.example", type: V2, credential: {username: u, passwordEnv: P, rotatedAt: yesterday}, colour: blue}
"#;
    let e = parse(yaml).unwrap_err();
    let got = codes(&e);
    let want: Vec<(String, String)> = [
        ("/registries/0/manage/ensure", "invalid_ensure"),
        (
            "/registries/0/manage/credential/passwordFile",
            "conflicting_secret_refs",
        ),
        ("/registries/1/manage/aws/accountId", "invalid_account_id"),
        ("/registries/1/manage/aws/arn", "arn_required"),
        ("/registries/1/manage/aws/region", "region_not_gov_cloud"),
        (
            "/registries/2/manage/credential/passwordEnv",
            "invalid_secret_ref",
        ),
        ("/registries/3/manage/colour", "unknown_field"),
        (
            "/registries/3/manage/credential/rotatedAt",
            "invalid_rotated_at",
        ),
    ]
    .iter()
    .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
    .collect();
    assert_eq!(got, want, "{e}");
    // each names its line
    for v in e.violations() {
        assert!(v.message.starts_with("state.yaml:"), "{}", v.message);
    }
    // The misspelt type is caught once the rest of the block is right.
    let e = parse(
        "registries:\n  - registry: r1.example\n    manage: {type: dockerhub, credential: {username: u, passwordEnv: P}}\n",
    )
    .unwrap_err();
    assert_eq!(
        codes(&e),
        [(
            "/registries/0/manage/type".into(),
            "invalid_registry_type".into()
        )]
    );
    assert!(e.to_string().contains("did you mean DockerHub?"), "{e}");
}

#[test]
fn ensure_absent_needs_no_type() {
    let d = parse("registries:\n  - registry: r.example\n    manage: {ensure: absent}\n").unwrap();
    assert_eq!(
        d.registries[0].manage.as_ref().unwrap().ensure,
        Ensure::Absent
    );
}

fn registry(uuid: &str, uri: &str, typ: &str, extra: serde_json::Value) -> Registry {
    let mut v = json!({"registryUuid": uuid, "registryUri": uri, "registryType": typ,
        "updated": "1780000000000"});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

fn schedule(uuid: &str, name: &str, status: &str) -> Schedule {
    serde_json::from_value(
        json!({"scheduleUuid": uuid, "name": name, "onDemand": false,
        "scheduleIntervalInDays": 1, "schedule": "02:00", "status": status,
        "filters": [{"repoTags": [{"repo": "app"}]}]}),
    )
    .unwrap()
}

const R1: &str = "11111111-1111-4111-8111-111111111111";
const R2: &str = "22222222-2222-4222-8222-222222222222";
const OTHER: &str = "33333333-3333-4333-8333-333333333333";

#[test]
fn from_nothing_registries_are_created_and_their_schedules_follow() {
    let d = parse(TWO_MANAGED).unwrap();
    let unrelated = ActualRegistry {
        registry: registry(OTHER, "https://other.example", "V2", json!({})),
        schedules: vec![schedule(
            "44444444-4444-4444-8444-444444444444",
            "x",
            "Completed",
        )],
    };
    let p = plan(&d, &[unrelated], PlanOptions { prune: true });
    let regs: Vec<_> = p
        .registries
        .iter()
        .map(|r| (r.registry.as_str(), r.action))
        .collect();
    assert_eq!(
        regs,
        [
            ("registry.acme.example", Action::Create),
            ("https://registry-1.docker.io", Action::Create)
        ]
    );
    assert_eq!(p.items.len(), 3);
    assert!(
        p.items
            .iter()
            .all(|i| i.action == Action::Create && i.registry_id.is_none())
    );
    let text = p.render_text();
    assert!(
        text.starts_with("registries:\n"),
        "registry actions come first:\n{text}"
    );
    assert!(text.contains("Registries: 2 to create"), "{text}");
    assert!(text.contains("Plan: 3 to create"), "{text}");
    // the unrelated registry is not in the plan at all
    assert!(!text.contains("other.example"), "{text}");
    assert!(!text.contains(OTHER));
}

fn existing_two(username: &str) -> Vec<ActualRegistry> {
    vec![
        ActualRegistry {
            registry: registry(
                R1,
                "registry.acme.example",
                "V2_PRIVATE",
                json!({"credential": {"username": username}, "credentialType": "BasicAuth"}),
            ),
            schedules: vec![],
        },
        ActualRegistry {
            registry: registry(
                R2,
                "https://registry-1.docker.io",
                "DockerHub",
                json!({"credential": {"username": "acmebot"}, "dockerHubOrg": "acme"}),
            ),
            schedules: vec![],
        },
    ]
}

#[test]
fn a_registry_as_reported_is_unchanged_and_says_what_it_could_not_compare() {
    let d = parse(TWO_MANAGED).unwrap();
    let p = plan(&d, &existing_two("ci-bot"), PlanOptions::default());
    for r in &p.registries {
        assert_eq!(r.action, Action::Unchanged, "{}", p.render_text());
    }
    assert_eq!(p.registries[0].unverified, ["credential.password"]);
    assert_eq!(p.registries[1].unverified, ["credential.accessToken"]);
    assert!(
        p.render_text()
            .contains("not compared, the server does not report credential.password")
    );
}

#[test]
fn a_changed_username_is_one_credential_update_without_values() {
    let d = parse(TWO_MANAGED).unwrap();
    let p = plan(&d, &existing_two("old-bot"), PlanOptions::default());
    let actions: Vec<_> = p.registries.iter().map(|r| r.action).collect();
    assert_eq!(actions, [Action::Update, Action::Unchanged]);
    let c = &p.registries[0].changes;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].field, "credential");
    let text = p.render_text();
    assert!(text.contains("credential changed (username)"), "{text}");
    assert!(!text.contains("old-bot"), "{text}");
}

#[test]
fn a_declared_rotation_later_than_the_last_update_is_an_update_then_converges() {
    // updated = 1780000000000 = 2026-05-28T20:26:40Z
    let yaml = TWO_MANAGED.replace(
        "passwordEnv: ACME_REGISTRY_PASSWORD}",
        "passwordEnv: ACME_REGISTRY_PASSWORD, rotatedAt: \"2026-05-30T00:00:00Z\"}",
    );
    let d = parse(&yaml).unwrap();
    let p = plan(&d, &existing_two("ci-bot"), PlanOptions::default());
    let actions: Vec<_> = p.registries.iter().map(|r| r.action).collect();
    assert_eq!(actions, [Action::Update, Action::Unchanged]);
    assert!(p.render_text().contains("credential changed (rotatedAt"));
    // after the update the server's `updated` is later: no change any more
    let mut after = existing_two("ci-bot");
    after[0].registry.updated = Some(qualys_cs_core::Millis(1_790_000_000_000));
    let p = plan(&d, &after, PlanOptions::default());
    assert!(
        p.registries.iter().all(|r| r.action == Action::Unchanged),
        "{}",
        p.render_text()
    );
}

#[test]
fn update_credentials_sends_every_managed_secret_once() {
    let d = parse(TWO_MANAGED).unwrap();
    let p = plan_with(
        &d,
        &existing_two("ci-bot"),
        PlanOptions::default(),
        &RegistryPlanOptions {
            update_credentials: true,
        },
    );
    let actions: Vec<_> = p.registries.iter().map(|r| r.action).collect();
    assert_eq!(actions, [Action::Update, Action::Update]);
}

#[test]
fn ensure_absent_deletes_every_schedule_then_the_registry_and_nothing_else() {
    let yaml = TWO_MANAGED.replace("type: V2_PRIVATE", "type: V2_PRIVATE\n      ensure: absent");
    let d = parse(&yaml).unwrap();
    let mut actual = existing_two("ci-bot");
    actual[0].schedules = vec![
        schedule(
            "55555555-5555-4555-8555-555555555555",
            "nightly-app",
            "Completed",
        ),
        schedule(
            "66666666-6666-4666-8666-666666666666",
            "not-in-file",
            "Completed",
        ),
    ];
    actual.push(ActualRegistry {
        registry: registry(OTHER, "https://other.example", "V2", json!({})),
        schedules: vec![schedule(
            "77777777-7777-4777-8777-777777777777",
            "x",
            "Completed",
        )],
    });
    let p = plan(&d, &actual, PlanOptions::default());
    let regs: Vec<_> = p.registries.iter().map(|r| r.action).collect();
    assert_eq!(regs, [Action::Delete, Action::Unchanged]);
    let items: Vec<_> = p
        .items
        .iter()
        .map(|i| (i.registry_id.as_deref(), i.name.as_str(), i.action))
        .collect();
    assert_eq!(
        items,
        [
            (Some(R1), "nightly-app", Action::Delete),
            (Some(R1), "not-in-file", Action::Delete),
            (Some(R2), "hub-weekly", Action::Create),
        ]
    );

    // a Running schedule blocks the registry's delete
    actual[0].schedules[0] = schedule(
        "55555555-5555-4555-8555-555555555555",
        "nightly-app",
        "Running",
    );
    let p = plan(&d, &actual, PlanOptions::default());
    assert_eq!(p.registries[0].action, Action::Skip);
    assert!(
        p.registries[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("nightly-app is running")
    );

    // absent and already gone: nothing to do
    let p = plan(&d, &actual[1..], PlanOptions::default());
    assert_eq!(p.registries[0].action, Action::Unchanged);
    assert!(p.items.iter().all(|i| i.registry_id.as_deref() != Some(R1)));
}

#[test]
fn a_registry_of_another_type_is_skipped_not_replaced() {
    let d = parse(TWO_MANAGED).unwrap();
    let mut actual = existing_two("ci-bot");
    actual[0].registry.registry_type = Some("V2".into());
    let p = plan(&d, &actual, PlanOptions::default());
    assert_eq!(p.registries[0].action, Action::Skip);
    assert!(
        p.registries[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("registryType V2")
    );
}

#[test]
fn plans_and_resolution_errors_never_hold_a_secret() {
    let d = parse(TWO_MANAGED).unwrap();
    let p = plan(&d, &[], PlanOptions::default());
    let shown = format!("{} {} {:?}", p.render_text(), p.to_json(), p);
    assert!(!shown.contains(SECRET));
    // what a resolver error says is the reference, never a value
    let resolver = |r: &SecretRef| -> Result<Secret, Error> {
        Err(Error::config(r.key(), format!("{r} is not set")))
    };
    let e = d.registries[0]
        .manage
        .as_ref()
        .unwrap()
        .request_with(&resolver as &dyn SecretResolver)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("environment variable ACME_REGISTRY_PASSWORD is not set"),
        "{e}"
    );
    // a blank secret is refused by the registry rules, without echoing anything
    let blank = |_: &SecretRef| Ok::<_, Error>(Secret::new("  "));
    let e = d.registries[0]
        .manage
        .as_ref()
        .unwrap()
        .request_with(&blank)
        .unwrap_err();
    assert_eq!(e.violations()[0].code, "password_required");
}

#[test]
fn request_warnings_come_back_at_manage_paths_with_their_line() {
    let d = parse(
        "registries:\n  - registry: r.example\n    manage:\n      type: V2_PRIVATE\n      connectorId: c-1\n      credential: {username: u, passwordEnv: P}\n",
    )
    .unwrap();
    let w: Vec<(&str, &str)> = d
        .warnings
        .iter()
        .map(|v| (v.path.as_str(), v.code.as_str()))
        .collect();
    assert_eq!(
        w,
        [("/registries/0/manage/connectorId", "field_not_for_type")]
    );
    assert!(
        d.warnings[0].message.starts_with("state.yaml:5:"),
        "{}",
        d.warnings[0].message
    );

    // the registry URI's rules point at manage/uri
    let e = parse(
        "registries:\n  - registry: r.example\n    manage: {type: V2, uri: \"ftp://r.example\"}\n",
    )
    .unwrap_err();
    assert_eq!(
        codes(&e),
        [(
            "/registries/0/manage/uri".into(),
            "invalid_registry_uri".into()
        )]
    );
}
