//! The request journal (`GET /_emulator/requests`): what clients sent to `/auth` and the CS
//! routes, with every secret-looking value replaced by `***`.
//!
//! Bounded twice: at most [`MAX_ENTRIES`] entries and [`MAX_BYTES`] bytes in all (the oldest
//! go first); each body is kept up to [`MAX_BODY_BYTES`] (then cut, with a marker), so a flood
//! of large unauthenticated bodies cannot grow the emulator's memory.
//!
//! Redaction is by key, case-insensitive, nested: a JSON object key, a form or query key, or a
//! header name whose letters (ignoring `-`, `_`, `.` and spaces) contain `pass`, `pw`,
//! `apikey`, `secret`, `credential`, `token`, `authorization`, `cookie`, `jwt` or `privatekey`
//! has its value replaced (`password`, `api_key`, `X-Api-Key`, `clientSecret`,
//! `Proxy-Authorization`, `refresh_token`, ...). The `/auth` flag `token=true` is kept, and so
//! are JSON booleans (flags, not secrets).

use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};

/// Entries kept (the oldest go first).
pub const MAX_ENTRIES: usize = 10_000;
/// Bytes kept in all, bodies and headers included (the oldest entries go first).
pub const MAX_BYTES: usize = 8 << 20;
/// Bytes of one journaled body; a longer one is cut and marked.
pub const MAX_BODY_BYTES: usize = 64 << 10;
/// Bytes of one journaled header value.
const MAX_HEADER_VALUE: usize = 1_024;
/// Headers journaled per request.
const MAX_HEADERS: usize = 64;
/// What every entry costs besides its text (the struct, the queue slot).
const ENTRY_OVERHEAD: usize = 256;
const REDACTED: &str = "***";

/// One request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Sequence number from 1 (keeps counting across clears).
    pub seq: u64,
    /// The `X-Request-Id` sent back.
    pub request_id: String,
    /// When it arrived, a stamp of the emulator clock (epoch ms; see
    /// [`crate::clock::Clock::stamp_ms`]).
    pub time_ms: i64,
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Query string (secrets redacted), if any.
    pub query: Option<String>,
    /// Status answered; `null` when the connection was dropped.
    pub status: Option<u16>,
    /// The connection was closed without an answer.
    pub dropped: bool,
    /// Real milliseconds spent (latency faults included).
    pub ms: u64,
    /// The authenticated user, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `Bearer ***` when an Authorization header was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
    /// The request headers, names lower-cased, secret-looking ones `***` (see the module
    /// docs); values over 1 KiB are cut.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Fault rules that fired.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<String>,
    /// The body with secrets redacted (JSON when it was JSON or a form, else text; a string
    /// ending in a `[truncated ...]` marker when it was longer than 64 KiB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_redacted: Option<Value>,
}

impl Entry {
    fn text_bytes(&self) -> usize {
        self.request_id.len()
            + self.method.len()
            + self.path.len()
            + self.query.as_ref().map_or(0, String::len)
            + self.user.as_ref().map_or(0, String::len)
            + self.authorization.as_ref().map_or(0, String::len)
            + self
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len() + 48)
                .sum::<usize>()
            + self.faults.iter().map(|f| f.len() + 24).sum::<usize>()
    }
}

/// One stored entry: the body kept as compact JSON text (what it costs is what it weighs).
#[derive(Debug)]
struct Stored {
    entry: Entry,
    body: Option<String>,
    bytes: usize,
}

/// Sizes of the journal (`GET /_emulator/requests/stats`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalStats {
    /// Entries kept.
    pub entries: usize,
    /// Bytes they weigh (text, bodies, headers and a fixed overhead per entry).
    pub bytes: usize,
    /// The entry bound ([`MAX_ENTRIES`]).
    pub max_entries: usize,
    /// The byte bound ([`MAX_BYTES`]).
    pub max_bytes: usize,
    /// The body bound ([`MAX_BODY_BYTES`]).
    pub max_body_bytes: usize,
    /// Entries pushed out by the bounds since the start or the last clear.
    pub evicted: u64,
}

