//! [`builder_from_json`]: the emulator's start options read from a JSON map, the one reader
//! behind Node's `Emulator.start(options)` and Python's `Emulator(**options)`. Each language
//! spells the keys in its own casing, with durations in its own unit ([`OptionStyle`]); an
//! unknown key or a value of the wrong type is a `config` error naming the key and what it
//! takes. `null` values count as unset.

use crate::{Emulator, EmulatorBuilder, WireProfile};
use qualys_cs_core::{Error, jiff};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::time::Duration;

/// How a language spells the options: key casing and the unit of durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionStyle {
    /// `camelCase` keys, durations in milliseconds with an `Ms` suffix (`tokenTtlMs`):
    /// JavaScript.
    CamelMillis,
    /// `snake_case` keys, durations in seconds (`token_ttl`): Python, Rust files.
    SnakeSeconds,
}

/// Every option, by its `snake_case` name (durations without their unit).
pub const OPTIONS: [&str; 15] = [
    "host",
    "port",
    "data_dir",
    "users",
    "users_without_permission",
    "no_demo_user",
    "token_ttl",
    "rate_limit",
    "realtime_clock",
    "tls",
    "config_file",
    "job_step",
    "fail_jobs",
    "clock_start",
    "wire",
];

const DURATIONS: [&str; 2] = ["token_ttl", "job_step"];

impl OptionStyle {
    /// How this style spells option `name` (one of [`OPTIONS`]).
    pub fn spell(self, name: &str) -> String {
        match self {
            OptionStyle::SnakeSeconds => name.to_owned(),
            OptionStyle::CamelMillis => {
                let mut parts = name.split('_');
                let first = parts.next().unwrap_or_default().to_owned();
                let camel = parts.fold(first, |out, p| {
                    out + &p[..p.len().min(1)].to_uppercase() + &p[p.len().min(1)..]
                });
                camel + if DURATIONS.contains(&name) { "Ms" } else { "" }
            }
        }
    }

    /// Every option as this style spells it, in [`OPTIONS`] order.
    pub fn names(self) -> Vec<String> {
        OPTIONS.iter().map(|n| self.spell(n)).collect()
    }

    /// A duration given in this style's unit; `None` when negative or not finite.
    fn duration(self, n: f64) -> Option<Duration> {
        let secs = match self {
            OptionStyle::CamelMillis => n / 1000.0,
            OptionStyle::SnakeSeconds => n,
        };
        Duration::try_from_secs_f64(secs).ok()
    }

    fn unit(self) -> &'static str {
        match self {
            OptionStyle::CamelMillis => "milliseconds",
            OptionStyle::SnakeSeconds => "seconds",
        }
    }
}

/// Users: `[{username, password}, …]` or `{username: password, …}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Users {
    List(Vec<User>),
    Map(Map<String, Value>),
}

#[derive(Deserialize)]
struct User {
    username: String,
    password: String,
}

/// A pair given as an object (`{limit, windowMs}`, `{certPem, keyPem}`) or a list of two.
#[derive(Deserialize)]
#[serde(untagged)]
enum Pair<A, B> {
    List(A, B),
    Object(Map<String, Value>),
}

fn read<T: DeserializeOwned>(key: &str, what: &str, v: &Value) -> Result<T, Error> {
    serde_json::from_value(v.clone())
        .map_err(|_| Error::config(key, format!("{key} must be {what}")))
}

/// A pair from a list of two, or from an object with exactly the keys `a` and `b`.
fn pair<A: DeserializeOwned, B: DeserializeOwned>(
    key: &str,
    (a, b): (&str, &str),
    v: &Value,
) -> Result<(A, B), Error> {
    let what = format!("{{{a}, {b}}}");
    match read::<Pair<A, B>>(key, &what, v)? {
        Pair::List(x, y) => Ok((x, y)),
        Pair::Object(m) if m.len() == 2 && m.contains_key(a) && m.contains_key(b) => {
            Ok((read(key, &what, &m[a])?, read(key, &what, &m[b])?))
        }
        Pair::Object(_) => Err(Error::config(key, format!("{key} must be {what}"))),
    }
}

fn users(key: &str, v: &Value) -> Result<Vec<(String, String)>, Error> {
    Ok(match read(key, "a list of {username, password}", v)? {
        Users::List(l) => l.into_iter().map(|u| (u.username, u.password)).collect(),
        Users::Map(m) => {
            let pw = |(k, p): (String, Value)| Ok((k, read(key, "{username: password}", &p)?));
            m.into_iter().map(pw).collect::<Result<_, Error>>()?
        }
    })
}

/// An instant: epoch milliseconds, or RFC 3339 text.
fn instant(key: &str, v: &Value) -> Result<jiff::Timestamp, Error> {
    let t = qualys_cs_core::json_api::instant(v);
    t.ok_or_else(|| {
        let what = "a Date, epoch milliseconds or RFC 3339 text such as \"2026-01-05T10:00:00Z\"";
        Error::config(key, format!("{key} must be {what}; got {v}"))
    })
}

