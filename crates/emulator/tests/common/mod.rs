//! Helpers shared by the integration tests: start an emulator, log in, call routes; and the
//! macros that run each test against both wire profiles.
#![allow(dead_code, unused_macros, clippy::unwrap_used, clippy::expect_used)]

use qualys_cs_emulator::{
    DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator, EmulatorBuilder, EmulatorHandle,
    WireProfile,
};
use reqwest::{Method, Response, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

/// Runs each `async fn name(wire: WireProfile)` of the file once per profile, as
/// `full::name` and `oas2021::name`.
macro_rules! wire_tests {
    ($($name:ident),* $(,)?) => {
        mod full {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(qualys_cs_emulator::WireProfile::Full).await
                }
            )*
        }
        mod oas2021 {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(qualys_cs_emulator::WireProfile::Oas2021).await
                }
            )*
        }
    };
}

/// [`wire_tests`] for plain (non-async) `fn name(wire: WireProfile)`.
macro_rules! wire_tests_blocking {
    ($($name:ident),* $(,)?) => {
        mod full_blocking {
            $(
                #[test]
                fn $name() {
                    super::$name(qualys_cs_emulator::WireProfile::Full)
                }
            )*
        }
        mod oas2021_blocking {
            $(
                #[test]
                fn $name() {
                    super::$name(qualys_cs_emulator::WireProfile::Oas2021)
                }
            )*
        }
    };
}

/// 2026-01-01T00:00:00Z, a Thursday.
pub fn t0() -> jiff::Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

pub fn ms(rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond()
        .to_string()
}

/// A `created`/`updated` value (epoch-ms string) is a stamp of the emulator clock: the clock's
/// now at `rfc3339` plus the real time the test has run since the clock last moved, so it is
/// at or after `rfc3339` and well within a minute of it.
pub fn assert_stamp(v: &Value, rfc3339: &str) {
    let at: i64 = ms(rfc3339).parse().unwrap();
    let got: i64 = v
        .as_str()
        .unwrap_or_else(|| panic!("a stamp is an epoch-ms string: {v}"))
        .parse()
        .unwrap();
    assert!(
        (at..at + 60_000).contains(&got),
        "stamp {got} is not within a minute after {rfc3339} ({at})"
    );
}

pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap()
}

pub struct Env {
    pub emu: EmulatorHandle,
    pub http: reqwest::Client,
    pub token: String,
    pub wire: WireProfile,
}

pub fn schedules_path() -> String {
    format!("/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/schedule")
}

/// An on-demand body valid in both profiles (absent `days`/`tag` are omitted, not null).
pub fn on_demand(name: &str) -> Value {
    json!({"name": name, "onDemand": true, "filters": [{"repoTags": [{"repo": "library/nginx"}]}]})
}

pub fn daily(name: &str, time: &str) -> Value {
    json!({"name": name, "onDemand": false, "scheduleIntervalInDays": 1, "schedule": time,
           "filters": [{"days": 7, "repoTags": [{"repo": "team/app", "tag": "main,v1.1.0"}]}]})
}

/// Starts the builder's emulator and logs in the demo user.
pub async fn start(b: EmulatorBuilder) -> Env {
    let emu = b.start().await.expect("emulator starts");
    let http = http();
    let token = login_ok(&http, emu.url(), DEMO_USER, DEMO_PASSWORD).await;
    let wire = emu.wire();
    Env {
        emu,
        http,
        token,
        wire,
    }
}

/// Clock at [`t0`], this wire profile.
pub fn builder(wire: WireProfile) -> EmulatorBuilder {
    Emulator::builder().clock_start(t0()).wire(wire)
}

/// Clock at [`t0`] and tokens that outlive long clock advances.
pub fn long_lived(wire: WireProfile) -> EmulatorBuilder {
    builder(wire).token_ttl(std::time::Duration::from_secs(1_000 * 86_400))
}

pub async fn start_default(wire: WireProfile) -> Env {
    start(builder(wire)).await
}

/// The top-level keys of each item of a `{count, data: [...]}` answer, in order and with
/// duplicates kept (a `Value` would silently merge duplicate keys).
pub fn item_keys(page_text: &str) -> Vec<Vec<String>> {
    #[derive(Deserialize)]
    struct P {
        data: Vec<Keys>,
    }
    serde_json::from_str::<P>(page_text)
        .unwrap()
        .data
        .into_iter()
        .map(|k| k.0)
        .collect()
}

