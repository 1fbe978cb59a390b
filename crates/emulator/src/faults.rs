//! Injectable faults (`POST /_emulator/faults`): a status for the next N matching requests or
//! with a seeded probability, added latency, and a dropped connection, each before or after
//! the request is processed; plus the faults of spec §8 that really happen: a request
//! processed *after* the client gave up (`late`), and another client creating the same name
//! meanwhile (`twin`).

use crate::query::glob_match;
use serde::{Deserialize, Serialize};

/// What a rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Answer with `status` instead of (before) or in place of (after) the real answer.
    Status,
    /// Close the connection without an answer.
    Drop,
    /// Wait `latencyMs`, then process normally (a client that gives up first stops it).
    Latency,
    /// Process the request `latencyMs` later, **even when the client has gone**: the work runs
    /// apart from the connection, and the answer goes to the client if it is still waiting.
    Late,
    /// Before processing a matched schedule create, the emulator itself creates a schedule
    /// with the same name in the same registry (another client racing), then processes the
    /// request normally. See [`TwinMode`].
    Twin,
}

/// What the schedule made by a `twin` fault looks like.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TwinMode {
    /// Same name, same registry, on demand, repository `twin/other`.
    #[default]
    Different,
    /// The same body as the request.
    Identical,
}

/// When a status or drop fault strikes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// The request is NOT processed.
    #[default]
    Before,
    /// The request IS processed; then its answer is replaced or the connection closed.
    After,
}

/// A fault rule as posted (JSON, camelCase).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// HTTP method to match (any when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path glob (`*` = any characters); absent = any CS route (`/csapi/**`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What the rule does.
    pub kind: FaultKind,
    /// The status to answer (kind `status`): 429, 500, 502 or 503.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Before or after processing (kinds `status` and `drop`; default before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Added delay (kinds `latency` and `late`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Kind `twin`: what the other client's schedule looks like (default `different`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twin: Option<TwinMode>,
    /// The rule fires for the next `count` matching requests (default 1 without a
    /// probability, unlimited with one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Fire with this probability per matching request (0..=1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Seed of the probability draws (random when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// For status 429: `Retry-After` and `X-RateLimit-ToWait-Sec`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_sec: Option<u64>,
}

impl FaultRule {
    /// Checks the rule; the error names the field and the fix.
    pub fn check(&self) -> Result<(), String> {
        match self.kind {
            FaultKind::Status => match self.status {
                Some(429 | 500 | 502 | 503) => {}
                Some(s) => {
                    return Err(format!(
                        "status must be 429, 500, 502 or 503 for kind \"status\"; got {s}"
                    ));
                }
                None => {
                    return Err("kind \"status\" needs status (429, 500, 502 or 503)".to_owned());
                }
            },
            FaultKind::Latency => {
                if self.latency_ms.is_none() {
                    return Err("kind \"latency\" needs latencyMs (milliseconds to wait)".into());
                }
            }
            FaultKind::Late => {
                if self.latency_ms.is_none() {
                    return Err("kind \"late\" needs latencyMs (milliseconds after which the request is processed, whether or not the client still waits)".into());
                }
            }
            FaultKind::Drop | FaultKind::Twin => {}
        }
        let stage_ok = matches!(self.kind, FaultKind::Status | FaultKind::Drop);
        if self.stage.is_some() && !stage_ok {
            return Err(format!(
                "stage applies to kinds \"status\" and \"drop\" only; kind \"{}\" has no stage",
                self.kind.as_str()
            ));
        }
        if self.kind != FaultKind::Status && self.status.is_some() {
            return Err("status applies to kind \"status\" only".into());
        }
        if !matches!(self.kind, FaultKind::Latency | FaultKind::Late) && self.latency_ms.is_some() {
            return Err("latencyMs applies to kinds \"latency\" and \"late\" only".into());
        }
        if self.kind != FaultKind::Twin && self.twin.is_some() {
            return Err(
                "twin applies to kind \"twin\" only (\"different\" or \"identical\")".into(),
            );
        }
        if self.kind == FaultKind::Twin
            && let Some(m) = &self.method
            && !m.eq_ignore_ascii_case("POST")
        {
            return Err(format!(
                "kind \"twin\" fires on schedule creates (POST .../registry/{{id}}/schedule) only; method {m:?} never matches one"
            ));
        }
        if self.latency_ms.is_some_and(|ms| ms > 600_000) {
            return Err("latencyMs must be at most 600000 (10 minutes)".into());
        }
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("probability must be between 0 and 1; got {p}"));
        }
        if self.count == Some(0) {
            return Err("count must be at least 1 (omit it for the default)".into());
        }
        if self.seed.is_some() && self.probability.is_none() {
            return Err("seed applies only with probability".into());
        }
        if self.retry_after_sec.is_some() && self.status != Some(429) {
            return Err("retryAfterSec applies only to status 429".into());
        }
        if let Some(m) = &self.method
            && (m.is_empty() || !m.chars().all(|c| c.is_ascii_alphabetic()))
        {
            return Err(format!(
                "method must be an HTTP method such as POST; got {m:?}"
            ));
        }
        if let Some(p) = &self.path
            && !p.starts_with('/')
            && !p.starts_with('*')
        {
            return Err(format!(
                "path must be a path glob starting with '/' (e.g. /csapi/v1.3/registry/*/schedule); got {p:?}"
            ));
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        if self.kind == FaultKind::Twin && !is_schedule_create(method, path) {
            return false;
        }
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(method)
        {
            return false;
        }
        match &self.path {
            Some(p) => glob_match(p, path),
            None => path.starts_with("/csapi/"),
        }
    }
}