/// A bounded list of entries.
#[derive(Debug, Default)]
pub struct Journal {
    entries: VecDeque<Stored>,
    bytes: usize,
    evicted: u64,
    next_seq: u64,
}

impl Journal {
    /// The next sequence number (reserved).
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Adds an entry whose body is `body` (compact JSON text, from [`redact_body_json`]);
    /// `entry.body_redacted` is ignored. The oldest entries go while a bound is exceeded.
    pub fn push_json(&mut self, mut entry: Entry, body: Option<String>) {
        entry.body_redacted = None;
        let bytes = ENTRY_OVERHEAD + entry.text_bytes() + body.as_ref().map_or(0, String::len);
        while !self.entries.is_empty()
            && (self.entries.len() >= MAX_ENTRIES || self.bytes + bytes > MAX_BYTES)
        {
            if let Some(old) = self.entries.pop_front() {
                self.bytes -= old.bytes;
                self.evicted += 1;
            }
        }
        self.bytes += bytes;
        self.entries.push_back(Stored { entry, body, bytes });
    }

    /// Adds an entry (its `body_redacted` is kept, bounded like any body).
    pub fn push(&mut self, mut e: Entry) {
        let body = e.body_redacted.take().map(|v| bound(v.to_string()));
        self.push_json(e, body);
    }

    /// Every entry, oldest first.
    pub fn list(&self) -> Vec<Entry> {
        self.entries
            .iter()
            .map(|s| {
                let mut e = s.entry.clone();
                e.body_redacted = s
                    .body
                    .as_deref()
                    .map(|b| serde_json::from_str(b).unwrap_or_else(|_| Value::String(b.into())));
                e
            })
            .collect()
    }

    /// Sizes and bounds.
    pub fn stats(&self) -> JournalStats {
        JournalStats {
            entries: self.entries.len(),
            bytes: self.bytes,
            max_entries: MAX_ENTRIES,
            max_bytes: MAX_BYTES,
            max_body_bytes: MAX_BODY_BYTES,
            evicted: self.evicted,
        }
    }

    /// Forgets every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
        self.evicted = 0;
    }
}

const SECRET_WORDS: &[&str] = &[
    "pass",
    "pw",
    "apikey",
    "secret",
    "credential",
    "token",
    "authorization",
    "cookie",
    "jwt",
    "privatekey",
];

/// True when a key or header name looks like it holds a secret: its letters (case-insensitive,
/// ignoring `-`, `_`, `.` and spaces) contain one of `pass`, `pw`, `apikey`, `secret`,
/// `credential`, `token`, `authorization`, `cookie`, `jwt`, `privatekey`.
pub fn is_secret_key(k: &str) -> bool {
    let k: String = k
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_WORDS.iter().any(|s| k.contains(s))
}

/// The `/auth` flag `token=true` is not a secret.
fn keep_flag(k: &str, v: &str) -> bool {
    k.eq_ignore_ascii_case("token") && v == "true"
}

