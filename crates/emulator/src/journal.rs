//! The request journal (`GET /_emulator/requests`): what clients sent to `/auth` and the CS
//! routes, with passwords and tokens replaced by `***`.

use serde::Serialize;
use serde_json::Value;
use std::collections::VecDeque;

/// Entries kept (the oldest go first).
pub const MAX_ENTRIES: usize = 10_000;
const MAX_BODY_CHARS: usize = 4_096;
const REDACTED: &str = "***";

/// One request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Sequence number from 1 (keeps counting across clears).
    pub seq: u64,
    /// The `X-Request-Id` sent back.
    pub request_id: String,
    /// Emulator clock when it arrived (epoch ms).
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
    /// Fault rules that fired.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<String>,
    /// The body with secrets redacted (JSON when it was JSON or a form, else text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_redacted: Option<Value>,
}

/// A bounded list of entries.
#[derive(Debug, Default)]
pub struct Journal {
    entries: VecDeque<Entry>,
    next_seq: u64,
}

impl Journal {
    /// The next sequence number (reserved).
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Adds an entry.
    pub fn push(&mut self, e: Entry) {
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.pop_front();
        }
        self.entries.push_back(e);
    }

    /// Every entry, oldest first.
    pub fn list(&self) -> Vec<Entry> {
        self.entries.iter().cloned().collect()
    }

    /// Forgets every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

fn is_secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "authorization",
        "jwt",
    ]
    .iter()
    .any(|s| k.contains(s))
}

fn redact_json(v: &mut Value) {
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
            let v = if is_secret_key(&k) && !(k == "token" && v == "true") {
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

/// The body as journaled: JSON with secrets redacted, a form as a redacted object, else text
/// (truncated). `None` for an empty body.
pub fn redact_body(content_type: Option<&str>, body: &[u8]) -> Option<Value> {
    if body.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(body);
    if let Ok(mut v) = serde_json::from_str::<Value>(&text) {
        redact_json(&mut v);
        return Some(v);
    }
    let is_form = content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
        || text.contains('=');
    if is_form {
        let mut m = serde_json::Map::new();
        for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
            let v = if is_secret_key(&k) && !(k == "token" && v == "true") {
                REDACTED.to_owned()
            } else {
                v.into_owned()
            };
            m.insert(k.into_owned(), Value::String(v));
        }
        return Some(Value::Object(m));
    }
    Some(Value::String(text.chars().take(MAX_BODY_CHARS).collect()))
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
                faults: vec![],
                body_redacted: None,
            });
        }
        assert_eq!(j.list().len(), MAX_ENTRIES);
        assert_eq!(j.list()[0].seq, 6);
    }
}