/// The top-level keys of one JSON object, in order, duplicates kept.
pub fn object_keys(text: &str) -> Vec<String> {
    serde_json::from_str::<Keys>(text).unwrap().0
}

pub struct Keys(pub Vec<String>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    m.next_value::<serde::de::IgnoredAny>()?;
                    keys.push(k);
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(V)
    }
}

/// Sorted, for comparing key sets.
pub fn sorted(keys: &[impl AsRef<str>]) -> Vec<String> {
    let mut v: Vec<String> = keys.iter().map(|k| k.as_ref().to_owned()).collect();
    v.sort();
    v
}

/// Every `null` inside a value, as JSON pointers (the Oas2021 shape sends none).
pub fn nulls(v: &Value) -> Vec<String> {
    fn go(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Null => out.push(at),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| go(x, format!("{at}/{i}"), out)),
            Value::Object(m) => m.iter().for_each(|(k, x)| go(x, format!("{at}/{k}"), out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    go(v, String::new(), &mut out);
    out
}

pub async fn login(http: &reqwest::Client, base: &str, user: &str, pw: &str) -> Response {
    http.post(format!("{base}/auth"))
        .form(&[("username", user), ("password", pw), ("token", "true")])
        .send()
        .await
        .unwrap()
}

pub async fn login_ok(http: &reqwest::Client, base: &str, user: &str, pw: &str) -> String {
    let r = login(http, base, user, pw).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.text().await.unwrap()
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.url())
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut rb = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            rb = rb.json(b);
        }
        rb.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.call(Method::GET, path, None).await
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.json().await.unwrap()
    }

    pub fn oas(&self) -> bool {
        self.wire == WireProfile::Oas2021
    }

    /// Creates; checks the answer has the profile's shape (Full: `{"scheduleUuid": id}`,
    /// Oas2021: the id as a bare JSON string); returns the id.
    pub async fn create(&self, body: &Value) -> String {
        let r = self.call(Method::POST, &schedules_path(), Some(body)).await;
        assert_eq!(r.status(), StatusCode::OK, "create {body}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let v: Value = r.json().await.unwrap();
        let id = match self.wire {
            WireProfile::Oas2021 => v.as_str().unwrap_or_else(|| panic!("{v}")).to_owned(),
            WireProfile::Full => {
                assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
                v["scheduleUuid"].as_str().unwrap().to_owned()
            }
        };
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        id
    }

    /// Lists the demo registry's schedules with a query string (without '?').
    pub async fn list(&self, query: &str) -> Value {
        self.get_json(&format!("{}?{query}", schedules_path()))
            .await
    }

    pub async fn schedule(&self, id: &str) -> Value {
        let page = self.list(&format!("filter=scheduleUuid:{id}")).await;
        assert_eq!(page["count"], 1, "{page}");
        page["data"][0].clone()
    }

    pub async fn status_of(&self, id: &str) -> String {
        self.schedule(id).await["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut rb = self.http.request(method, self.url(path));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        rb.send().await.unwrap()
    }

    pub async fn advance(&self, seconds: f64) -> Value {
        let r = self
            .control(
                Method::POST,
                "/_emulator/clock/advance",
                Some(json!({"seconds": seconds})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    pub async fn fault(&self, rule: Value) -> String {
        let r = self
            .control(Method::POST, "/_emulator/faults", Some(rule))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn raw_count(&self) -> usize {
        let r = self
            .control(Method::GET, "/_emulator/schedules", None)
            .await;
        r.json::<Value>().await.unwrap().as_array().unwrap().len()
    }
}

/// Asserts a Qualys error body and returns its message.
pub async fn qualys_error(r: Response, status: StatusCode) -> String {
    assert_eq!(r.status(), status);
    let v: Value = r.json().await.unwrap();
    let code = v["errorCode"].as_str().unwrap();
    assert!(code.starts_with(&status.as_u16().to_string()), "{v}");
    assert!(v["timestamp"].is_i64(), "{v}");
    v["message"].as_str().unwrap().to_owned()
}