impl FaultKind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Status => "status",
            FaultKind::Drop => "drop",
            FaultKind::Latency => "latency",
            FaultKind::Late => "late",
            FaultKind::Twin => "twin",
        }
    }
}

/// True for `POST /csapi/v1.3/registry/{registryId}/schedule` (a schedule create).
pub fn is_schedule_create(method: &str, path: &str) -> bool {
    method.eq_ignore_ascii_case("POST") && schedule_create_registry(path).is_some()
}

/// The `{registryId}` of a schedule-create path (`/csapi/v1.3/registry/{id}/schedule`).
pub fn schedule_create_registry(path: &str) -> Option<&str> {
    let id = path
        .strip_prefix("/csapi/v1.3/registry/")?
        .strip_suffix("/schedule")?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// SplitMix64: a tiny, stable PRNG, so a seed gives the same draws in every version.
#[derive(Clone, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A stored rule with its counters.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveRule {
    /// Rule id.
    pub id: String,
    /// The rule as posted.
    #[serde(flatten)]
    pub rule: FaultRule,
    /// How many more times it may fire (`null` = unlimited).
    pub remaining: Option<u64>,
    /// Matching requests seen.
    pub matched: u64,
    /// Times it fired.
    pub fired: u64,
    #[serde(skip)]
    rng: Option<SplitMix64>,
}

/// What to do to one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Wait this long first.
    pub latency_ms: u64,
    /// Then process this much later, apart from the connection (kind `late`; 0 = no).
    pub late_ms: u64,
    /// Before processing, create a same-named schedule like this (kind `twin`).
    pub twin: Option<TwinMode>,
    /// Then this fault (none: process normally).
    pub action: Option<Action>,
    /// Ids of the rules that fired.
    pub rule_ids: Vec<String>,
}

/// A status or drop fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Answer with a status.
    Status {
        /// The status.
        status: u16,
        /// Before or after processing.
        stage: Stage,
        /// Retry-After for 429.
        retry_after_sec: Option<u64>,
    },
    /// Close the connection.
    Drop {
        /// Before or after processing.
        stage: Stage,
    },
}

/// The rule set.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<ActiveRule>,
    next_id: u64,
}

