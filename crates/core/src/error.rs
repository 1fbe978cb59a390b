//! The one error type of the project, with a stable `code()` per variant.
//!
//! Codes never change meaning once published; new variants get new codes. Every language maps
//! this enum once (Python exception subclasses, Node `Error.code`, a uniffi error enum).
//! Nothing here ever holds a password or a token.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// One problem found by validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Violation {
    /// JSON pointer (RFC 6901) to the offending value, e.g. `/filters/0/repoTags/1/repo`;
    /// `""` is the whole document.
    pub path: String,
    /// Stable snake_case code, e.g. `interval_out_of_range`.
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
}

impl Violation {
    /// A violation at `path` with `code` and `message`.
    pub fn new(
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(f, "{path}: {} ({})", self.message, self.code)
    }
}

/// What an HTTP answer said, for the error variants that come from the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpDetails {
    /// HTTP status code.
    pub status: u16,
    /// Request id sent back by the server (`X-Request-Id` and similar), when any.
    pub request_id: Option<String>,
    /// Qualys `errorCode` from the error body, e.g. `"403 FORBIDDEN"`.
    pub qualys_error_code: Option<String>,
    /// Qualys `message` from the error body.
    pub message: Option<String>,
    /// The raw body text when it was not a Qualys JSON error body (truncated to 4 KiB).
    pub body: Option<String>,
}

impl HttpDetails {
    /// Reads an error answer: a Qualys JSON error body fills `qualys_error_code` / `message`;
    /// anything else is kept as raw text in `body`.
    pub fn from_response(status: u16, request_id: Option<String>, body: &str) -> Self {
        let mut d = HttpDetails {
            status,
            request_id,
            ..Default::default()
        };
        match serde_json::from_str::<crate::model::ErrorBody>(body) {
            Ok(eb) if eb.error_code.is_some() || eb.message.is_some() => {
                d.qualys_error_code = eb.error_code;
                d.message = eb.message;
            }
            _ => {
                let trimmed = body.trim();
                if !trimmed.is_empty() {
                    d.body = Some(truncate_for_message(trimmed, 4096));
                }
            }
        }
        d
    }
}

impl fmt::Display for HttpDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(c) = &self.qualys_error_code {
            write!(f, " [{c}]")?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        } else if let Some(b) = &self.body {
            write!(f, ": {}", truncate_for_message(b, 200))?;
        }
        if let Some(r) = &self.request_id {
            write!(f, " (request id {r})")?;
        }
        Ok(())
    }
}

