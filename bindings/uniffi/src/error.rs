//! The one error of the binding: a variant per core error code, each with the same explicit
//! fields (uniffi drops a Rust `Display`, so the message travels as a field).
//!
//! Kotlin: `QualysCsException.NotFound`, … (the `message` field is `errorMessage` there, since
//! `Throwable.message` is taken); Swift: `QualysCsError.notFound(code:message:…)`.

use crate::types::{Violation, violations_out};
use qualys_cs_core as qc;
use std::time::Duration;

macro_rules! error_enum {
    ($( $(#[$vmeta:meta])* $variant:ident => $code:literal ),+ $(,)?) => {
        /// Every failure, one variant per stable code of the core. All variants carry the same
        /// fields; none ever holds a password or a token.
        #[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, uniffi::Error)]
        pub enum QualysCsError {
            $(
                $(#[$vmeta])*
                #[error("{message}")]
                $variant {
                    /// The stable, language-neutral code (`validation`, `not_found`, …).
                    code: String,
                    /// What went wrong, for people (the core error's text).
                    message: String,
                    /// HTTP status, for errors that come from an answer.
                    status: Option<u16>,
                    /// Request id sent back by the server, when any.
                    request_id: Option<String>,
                    /// Qualys `errorCode` from the error body, e.g. `"403 FORBIDDEN"`.
                    qualys_error_code: Option<String>,
                    /// The server's message: Qualys `message` from the error body.
                    server_message: Option<String>,
                    /// The raw body when it was not a Qualys error body (truncated).
                    body: Option<String>,
                    /// How long the server asked to wait (`rate_limited`): `java.time.Duration`
                    /// in Kotlin, `TimeInterval` (seconds) in Swift.
                    retry_after: Option<Duration>,
                    /// Every problem found (`validation`); empty otherwise.
                    violations: Vec<Violation>,
                    /// The fields the server's answer left out (`not_reported`, canonical
                    /// names such as `weekDay`); empty otherwise.
                    fields: Vec<String>,
                },
            )+
        }

        impl QualysCsError {
            /// Builds the variant of `code` (unknown codes become `Http`, keeping the code).
            fn from_parts(p: Parts) -> Self {
                let Parts { code, message, status, request_id, qualys_error_code, server_message, body, retry_after, violations, fields } = p;
                match code.as_str() {
                    $( $code => QualysCsError::$variant {
                        code, message, status, request_id, qualys_error_code, server_message, body, retry_after, violations, fields,
                    }, )+
                    _ => QualysCsError::Http {
                        code, message, status, request_id, qualys_error_code, server_message, body, retry_after, violations, fields,
                    },
                }
            }

            /// A copy of the fields (every variant has the same).
            fn parts(&self) -> Parts {
                match self {
                    $( QualysCsError::$variant { code, message, status, request_id, qualys_error_code, server_message, body, retry_after, violations, fields } )|+ =>
                        Parts {
                            code: code.clone(),
                            message: message.clone(),
                            status: *status,
                            request_id: request_id.clone(),
                            qualys_error_code: qualys_error_code.clone(),
                            server_message: server_message.clone(),
                            body: body.clone(),
                            retry_after: *retry_after,
                            violations: violations.clone(),
                            fields: fields.clone(),
                        },
                }
            }
        }

        /// The codes of the variants, in order (tests compare them with the core's list).
        #[cfg(test)]
        const VARIANT_CODES: &[&str] = &[$($code),+];
    };
}

/// Accessors of the fields every variant has, on the base type (Kotlin `QualysCsException`,
/// Swift `QualysCsError`), so callers need not match the variant to read them.
#[uniffi::export]
impl QualysCsError {
    /// The stable code (the `code` field of every variant).
    pub fn code(&self) -> String {
        self.parts().code
    }

    /// The message (the `message` field of every variant; `errorMessage` in Kotlin).
    pub fn message(&self) -> String {
        self.parts().message
    }

    /// The HTTP status, for errors that come from an answer.
    pub fn status(&self) -> Option<u16> {
        self.parts().status
    }

    /// The request id sent back by the server, when any.
    pub fn request_id(&self) -> Option<String> {
        self.parts().request_id
    }

    /// Qualys `errorCode` from the error body.
    pub fn qualys_error_code(&self) -> Option<String> {
        self.parts().qualys_error_code
    }

    /// The server's message: Qualys `message` from the error body.
    pub fn server_message(&self) -> Option<String> {
        self.parts().server_message
    }

    /// The raw body when it was not a Qualys error body, or could not be decoded.
    pub fn body(&self) -> Option<String> {
        self.parts().body
    }

    /// How long the server asked to wait (`rate_limited`): `java.time.Duration` in Kotlin,
    /// `TimeInterval` in Swift.
    pub fn retry_after(&self) -> Option<Duration> {
        self.parts().retry_after
    }

    /// The violations (empty unless `validation`).
    pub fn violations(&self) -> Vec<Violation> {
        self.parts().violations
    }

    /// The fields the server's answer left out (empty unless `not_reported`).
    pub fn fields(&self) -> Vec<String> {
        self.parts().fields
    }
}

#[derive(Clone)]
struct Parts {
    code: String,
    message: String,
    status: Option<u16>,
    request_id: Option<String>,
    qualys_error_code: Option<String>,
    server_message: Option<String>,
    body: Option<String>,
    retry_after: Option<Duration>,
    violations: Vec<Violation>,
    fields: Vec<String>,
}

error_enum! {
    /// The request breaks documented rules; nothing was sent.
    Validation => "validation",
    /// Credentials were refused or the token is no longer valid (HTTP 401).
    Auth => "auth",
    /// The user lacks a permission (HTTP 403).
    Permission => "permission",
    /// The registry or schedule does not exist.
    NotFound => "not_found",
    /// The operation conflicts with the current state, e.g. the schedule is running.
    Conflict => "conflict",
    /// The server refused the request as malformed (HTTP 400).
    BadRequest => "bad_request",
    /// Too many requests (HTTP 429).
    RateLimited => "rate_limited",
    /// The server failed (HTTP 5xx).
    Server => "server",
    /// Any other unexpected HTTP status.
    Http => "http",
    /// The connection failed or broke.
    Transport => "transport",
    /// A request or an overall deadline ran out.
    Timeout => "timeout",
    /// An answer could not be decoded.
    Decode => "decode",
    /// The server's answer does not carry fields a computation needs (e.g. the run times
    /// of a schedule listed without its interval or weekday); see `fields`.
    NotReported => "not_reported",
    /// The SDK is configured wrongly (missing credentials, bad URL, …).
    Config => "config",
}

impl From<qc::Error> for QualysCsError {
    fn from(e: qc::Error) -> Self {
        let http = e.http();
        let retry_after = match &e {
            qc::Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        };
        let body = match &e {
            qc::Error::Decode { body, .. } => body.clone(),
            _ => http.and_then(|d| d.body.clone()),
        };
        QualysCsError::from_parts(Parts {
            code: e.code().to_owned(),
            message: e.to_string(),
            status: http.map(|d| d.status),
            request_id: http.and_then(|d| d.request_id.clone()),
            qualys_error_code: http.and_then(|d| d.qualys_error_code.clone()),
            server_message: http.and_then(|d| d.message.clone()),
            body,
            retry_after,
            violations: violations_out(e.violations().to_vec()),
            fields: match &e {
                qc::Error::NotReported { fields, .. } => fields.clone(),
                _ => Vec::new(),
            },
        })
    }
}

impl From<qualys_cs_emulator::Error> for QualysCsError {
    fn from(e: qualys_cs_emulator::Error) -> Self {
        let code = match e {
            qualys_cs_emulator::Error::Bind { .. } => "transport",
            _ => "config",
        };
        QualysCsError::from_parts(Parts {
            code: code.to_owned(),
            message: format!("emulator: {e}"),
            status: None,
            request_id: None,
            qualys_error_code: None,
            server_message: None,
            body: None,
            retry_after: None,
            violations: Vec::new(),
            fields: Vec::new(),
        })
    }
}

/// The error the core maps an HTTP error answer to (`Error::from_http`), as a value (for
/// callers that get answers by other means, and for the shared response vectors).
#[uniffi::export]
pub fn error_from_http(
    status: u16,
    request_id: Option<String>,
    body: String,
    retry_after: Option<Duration>,
) -> QualysCsError {
    qc::Error::from_http(status, request_id, &body, retry_after).into()
}

/// Every code an error can carry (the core's list).
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    qc::Error::CODES.iter().map(|c| (*c).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_has_its_variant() {
        assert_eq!(VARIANT_CODES, qc::Error::CODES);
        for code in qc::Error::CODES {
            let e = QualysCsError::from_parts(Parts {
                code: (*code).to_owned(),
                message: "m".into(),
                status: None,
                request_id: None,
                qualys_error_code: None,
                server_message: None,
                body: None,
                retry_after: None,
                violations: Vec::new(),
                fields: Vec::new(),
            });
            assert_eq!(e.code(), *code);
            assert_eq!(e.to_string(), "m");
        }
    }

    #[test]
    fn http_details_and_retry_after_travel() {
        let e: QualysCsError = qc::Error::from_http(
            429,
            Some("r-9".into()),
            r#"{"errorCode":"429 TOO_MANY_REQUESTS","message":"slow down"}"#,
            Some(Duration::from_millis(1500)),
        )
        .into();
        match e {
            QualysCsError::RateLimited {
                code,
                status,
                request_id,
                qualys_error_code,
                retry_after,
                message,
                ..
            } => {
                assert_eq!(code, "rate_limited");
                assert_eq!(status, Some(429));
                assert_eq!(request_id.as_deref(), Some("r-9"));
                assert_eq!(qualys_error_code.as_deref(), Some("429 TOO_MANY_REQUESTS"));
                assert_eq!(retry_after, Some(Duration::from_millis(1500)));
                assert!(message.contains("slow down"), "{message}");
            }
            other => panic!("wrong variant {other:?}"),
        }
    }
}