/// Replaces the value of every secret-looking key, at any depth (booleans are kept).
pub fn redact_json(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if is_secret_key(k) && !x.is_boolean() {
                    *x = Value::String(REDACTED.into());
                } else {
                    redact_json(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// Redacts a form or query string: values of secret-looking keys become `***` (`token=true`,
/// the flag of `/auth`, is kept).
pub fn redact_form(text: &str) -> String {
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| {
            let v = if is_secret_key(&k) && !keep_flag(&k, &v) {
                REDACTED.into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .fold(
            url::form_urlencoded::Serializer::new(String::new()),
            |mut s, (k, v)| {
                s.append_pair(&k, &v);
                s
            },
        )
        .finish()
}

/// The request headers as journaled: names lower-cased, values of secret-looking names
/// replaced (`Bearer ***` keeps the scheme), values over 1 KiB cut, at most 64 headers.
pub fn redact_headers(h: &http::HeaderMap) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in h {
        if out.len() >= MAX_HEADERS && !out.contains_key(name.as_str()) {
            break;
        }
        let v = if is_secret_key(name.as_str()) {
            match value.to_str().ok().and_then(|s| s.split_once(' ')) {
                Some((scheme, _)) if scheme.chars().all(|c| c.is_ascii_alphabetic()) => {
                    format!("{scheme} {REDACTED}")
                }
                _ => REDACTED.to_owned(),
            }
        } else {
            match value.to_str() {
                Ok(s) => cut(s, MAX_HEADER_VALUE),
                Err(_) => "<not text>".to_owned(),
            }
        };
        out.entry(name.as_str().to_owned())
            .and_modify(|old| {
                if old.len() < MAX_HEADER_VALUE {
                    old.push_str(", ");
                    old.push_str(&v);
                }
            })
            .or_insert(v);
    }
    out
}

/// `s` cut to at most `max` bytes (on a character boundary), with a marker when cut.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[truncated: {} bytes in all]", &s[..end], s.len())
}

/// A body's JSON text bounded to [`MAX_BODY_BYTES`]: longer, it becomes a JSON string of its
/// first 64 KiB with a `[truncated ...]` marker.
fn bound(json: String) -> String {
    if json.len() <= MAX_BODY_BYTES {
        return json;
    }
    Value::String(cut(&json, MAX_BODY_BYTES)).to_string()
}

/// The body as journaled, as compact JSON text: JSON with secrets redacted, a form as a
/// redacted object, else text; at most [`MAX_BODY_BYTES`] (cut after redaction, with a
/// marker). `None` for an empty body.
pub fn redact_body_json(content_type: Option<&str>, body: &[u8]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(body);
    if let Ok(mut v) = serde_json::from_str::<Value>(&text) {
        redact_json(&mut v);
        return Some(bound(v.to_string()));
    }
    let is_form = content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
        || text.contains('=');
    if is_form {
        let mut m = serde_json::Map::new();
        for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
            let v = if is_secret_key(&k) && !keep_flag(&k, &v) {
                REDACTED.to_owned()
            } else {
                v.into_owned()
            };
            m.insert(k.into_owned(), Value::String(v));
        }
        return Some(bound(Value::Object(m).to_string()));
    }
    Some(Value::String(cut(&text, MAX_BODY_BYTES)).to_string())
}

/// [`redact_body_json`] as a value.
pub fn redact_body(content_type: Option<&str>, body: &[u8]) -> Option<Value> {
    redact_body_json(content_type, body)
        .map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn secrets_are_redacted_everywhere() {
        let form = redact_body(
            Some("application/x-www-form-urlencoded"),
            b"username=alice&password=s%20cret&token=true",
        )
        .expect("form");
        assert_eq!(
            form,
            serde_json::json!({"username":"alice","password":"***","token":"true"})
        );
        let json = redact_body(
            None,
            br#"{"name":"x","nested":{"apiToken":"abc"},"l":[{"password":"p"}]}"#,
        )
        .expect("json");
        assert!(!json.to_string().contains("abc"));
        assert!(!json.to_string().contains("\"p\""));
        assert_eq!(json["name"], "x");
        assert_eq!(
            redact_form("password=x&pageSize=2&token=abc"),
            "password=***&pageSize=2&token=***"
        );
        assert_eq!(redact_body(None, b""), None);
        let mut j = Journal::default();
        for _ in 0..MAX_ENTRIES + 5 {
            let seq = j.next_seq();
            j.push(Entry {
                seq,
                request_id: String::new(),
                time_ms: 0,
                method: "GET".into(),
                path: "/".into(),
                query: None,
                status: Some(200),
                dropped: false,
                ms: 0,
                user: None,
                authorization: None,
                headers: BTreeMap::new(),
                faults: vec![],
                body_redacted: None,
            });
        }
        assert_eq!(j.list().len(), MAX_ENTRIES);
        assert_eq!(j.list()[0].seq, 6);
    }

    fn entry(seq: u64) -> Entry {
        Entry {
            seq,
            request_id: String::new(),
            time_ms: 0,
            method: "POST".into(),
            path: "/auth".into(),
            query: None,
            status: Some(401),
            dropped: false,
            ms: 0,
            user: None,
            authorization: None,
            headers: BTreeMap::new(),
            faults: vec![],
            body_redacted: None,
        }
    }

    #[test]
    fn every_secret_looking_key_is_redacted_case_insensitively_and_nested() {
        let body = br#"{"name":"keep","Pass":"a1","PW":"a2","userPassword":"a3","APIKEY":"a4",
            "api_key":"a5","clientSecret":"a6","Credentials":{"user":"a7"},"refresh_token":"a8",
            "Authorization":"a9","deep":[{"x":{"Api-Key":"b1","list":[{"db_pw":"b2"}]}}],
            "forceScan":true,"tokenized":false}"#;
        let v = redact_body(Some("application/json"), body).expect("json");
        let text = v.to_string();
        for i in 1..=9 {
            assert!(!text.contains(&format!("a{i}")), "a{i} leaked: {text}");
        }
        assert!(!text.contains("b1") && !text.contains("b2"), "{text}");
        assert_eq!(v["name"], "keep");
        assert_eq!(v["forceScan"], true);
        assert_eq!(v["tokenized"], false, "booleans are flags, kept");
        assert_eq!(v["Credentials"], "***", "a secret object goes whole");

        let form = redact_body(
            None,
            b"username=u&PASSWORD=c1&Api_Key=c2&client_secret=c3&token=true&accessToken=c4&pw=c5",
        )
        .expect("form");
        let text = form.to_string();
        for i in 1..=5 {
            assert!(!text.contains(&format!("c{i}")), "c{i} leaked: {text}");
        }
        assert_eq!(form["token"], "true");
        assert_eq!(form["username"], "u");
        assert_eq!(
            redact_form("API_KEY=d1&secret=d2&filter=name:x"),
            "API_KEY=***&secret=***&filter=name%3Ax"
        );

        let mut h = http::HeaderMap::new();
        for (k, v) in [
            ("authorization", "Bearer e1"),
            ("proxy-authorization", "Basic e2"),
            ("x-api-key", "e3"),
            ("X-Auth-Token", "e4"),
            ("cookie", "session=e5"),
            ("x-client-secret", "e6"),
            ("user-agent", "ua/1"),
        ] {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                http::HeaderValue::from_static(v),
            );
        }
        let got = redact_headers(&h);
        let text = format!("{got:?}");
        for i in 1..=6 {
            assert!(!text.contains(&format!("e{i}")), "e{i} leaked: {text}");
        }
        assert_eq!(got["authorization"], "Bearer ***");
        assert_eq!(got["proxy-authorization"], "Basic ***");
        assert_eq!(got["user-agent"], "ua/1");
    }

    #[test]
    fn bodies_are_cut_and_the_journal_is_bounded_in_bytes() {
        let big = format!(
            "{{\"password\":\"zz\",\"blob\":\"{}\"}}",
            "x".repeat(1 << 20)
        );
        let b = redact_body_json(None, big.as_bytes()).expect("body");
        assert!(b.len() < MAX_BODY_BYTES + 200, "{}", b.len());
        assert!(
            b.contains("truncated") && !b.contains("zz"),
            "redacted before the cut"
        );
        let text = redact_body_json(None, "y".repeat(200_000).as_bytes()).expect("text");
        assert!(text.len() < MAX_BODY_BYTES + 200);

        let mut j = Journal::default();
        for _ in 0..500 {
            let seq = j.next_seq();
            j.push_json(entry(seq), redact_body_json(None, big.as_bytes()));
        }
        let st = j.stats();
        assert!(st.bytes <= MAX_BYTES, "{st:?}");
        assert!(st.entries < 500 && st.evicted > 0, "{st:?}");
        assert_eq!(j.list().last().expect("last").seq, 500);
        let listed: usize = j
            .list()
            .iter()
            .map(|e| serde_json::to_string(e).expect("json").len())
            .sum();
        assert!(listed <= MAX_BYTES, "{listed}");
        j.clear();
        assert_eq!(j.stats().bytes, 0);
    }
}
