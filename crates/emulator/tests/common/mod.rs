//! Helpers shared by the integration tests: start an emulator, log in, call routes.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use qualys_cs_emulator::{
    DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, EmulatorBuilder, EmulatorHandle,
};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

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

pub fn http() -> reqwest::Client {
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
}

pub fn schedules_path() -> String {
    format!("/csapi/v1.3/registry/{DEMO_REGISTRY_ID}/schedule")
}

pub fn on_demand(name: &str) -> Value {
    json!({"name": name, "onDemand": true, "filters": [{"days": null, "repoTags": [{"repo": "library/nginx", "tag": null}]}]})
}

pub fn daily(name: &str, time: &str) -> Value {
    json!({"name": name, "onDemand": false, "scheduleIntervalInDays": 1, "schedule": time,
           "filters": [{"days": 7, "repoTags": [{"repo": "team/app", "tag": "main,v1.1.0"}]}]})
}

/// Starts with the clock at [`t0`] unless the builder says otherwise, and logs in the demo user.
pub async fn start(b: EmulatorBuilder) -> Env {
    let emu = b.start().await.expect("emulator starts");
    let http = http();
    let token = login_ok(&http, emu.url(), DEMO_USER, DEMO_PASSWORD).await;
    Env { emu, http, token }
}

/// Clock at [`t0`] and tokens that outlive long clock advances.
pub fn long_lived() -> qualys_cs_emulator::EmulatorBuilder {
    qualys_cs_emulator::Emulator::builder()
        .clock_start(t0())
        .token_ttl(std::time::Duration::from_secs(1_000 * 86_400))
}

pub async fn start_default() -> Env {
    start(qualys_cs_emulator::Emulator::builder().clock_start(t0())).await
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

    pub async fn create(&self, body: &Value) -> String {
        let r = self.call(Method::POST, &schedules_path(), Some(body)).await;
        assert_eq!(r.status(), StatusCode::OK, "create {body}");
        let v: Value = r.json().await.unwrap();
        v["scheduleUuid"].as_str().unwrap().to_owned()
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
