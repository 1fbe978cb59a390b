//! [`ClientConfig`]: every client setting in one plain value, read from a JSON-like map.
//!
//! This is the one place the settings are named. The Python binding passes its keyword
//! arguments here, the Node binding its options object, and Rust programs may read a file into
//! a `serde_json::Value` and do the same. Each language sees the names in its own casing and
//! durations in its own unit ([`KeyStyle`]); an unknown key is an error naming the key and the
//! nearest valid one.

use crate::config::{ClientBuilder, CreateRecovery, RateLimitPolicy, RetryPolicy};
use crate::platform::Platform;
use crate::secret::Secret;
use qualys_cs_core::Error;
use qualys_cs_core::validate::suggest;
use serde_json::{Map, Value};
use std::time::Duration;

/// How a language spells the settings: key casing and the unit of durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyStyle {
    /// `snake_case` keys, durations as seconds (a float): Rust files, Python
    /// (`request_timeout=2.5`).
    SnakeSeconds,
    /// `camelCase` keys, durations in milliseconds with an `Ms` suffix: JavaScript
    /// (`requestTimeoutMs: 2500`).
    CamelMillis,
}

/// Every setting of a [`Client`](crate::Client), all optional (unset = the builder's default).
///
/// Build one from a map with [`ClientConfig::from_json`], then a client with
/// [`ClientBuilder::from_config`]. `Debug` never prints the password or the token.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The Qualys platform (`US2`, `EU1`, … case-insensitive).
    pub platform: Option<Platform>,
    /// The gateway base URL; wins over `platform`.
    pub gateway_url: Option<String>,
    /// Username (with `password`).
    pub username: Option<String>,
    /// Password (with `username`).
    pub password: Option<Secret>,
    /// A ready token (JWT).
    pub token: Option<Secret>,
    /// Timeout to establish a connection.
    pub connect_timeout: Option<Duration>,
    /// Timeout of one HTTP request, answer included.
    pub request_timeout: Option<Duration>,
    /// Proxy URL instead of the environment's.
    pub proxy: Option<String>,
    /// `true`: no proxy at all, whatever the environment says.
    pub no_proxy: Option<bool>,
    /// Extra CA certificates (PEM texts) trusted on top of the system's.
    pub root_certificates: Vec<String>,
    /// Appended to the `User-Agent` header.
    pub user_agent_suffix: Option<String>,
    /// Retry settings (unset fields keep their defaults).
    pub retry: Option<RetryPolicy>,
    /// Rate-limit settings (unset fields keep their defaults).
    pub rate_limit: Option<RateLimitPolicy>,
    /// Duplicate protection of retried creates.
    pub create_recovery: Option<CreateRecovery>,
    /// How long to look for a create the server may still be making.
    pub create_settle_window: Option<Duration>,
    /// Allow plain `http://` to a non-loopback gateway.
    pub allow_insecure_http: Option<bool>,
}

/// One setting: its snake_case name, and whether it is a duration.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Secret,
    Bool,
    Duration,
    Count,
    Pems,
    Nested,
    Platform,
    Recovery,
}

const TOP: &[(&str, Kind)] = &[
    ("platform", Kind::Platform),
    ("gateway_url", Kind::Text),
    ("username", Kind::Text),
    ("password", Kind::Secret),
    ("token", Kind::Secret),
    ("connect_timeout", Kind::Duration),
    ("request_timeout", Kind::Duration),
    ("proxy", Kind::Text),
    ("no_proxy", Kind::Bool),
    ("root_certificates", Kind::Pems),
    ("user_agent_suffix", Kind::Text),
    ("retry", Kind::Nested),
    ("rate_limit", Kind::Nested),
    ("create_recovery", Kind::Recovery),
    ("create_settle_window", Kind::Duration),
    ("allow_insecure_http", Kind::Bool),
];

const RETRY: &[(&str, Kind)] = &[
    ("max_attempts", Kind::Count),
    ("base_delay", Kind::Duration),
    ("max_delay", Kind::Duration),
    ("max_elapsed", Kind::Duration),
];

const RATE_LIMIT: &[(&str, Kind)] = &[
    ("max_concurrency", Kind::Count),
    ("initial_limit", Kind::Count),
    ("initial_window", Kind::Duration),
    ("enabled", Kind::Bool),
];

/// The wire names of [`CreateRecovery`] in settings.
pub const CREATE_RECOVERY_NAMES: [&str; 3] = ["creation_cutoff", "snapshot", "assume_unique_names"];