impl Faults {
    /// Adds a checked rule; returns its id.
    pub fn add(&mut self, rule: FaultRule) -> Result<String, String> {
        rule.check()?;
        self.next_id += 1;
        let id = format!("fault-{}", self.next_id);
        let remaining = match (rule.count, rule.probability) {
            (Some(n), _) => Some(n),
            (None, Some(_)) => None,
            (None, None) => Some(1),
        };
        let rng = rule
            .probability
            .map(|_| SplitMix64(rule.seed.unwrap_or_else(rand::random)));
        self.rules.push(ActiveRule {
            id: id.clone(),
            rule,
            remaining,
            matched: 0,
            fired: 0,
            rng,
        });
        Ok(id)
    }

    /// Every rule with its counters.
    pub fn list(&self) -> Vec<ActiveRule> {
        self.rules.clone()
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Decides what happens to a request. Latency and late rules add up; the first status or
    /// drop rule that fires wins, and so does the first twin rule (later ones are not
    /// consulted, so their draws are not used up).
    pub fn plan(&mut self, method: &str, path: &str) -> Plan {
        let mut plan = Plan::default();
        for r in &mut self.rules {
            let decided = match r.rule.kind {
                FaultKind::Latency | FaultKind::Late => false,
                FaultKind::Status | FaultKind::Drop => plan.action.is_some(),
                FaultKind::Twin => plan.twin.is_some(),
            };
            if decided {
                continue;
            }
            if r.remaining == Some(0) || !r.rule.matches(method, path) {
                continue;
            }
            r.matched += 1;
            let fire = match (&mut r.rng, r.rule.probability) {
                (Some(rng), Some(p)) => rng.next_f64() < p,
                _ => true,
            };
            if !fire {
                continue;
            }
            r.fired += 1;
            if let Some(n) = r.remaining.as_mut() {
                *n -= 1;
            }
            plan.rule_ids.push(r.id.clone());
            let stage = r.rule.stage.unwrap_or_default();
            match r.rule.kind {
                FaultKind::Latency => {
                    plan.latency_ms = plan
                        .latency_ms
                        .saturating_add(r.rule.latency_ms.unwrap_or(0));
                }
                FaultKind::Status => {
                    plan.action = Some(Action::Status {
                        status: r.rule.status.unwrap_or(503),
                        stage,
                        retry_after_sec: r.rule.retry_after_sec,
                    });
                }
                FaultKind::Drop => plan.action = Some(Action::Drop { stage }),
                FaultKind::Late => {
                    plan.late_ms = plan.late_ms.saturating_add(r.rule.latency_ms.unwrap_or(0));
                }
                FaultKind::Twin => plan.twin = Some(r.rule.twin.unwrap_or_default()),
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn rule(json: &str) -> FaultRule {
        serde_json::from_str(json).expect("rule")
    }

    #[test]
    fn count_rules_fire_for_the_next_n_matching_requests() {
        let mut f = Faults::default();
        f.add(rule(r#"{"kind":"status","status":503,"count":2,"method":"post","path":"/csapi/v1.3/registry/*/schedule"}"#))
            .expect("add");
        let p = "/csapi/v1.3/registry/r/schedule";
        assert_eq!(f.plan("GET", p).action, None);
        assert_eq!(f.plan("POST", "/auth").action, None);
        for _ in 0..2 {
            assert_eq!(
                f.plan("POST", p).action,
                Some(Action::Status {
                    status: 503,
                    stage: Stage::Before,
                    retry_after_sec: None
                })
            );
        }
        assert_eq!(f.plan("POST", p).action, None);
        assert_eq!(f.list()[0].fired, 2);
    }

    #[test]
    fn seeded_probability_is_reproducible_and_latency_adds_up() {
        let draws = |seed: u64| {
            let mut f = Faults::default();
            f.add(FaultRule {
                probability: Some(0.5),
                seed: Some(seed),
                ..rule(r#"{"kind":"drop","stage":"after"}"#)
            })
            .expect("add");
            (0..64)
                .map(|_| f.plan("GET", "/csapi/v1.3/registry").action.is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
        let hits = draws(7).iter().filter(|b| **b).count();
        assert!((16..=48).contains(&hits), "{hits}");

        let mut f = Faults::default();
        f.add(rule(r#"{"kind":"latency","latencyMs":30,"count":5}"#))
            .expect("a");
        f.add(rule(r#"{"kind":"latency","latencyMs":20}"#))
            .expect("b");
        let plan = f.plan("GET", "/csapi/v1.3/registry");
        assert_eq!(plan.latency_ms, 50);
        assert_eq!(plan.action, None);
        assert_eq!(f.plan("GET", "/csapi/v1.3/registry").latency_ms, 30);
    }

    #[test]
    fn bad_rules_are_refused_with_the_field_named() {
        for (json, want) in [
            (r#"{"kind":"status","status":404}"#, "status must be"),
            (r#"{"kind":"status"}"#, "needs status"),
            (r#"{"kind":"latency"}"#, "needs latencyMs"),
            (r#"{"kind":"drop","probability":2}"#, "probability"),
            (r#"{"kind":"drop","count":0}"#, "count"),
            (r#"{"kind":"drop","seed":1}"#, "seed"),
            (
                r#"{"kind":"status","status":500,"retryAfterSec":1}"#,
                "retryAfterSec",
            ),
            (r#"{"kind":"drop","path":"csapi"}"#, "path"),
            (r#"{"kind":"late"}"#, "needs latencyMs"),
            (r#"{"kind":"late","latencyMs":700000}"#, "at most 600000"),
            (
                r#"{"kind":"late","latencyMs":10,"stage":"after"}"#,
                "no stage",
            ),
            (
                r#"{"kind":"latency","latencyMs":10,"stage":"after"}"#,
                "no stage",
            ),
            (r#"{"kind":"twin","latencyMs":10}"#, "latencyMs applies"),
            (r#"{"kind":"twin","method":"GET"}"#, "schedule creates"),
            (r#"{"kind":"drop","twin":"identical"}"#, "twin applies"),
            (r#"{"kind":"twin","status":503}"#, "status applies"),
        ] {
            let e = rule(json).check().expect_err(json);
            assert!(e.contains(want), "{json}: {e}");
        }
        assert!(serde_json::from_str::<FaultRule>(r#"{"kind":"drop","bogus":1}"#).is_err());
        assert!(serde_json::from_str::<FaultRule>(r#"{"kind":"twin","twin":"same"}"#).is_err());
    }

    #[test]
    fn late_adds_up_and_twin_fires_on_schedule_creates_only() {
        let mut f = Faults::default();
        f.add(rule(r#"{"kind":"late","latencyMs":300}"#))
            .expect("late");
        f.add(rule(r#"{"kind":"twin","twin":"identical","count":2}"#))
            .expect("twin");
        f.add(rule(r#"{"kind":"twin"}"#)).expect("second twin");
        f.add(rule(r#"{"kind":"status","status":500,"stage":"after"}"#))
            .expect("status");
        let reg = "/csapi/v1.3/registry/d3e0c0de-5eed-4a11-9e57-0000000000d0";
        let list = f.plan("GET", &format!("{reg}/schedule"));
        assert_eq!(
            (list.late_ms, list.twin),
            (300, None),
            "a list is no create"
        );
        assert!(list.action.is_some());
        for path in [
            format!("{reg}/schedule/cancel"),
            format!("{reg}/schedule/x"),
        ] {
            assert_eq!(f.plan("POST", &path).twin, None, "{path}");
        }
        let create = f.plan("POST", &format!("{reg}/schedule"));
        assert_eq!(create.twin, Some(TwinMode::Identical));
        assert_eq!(create.late_ms, 0, "the late rule was used up");
        assert_eq!(create.action, None, "the status rule was used up");
        assert_eq!(
            f.plan("post", &format!("{reg}/schedule")).twin,
            Some(TwinMode::Identical)
        );
        assert_eq!(
            f.plan("POST", &format!("{reg}/schedule")).twin,
            Some(TwinMode::Different)
        );
        assert_eq!(f.plan("POST", &format!("{reg}/schedule")).twin, None);
        let listed = f.list();
        assert_eq!(
            listed[1].matched, 2,
            "only creates count as matches of a twin rule"
        );
        assert_eq!(
            schedule_create_registry("/csapi/v1.3/registry/a/b/schedule"),
            None
        );
    }
}