/// Every failure of the SDK. Match on [`Error::code`] across languages.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks documented rules; nothing was sent. Code `validation`.
    #[error("{}", validation_message(violations))]
    Validation {
        /// Every problem found, not just the first.
        violations: Vec<Violation>,
    },
    /// Credentials were refused or the token is no longer valid (HTTP 401). Code `auth`.
    #[error("authentication failed: {0}")]
    Auth(HttpDetails),
    /// The user lacks a permission (HTTP 403). Code `permission`.
    #[error("permission denied: {0}")]
    Permission(HttpDetails),
    /// The registry or schedule does not exist (HTTP 404, or an empty lookup). Code `not_found`.
    #[error("not found: {0}")]
    NotFound(HttpDetails),
    /// The operation conflicts with the current state, e.g. the schedule is running. Code `conflict`.
    #[error("conflict: {0}")]
    Conflict(HttpDetails),
    /// The server refused the request as malformed (HTTP 400). Code `bad_request`.
    #[error("bad request: {0}")]
    BadRequest(HttpDetails),
    /// Too many requests (HTTP 429). Code `rate_limited`.
    #[error("rate limited: {details}{}", retry_after.map(|d| format!(" (retry after {:.1}s)", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        /// The answer.
        details: HttpDetails,
        /// How long the server asked to wait (`Retry-After` / `X-RateLimit-ToWait-Sec`).
        retry_after: Option<Duration>,
    },
    /// The server failed (HTTP 5xx). Code `server`.
    #[error("server error: {0}")]
    Server(HttpDetails),
    /// Any other unexpected HTTP status. Code `http`.
    #[error("unexpected answer: {0}")]
    Http(HttpDetails),
    /// The connection failed or broke. Code `transport`.
    #[error("transport error: {message}")]
    Transport {
        /// What failed.
        message: String,
        /// True when the request certainly never reached the server (e.g. connection refused).
        not_sent: bool,
    },
    /// A request or an overall deadline ran out. Code `timeout`.
    #[error("timed out: {message}")]
    Timeout {
        /// What timed out.
        message: String,
    },
    /// An answer could not be decoded. Code `decode`.
    #[error("could not decode the answer: {message}")]
    Decode {
        /// What was wrong.
        message: String,
        /// The raw body (truncated), when useful.
        body: Option<String>,
    },
    /// The server's answer does not carry fields this computation needs (e.g. the run times
    /// of a schedule listed in Qualys's OpenAPI shape, which has no interval or weekday).
    /// Code `not_reported`.
    #[error("not reported by the server: {message}")]
    NotReported {
        /// The fields the answer left out (canonical names).
        fields: Vec<String>,
        /// What cannot be known, and why.
        message: String,
    },
    /// The SDK is configured wrongly (missing credentials, bad URL, ...). Code `config`.
    #[error("configuration error: {field}: {message}")]
    Config {
        /// The setting at fault, e.g. `gateway_url` or `QUALYS_PLATFORM`.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

fn validation_message(v: &[Violation]) -> String {
    let mut s = format!(
        "invalid request: {} problem{}",
        v.len(),
        if v.len() == 1 { "" } else { "s" }
    );
    for x in v {
        s.push_str("\n  ");
        s.push_str(&x.to_string());
    }
    s
}

impl Error {
    /// The stable, language-neutral code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation { .. } => "validation",
            Error::Auth(_) => "auth",
            Error::Permission(_) => "permission",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::BadRequest(_) => "bad_request",
            Error::RateLimited { .. } => "rate_limited",
            Error::Server(_) => "server",
            Error::Http(_) => "http",
            Error::Transport { .. } => "transport",
            Error::Timeout { .. } => "timeout",
            Error::Decode { .. } => "decode",
            Error::NotReported { .. } => "not_reported",
            Error::Config { .. } => "config",
        }
    }

    /// Every code [`Error::code`] can return.
    pub const CODES: &'static [&'static str] = &[
        "validation",
        "auth",
        "permission",
        "not_found",
        "conflict",
        "bad_request",
        "rate_limited",
        "server",
        "http",
        "transport",
        "timeout",
        "decode",
        "not_reported",
        "config",
    ];

    /// The HTTP details, for the variants that come from an answer.
    pub fn http(&self) -> Option<&HttpDetails> {
        match self {
            Error::Auth(d)
            | Error::Permission(d)
            | Error::NotFound(d)
            | Error::Conflict(d)
            | Error::BadRequest(d)
            | Error::Server(d)
            | Error::Http(d) => Some(d),
            Error::RateLimited { details, .. } => Some(details),
            _ => None,
        }
    }

    /// The violations of a validation error (empty otherwise).
    pub fn violations(&self) -> &[Violation] {
        match self {
            Error::Validation { violations } => violations,
            _ => &[],
        }
    }

    /// Maps an HTTP error answer to the error of its class.
    ///
    /// `retry_after` is what the headers asked for (`Retry-After`, `X-RateLimit-ToWait-Sec`).
    pub fn from_http(
        status: u16,
        request_id: Option<String>,
        body: &str,
        retry_after: Option<Duration>,
    ) -> Self {
        let d = HttpDetails::from_response(status, request_id, body);
        match status {
            400 | 422 => Error::BadRequest(d),
            401 => Error::Auth(d),
            403 => Error::Permission(d),
            404 => Error::NotFound(d),
            409 | 423 => Error::Conflict(d),
            429 => Error::RateLimited {
                details: d,
                retry_after,
            },
            500..=599 => Error::Server(d),
            _ => Error::Http(d),
        }
    }

    /// A validation error from violations (helper).
    pub fn validation(violations: Vec<Violation>) -> Self {
        Error::Validation { violations }
    }

    /// A configuration error (helper).
    pub fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Shortens text for an error message, on a character boundary, marking the cut.
pub fn truncate_for_message(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max_chars).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_mapping_reads_qualys_bodies_and_keeps_raw_text() {
        let e = Error::from_http(
            403,
            Some("r-1".into()),
            r#"{"errorCode":"403 FORBIDDEN","message":"no permission","timestamp":1654169949515}"#,
            None,
        );
        assert_eq!(e.code(), "permission");
        let d = e.http().expect("details");
        assert_eq!(d.qualys_error_code.as_deref(), Some("403 FORBIDDEN"));
        assert_eq!(d.message.as_deref(), Some("no permission"));
        assert_eq!(d.body, None);
        assert!(e.to_string().contains("request id r-1"));

        let e = Error::from_http(502, None, "<html>Bad Gateway</html>", None);
        assert_eq!(e.code(), "server");
        assert_eq!(
            e.http().and_then(|d| d.body.as_deref()),
            Some("<html>Bad Gateway</html>")
        );
    }

    #[test]
    fn every_variant_code_is_listed() {
        let samples = [
            Error::validation(vec![]),
            Error::Auth(HttpDetails::default()),
            Error::Permission(HttpDetails::default()),
            Error::NotFound(HttpDetails::default()),
            Error::Conflict(HttpDetails::default()),
            Error::BadRequest(HttpDetails::default()),
            Error::RateLimited {
                details: HttpDetails::default(),
                retry_after: None,
            },
            Error::Server(HttpDetails::default()),
            Error::Http(HttpDetails::default()),
            Error::Transport {
                message: String::new(),
                not_sent: false,
            },
            Error::Timeout {
                message: String::new(),
            },
            Error::Decode {
                message: String::new(),
                body: None,
            },
            Error::NotReported {
                fields: vec![],
                message: String::new(),
            },
            Error::config("x", "y"),
        ];
        let codes: Vec<_> = samples.iter().map(Error::code).collect();
        assert_eq!(codes, Error::CODES);
    }
}