impl KeyStyle {
    /// The name a language uses for a snake_case setting of the given kind.
    fn spell(self, snake: &str, kind: Kind) -> String {
        match self {
            KeyStyle::SnakeSeconds => snake.to_owned(),
            KeyStyle::CamelMillis => {
                let mut out = String::with_capacity(snake.len() + 2);
                let mut upper = false;
                for c in snake.chars() {
                    if c == '_' {
                        upper = true;
                    } else if upper {
                        out.push(c.to_ascii_uppercase());
                        upper = false;
                    } else {
                        out.push(c);
                    }
                }
                if kind == Kind::Duration {
                    out.push_str("Ms");
                }
                out
            }
        }
    }

    fn unit(self) -> &'static str {
        match self {
            KeyStyle::SnakeSeconds => "seconds",
            KeyStyle::CamelMillis => "milliseconds",
        }
    }

    fn example(self) -> &'static str {
        match self {
            KeyStyle::SnakeSeconds => "2.5",
            KeyStyle::CamelMillis => "2500",
        }
    }

    /// Spells a setting path the builder reports (`request_timeout`, `retry.max_attempts`)
    /// in this style (`requestTimeoutMs`, `retry.maxAttempts`). Unknown segments are
    /// re-cased only.
    pub fn spell_path(self, path: &str) -> String {
        let mut table = TOP.to_vec();
        table.extend_from_slice(RETRY);
        table.extend_from_slice(RATE_LIMIT);
        path.split('.')
            .map(|seg| {
                // An environment variable (`QUALYS_PLATFORM`) keeps its name.
                if seg.chars().any(|c| c.is_ascii_uppercase()) {
                    return seg.to_owned();
                }
                let kind = table
                    .iter()
                    .find(|(n, _)| *n == seg)
                    .map_or(Kind::Text, |(_, k)| *k);
                self.spell(seg, kind)
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The same error with a `config` error's setting name spelled in this style.
    pub fn localize(self, err: Error) -> Error {
        match err {
            Error::Config { field, message } => Error::config(self.spell_path(&field), message),
            other => other,
        }
    }

    /// The names of every top-level setting in this style, in documentation order.
    pub fn names(self) -> Vec<String> {
        TOP.iter().map(|(n, k)| self.spell(n, *k)).collect()
    }
}

struct Reader<'a> {
    style: KeyStyle,
    prefix: &'a str,
}

impl Reader<'_> {
    fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// Pairs every present, non-null key of `map` with its snake_case name; unknown keys fail.
    fn entries<'m>(
        &self,
        map: &'m Map<String, Value>,
        table: &[(&'static str, Kind)],
    ) -> Result<Vec<(&'static str, Kind, String, &'m Value)>, Error> {
        let spelled: Vec<(String, &'static str, Kind)> = table
            .iter()
            .map(|(n, k)| (self.style.spell(n, *k), *n, *k))
            .collect();
        let mut out = Vec::new();
        for (key, value) in map {
            let Some((shown, snake, kind)) = spelled.iter().find(|(s, _, _)| s == key) else {
                let names: Vec<&str> = spelled.iter().map(|(s, _, _)| s.as_str()).collect();
                let hint = suggest(key, &names)
                    .map(|n| format!("did you mean {n}? "))
                    .unwrap_or_default();
                return Err(Error::config(
                    self.path(key),
                    format!(
                        "{:?} is not a setting; {hint}the settings are {}",
                        qualys_cs_core::error::truncate_for_message(key, 40),
                        names.join(", ")
                    ),
                ));
            };
            if value.is_null() {
                continue;
            }
            out.push((*snake, *kind, self.path(shown), value));
        }
        Ok(out)
    }

    fn text(&self, path: &str, v: &Value, what: &str) -> Result<String, Error> {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::config(path, format!("must be {what}, not {}", kind_of(v))))
    }

    fn boolean(&self, path: &str, v: &Value) -> Result<bool, Error> {
        v.as_bool().ok_or_else(|| {
            Error::config(path, format!("must be true or false, not {}", kind_of(v)))
        })
    }

    fn duration(&self, path: &str, v: &Value) -> Result<Duration, Error> {
        let unit = self.style.unit();
        let n = v.as_f64().ok_or_else(|| {
            Error::config(
                path,
                format!(
                    "must be a number of {unit} (e.g. {}), not {}",
                    self.style.example(),
                    kind_of(v)
                ),
            )
        })?;
        let secs = match self.style {
            KeyStyle::SnakeSeconds => n,
            KeyStyle::CamelMillis => n / 1000.0,
        };
        Duration::try_from_secs_f64(secs).map_err(|_| {
            Error::config(
                path,
                format!("must be a number of {unit}, 0 or more; got {n}"),
            )
        })
    }

    fn count(&self, path: &str, v: &Value) -> Result<u64, Error> {
        let bad = || {
            Error::config(
                path,
                format!("must be a whole number, 0 or more; got {}", short(v)),
            )
        };
        if let Some(n) = v.as_u64() {
            return Ok(n);
        }
        // JavaScript numbers arrive as floats.
        match v.as_f64() {
            Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= u32::MAX as f64 => Ok(f as u64),
            _ => Err(bad()),
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn short(v: &Value) -> String {
    qualys_cs_core::error::truncate_for_message(&v.to_string(), 40)
}

fn small(path: &str, n: u64) -> Result<u32, Error> {
    u32::try_from(n).map_err(|_| Error::config(path, format!("{n} is too large")))
}

impl ClientConfig {
    /// Reads settings from a JSON object spelled in `style`. `null` values count as unset.
    ///
    /// Fails with a `config` error naming the setting (in `style`'s spelling) and the fix: an
    /// unknown key (with the nearest valid one), a wrong type, a negative duration, an unknown
    /// platform or create-recovery mode.
    pub fn from_json(value: &Value, style: KeyStyle) -> Result<Self, Error> {
        let map = match value {
            Value::Null => return Ok(Self::default()),
            Value::Object(m) => m,
            other => {
                return Err(Error::config(
                    "options",
                    format!("must be an object of settings, not {}", kind_of(other)),
                ));
            }
        };
        let r = Reader { style, prefix: "" };
        let mut c = ClientConfig::default();
        for (name, kind, path, v) in r.entries(map, TOP)? {
            match (name, kind) {
                (_, Kind::Platform) => {
                    let text = r.text(&path, v, "a platform name such as \"US2\"")?;
                    c.platform = Some(text.parse::<Platform>().map_err(|e| match e {
                        Error::Config { message, .. } => Error::config(path.clone(), message),
                        other => other,
                    })?);
                }
                ("gateway_url", _) => c.gateway_url = Some(r.text(&path, v, "a URL")?),
                ("username", _) => c.username = Some(r.text(&path, v, "a string")?),
                ("password", _) => c.password = Some(Secret::new(r.text(&path, v, "a string")?)),
                ("token", _) => c.token = Some(Secret::new(r.text(&path, v, "a string")?)),
                ("connect_timeout", _) => c.connect_timeout = Some(r.duration(&path, v)?),
                ("request_timeout", _) => c.request_timeout = Some(r.duration(&path, v)?),
                ("create_settle_window", _) => c.create_settle_window = Some(r.duration(&path, v)?),
                ("proxy", _) => c.proxy = Some(r.text(&path, v, "a proxy URL")?),
                ("no_proxy", _) => c.no_proxy = Some(r.boolean(&path, v)?),
                ("allow_insecure_http", _) => c.allow_insecure_http = Some(r.boolean(&path, v)?),
                ("user_agent_suffix", _) => {
                    c.user_agent_suffix = Some(r.text(&path, v, "a string")?)
                }
                (_, Kind::Pems) => {
                    c.root_certificates = match v {
                        Value::String(s) => vec![s.clone()],
                        Value::Array(items) => items
                            .iter()
                            .enumerate()
                            .map(|(i, x)| r.text(&format!("{path}[{i}]"), x, "PEM text"))
                            .collect::<Result<_, _>>()?,
                        other => {
                            return Err(Error::config(
                                path,
                                format!(
                                    "must be PEM text or a list of PEM texts, not {}",
                                    kind_of(other)
                                ),
                            ));
                        }
                    }
                }
                (_, Kind::Recovery) => {
                    let text = r.text(&path, v, "a mode name")?;
                    c.create_recovery = Some(match text.as_str() {
                        "creation_cutoff" => CreateRecovery::CreationCutoff,
                        "snapshot" => CreateRecovery::Snapshot,
                        "assume_unique_names" => CreateRecovery::AssumeUniqueNames,
                        other => {
                            let hint = suggest(other, &CREATE_RECOVERY_NAMES)
                                .map(|n| format!("did you mean {n:?}? "))
                                .unwrap_or_default();
                            return Err(Error::config(
                                path,
                                format!(
                                    "{:?} is not a mode; {hint}use \"creation_cutoff\", \"snapshot\" or \"assume_unique_names\"",
                                    qualys_cs_core::error::truncate_for_message(other, 40)
                                ),
                            ));
                        }
                    });
                }
                ("retry", _) => c.retry = Some(read_retry(style, &path, v)?),
                ("rate_limit", _) => c.rate_limit = Some(read_rate_limit(style, &path, v)?),
                _ => unreachable!("every TOP entry is handled"),
            }
        }
        Ok(c)
    }
}

fn object<'v>(path: &str, v: &'v Value) -> Result<&'v Map<String, Value>, Error> {
    v.as_object().ok_or_else(|| {
        Error::config(
            path,
            format!("must be an object of settings, not {}", kind_of(v)),
        )
    })
}

fn read_retry(style: KeyStyle, path: &str, v: &Value) -> Result<RetryPolicy, Error> {
    let r = Reader {
        style,
        prefix: path,
    };
    let mut p = RetryPolicy::default();
    for (name, _, path, v) in r.entries(object(path, v)?, RETRY)? {
        match name {
            "max_attempts" => p.max_attempts = small(&path, r.count(&path, v)?)?,
            "base_delay" => p.base_delay = r.duration(&path, v)?,
            "max_delay" => p.max_delay = r.duration(&path, v)?,
            _ => p.max_elapsed = r.duration(&path, v)?,
        }
    }
    Ok(p)
}

fn read_rate_limit(style: KeyStyle, path: &str, v: &Value) -> Result<RateLimitPolicy, Error> {
    let r = Reader {
        style,
        prefix: path,
    };
    let mut p = RateLimitPolicy::default();
    for (name, _, path, v) in r.entries(object(path, v)?, RATE_LIMIT)? {
        match name {
            "max_concurrency" => {
                p.max_concurrency = usize::try_from(r.count(&path, v)?).unwrap_or(usize::MAX)
            }
            "initial_limit" => p.initial_limit = small(&path, r.count(&path, v)?)?,
            "initial_window" => p.initial_window = r.duration(&path, v)?,
            _ => p.enabled = r.boolean(&path, v)?,
        }
    }
    Ok(p)
}

impl ClientBuilder {
    /// A builder holding every setting of `config` (unset ones keep their defaults). Combine
    /// with [`from_env`](Self::from_env) by starting from it and calling
    /// [`apply_config`](Self::apply_config).
    pub fn from_config(config: &ClientConfig) -> Self {
        Self::new().apply_config(config)
    }

    /// Applies every setting `config` holds on top of this builder.
    pub fn apply_config(mut self, c: &ClientConfig) -> Self {
        if let Some(p) = c.platform {
            self = self.platform(p);
        }
        if let Some(g) = &c.gateway_url {
            self = self.gateway_url(g.clone());
        }
        self = self.set_credentials(c.username.clone(), c.password.clone());
        if let Some(t) = &c.token {
            self = self.token(t.expose());
        }
        if let Some(t) = c.connect_timeout {
            self = self.connect_timeout(t);
        }
        if let Some(t) = c.request_timeout {
            self = self.request_timeout(t);
        }
        if let Some(p) = &c.proxy {
            self = self.proxy(p.clone());
        }
        if c.no_proxy == Some(true) {
            self = self.no_proxy();
        }
        for pem in &c.root_certificates {
            self = self.add_root_certificate_pem(pem.as_bytes());
        }
        if let Some(s) = &c.user_agent_suffix {
            self = self.user_agent_suffix(s.clone());
        }
        if let Some(r) = c.retry {
            self = self.retry(r);
        }
        if let Some(r) = c.rate_limit {
            self = self.rate_limit(r);
        }
        if let Some(m) = c.create_recovery {
            self = self.create_recovery(m);
        }
        if let Some(w) = c.create_settle_window {
            self = self.create_settle_window(w);
        }
        if let Some(a) = c.allow_insecure_http {
            self = self.allow_insecure_http(a);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value, style: KeyStyle) -> (String, String) {
        match ClientConfig::from_json(&v, style) {
            Err(Error::Config { field, message }) => (field, message),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn python_and_node_spellings_read_the_same_settings() {
        let py = ClientConfig::from_json(
            &json!({"gateway_url": "http://127.0.0.1:1", "username": "u", "password": "p",
                    "request_timeout": 2.5, "retry": {"max_attempts": 3, "base_delay": 0.01},
                    "rate_limit": {"enabled": false}, "create_recovery": "snapshot",
                    "root_certificates": "PEM", "connect_timeout": null}),
            KeyStyle::SnakeSeconds,
        )
        .unwrap();
        let js = ClientConfig::from_json(
            &json!({"gatewayUrl": "http://127.0.0.1:1", "username": "u", "password": "p",
                    "requestTimeoutMs": 2500.0, "retry": {"maxAttempts": 3.0, "baseDelayMs": 10},
                    "rateLimit": {"enabled": false}, "createRecovery": "snapshot",
                    "rootCertificates": ["PEM"]}),
            KeyStyle::CamelMillis,
        )
        .unwrap();
        assert_eq!(py, js);
        assert_eq!(py.request_timeout, Some(Duration::from_millis(2500)));
        assert_eq!(py.retry.unwrap().max_attempts, 3);
        assert_eq!(
            py.retry.unwrap().max_delay,
            RetryPolicy::default().max_delay
        );
        assert_eq!(py.connect_timeout, None);
        assert_eq!(py.root_certificates, vec!["PEM".to_owned()]);
    }

    #[test]
    fn unknown_keys_name_the_nearest_in_the_callers_casing() {
        let (field, msg) = err(json!({"request_timout": 1}), KeyStyle::SnakeSeconds);
        assert_eq!(field, "request_timout");
        assert!(msg.contains("did you mean request_timeout?"), "{msg}");
        let (field, msg) = err(json!({"requestTimeout": 1}), KeyStyle::CamelMillis);
        assert_eq!(field, "requestTimeout");
        assert!(msg.contains("did you mean requestTimeoutMs?"), "{msg}");
        assert!(!msg.contains("request_timeout"), "{msg}");
        let (field, msg) = err(json!({"retry": {"maxAtempts": 2}}), KeyStyle::CamelMillis);
        assert_eq!(field, "retry.maxAtempts");
        assert!(msg.contains("did you mean maxAttempts?"), "{msg}");
    }

    #[test]
    fn builder_errors_are_respelled_for_the_caller() {
        let c = ClientConfig::from_json(&json!({"token": "t"}), KeyStyle::CamelMillis).unwrap();
        let e = ClientBuilder::from_config(&c)
            .build()
            .map(|_| ())
            .unwrap_err();
        match KeyStyle::CamelMillis.localize(e) {
            Error::Config { field, message } => {
                assert_eq!(field, "gatewayUrl");
                assert!(!message.contains("(..)"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            KeyStyle::CamelMillis.spell_path("retry.max_elapsed"),
            "retry.maxElapsedMs"
        );
        assert_eq!(
            KeyStyle::SnakeSeconds.spell_path("retry.max_elapsed"),
            "retry.max_elapsed"
        );
    }

    #[test]
    fn wrong_types_and_values_say_the_fix() {
        let (field, msg) = err(json!({"request_timeout": "2"}), KeyStyle::SnakeSeconds);
        assert_eq!(field, "request_timeout");
        assert!(msg.contains("number of seconds"), "{msg}");
        let (field, msg) = err(json!({"connectTimeoutMs": -1}), KeyStyle::CamelMillis);
        assert_eq!(field, "connectTimeoutMs");
        assert!(msg.contains("milliseconds, 0 or more"), "{msg}");
        let (field, msg) = err(json!({"platform": "US9"}), KeyStyle::SnakeSeconds);
        assert_eq!(field, "platform");
        assert!(msg.contains("US2"), "{msg}");
        let (_, msg) = err(
            json!({"create_recovery": "snapshott"}),
            KeyStyle::SnakeSeconds,
        );
        assert!(msg.contains("did you mean \"snapshot\"?"), "{msg}");
        let (field, msg) = err(
            json!({"retry": {"max_attempts": 1.5}}),
            KeyStyle::SnakeSeconds,
        );
        assert_eq!(field, "retry.max_attempts");
        assert!(msg.contains("whole number"), "{msg}");
        let (field, _) = err(json!([1]), KeyStyle::SnakeSeconds);
        assert_eq!(field, "options");
    }

    #[test]
    fn debug_never_prints_secrets() {
        let c = ClientConfig::from_json(
            &json!({"password": "hunter2-pw", "token": "tok-secret-9"}),
            KeyStyle::SnakeSeconds,
        )
        .unwrap();
        let d = format!("{c:?} {:?}", ClientBuilder::from_config(&c));
        assert!(
            !d.contains("hunter2-pw") && !d.contains("tok-secret-9"),
            "{d}"
        );
    }

    #[test]
    fn a_config_builds_a_working_client_or_names_the_missing_setting() {
        let c = ClientConfig::from_json(
            &json!({"gateway_url": "http://127.0.0.1:9", "token": "t"}),
            KeyStyle::SnakeSeconds,
        )
        .unwrap();
        assert!(ClientBuilder::from_config(&c).build().is_ok());
        let c = ClientConfig::from_json(
            &json!({"gateway_url": "http://127.0.0.1:9", "username": "u"}),
            KeyStyle::SnakeSeconds,
        )
        .unwrap();
        match ClientBuilder::from_config(&c).build() {
            Err(Error::Config { field, .. }) => assert_eq!(field, "credentials"),
            other => panic!("{other:?}"),
        }
    }
}