/// An emulator builder with every option of `options` (spelt in `style`) applied in turn.
pub fn builder_from_json(
    options: &Map<String, Value>,
    style: OptionStyle,
) -> Result<EmulatorBuilder, Error> {
    let mut b = Emulator::builder();
    for (key, v) in options.iter().filter(|(_, v)| !v.is_null()) {
        let Some(name) = OPTIONS.iter().find(|n| style.spell(n) == *key) else {
            let all = style.names().join(", ");
            return Err(Error::config(
                key,
                format!("{key:?} is not an emulator option; the options are {all}"),
            ));
        };
        let k = key.as_str();
        let (text, flag) = (
            || read::<String>(k, "text", v),
            || read::<bool>(k, "true or false", v),
        );
        let duration = || {
            let what = format!("a number of {}, 0 or more", style.unit());
            let n: f64 = read(k, &what, v)?;
            style
                .duration(n)
                .ok_or_else(|| Error::config(k, format!("{k} must be {what}; got {n}")))
        };
        b = match *name {
            "host" => b.host(text()?),
            "port" => b.port(read(k, "a port number 0-65535 (0 = a free port)", v)?),
            "data_dir" => b.data_dir(text()?),
            "users" => users(k, v)?.into_iter().fold(b, |b, (u, p)| b.user(u, p)),
            "users_without_permission" => users(k, v)?
                .into_iter()
                .fold(b, |b, (u, p)| b.user_without_permission(u, p)),
            "no_demo_user" if flag()? => b.no_demo_user(),
            "token_ttl" => b.token_ttl(duration()?),
            "rate_limit" => {
                let window = style.spell("window")
                    + if style == OptionStyle::CamelMillis {
                        "Ms"
                    } else {
                        ""
                    };
                let (limit, w): (u64, f64) = pair(k, ("limit", &window), v)?;
                let what = format!("{k}.{window} must be {}, 0 or more", style.unit());
                b.rate_limit(
                    limit,
                    style
                        .duration(w)
                        .ok_or_else(|| Error::config(format!("{k}.{window}"), what))?,
                )
            }
            "realtime_clock" => b.realtime_clock(flag()?),
            "tls" => {
                let (cert, key): (String, String) =
                    pair(k, (&style.spell("cert_pem"), &style.spell("key_pem")), v)?;
                b.tls(cert, key)
            }
            "config_file" => b.config_file(text()?),
            "job_step" => b.job_step(duration()?),
            "fail_jobs" => b.fail_jobs(flag()?),
            "clock_start" => b.clock_start(instant(k, v)?),
            "wire" => {
                let valid = WireProfile::NAMES.join(", ");
                let wire = text()?.parse::<WireProfile>();
                b.wire(wire.map_err(|e| Error::config(k, format!("{e} (valid: {valid})")))?)
            }
            _ => b, // no_demo_user: false
        };
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: Value, style: OptionStyle) -> Result<EmulatorBuilder, Error> {
        builder_from_json(v.as_object().unwrap(), style)
    }

    #[test]
    fn names_in_each_style() {
        let camel = OptionStyle::CamelMillis.names();
        assert_eq!(camel[..4], ["host", "port", "dataDir", "users"]);
        assert!(
            camel.contains(&"tokenTtlMs".to_owned()) && camel.contains(&"jobStepMs".to_owned())
        );
        assert_eq!(OptionStyle::SnakeSeconds.names(), OPTIONS);
    }

    #[test]
    fn both_shapes_of_users_pairs_and_durations_read() {
        let node = json!({"users": [{"username": "a", "password": "p"}], "rateLimit": {"limit": 5, "windowMs": 1000},
            "tls": {"certPem": "c", "keyPem": "k"}, "tokenTtlMs": 10, "clockStart": 0, "wire": "oas2021", "host": null});
        assert!(read(node, OptionStyle::CamelMillis).is_ok());
        let py = json!({"users": {"a": "p"}, "rate_limit": [5, 1.0], "tls": ["c", "k"], "job_step": 0.5,
            "clock_start": "2026-01-05T10:00:00Z", "fail_jobs": false});
        assert!(read(py, OptionStyle::SnakeSeconds).is_ok());
    }

    #[test]
    fn wrong_values_name_the_key_and_the_fix() {
        let field = |v: Value, style| match read(v, style) {
            Err(Error::Config { field, message }) => (field, message),
            other => panic!("{:?}", other.map(drop)),
        };
        let (f, m) = field(json!({"port": "any"}), OptionStyle::CamelMillis);
        assert_eq!(f, "port");
        assert!(m.contains("port number"), "{m}");
        let (f, m) = field(json!({"job_step": -1}), OptionStyle::SnakeSeconds);
        assert_eq!(
            (f.as_str(), m.as_str()),
            (
                "job_step",
                "job_step must be a number of seconds, 0 or more; got -1"
            )
        );
        let (f, _) = field(
            json!({"rateLimit": {"limit": 1, "windowMs": -5}}),
            OptionStyle::CamelMillis,
        );
        assert_eq!(f, "rateLimit.windowMs");
        let (f, m) = field(json!({"wire": "oas2022"}), OptionStyle::CamelMillis);
        assert!(
            f == "wire" && m.contains("full") && m.contains("oas2021"),
            "{m}"
        );
        let (f, m) = field(json!({"token_ttl": 1}), OptionStyle::CamelMillis);
        assert!(f == "token_ttl" && m.contains("tokenTtlMs"), "{m}");
        let (f, _) = field(json!({"tls": {"certPem": "c"}}), OptionStyle::CamelMillis);
        assert_eq!(f, "tls");
    }
}
