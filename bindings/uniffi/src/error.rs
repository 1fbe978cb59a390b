//! The one error of the binding: a variant per core error code, all with the same fields.
//! Kotlin: `QualysCsException.NotFound`, … (`message` is `errorMessage` there, and test.sh makes
//! `Throwable.message` that sentence); Swift: `QualysCsError.notFound(code:message:…)`.

use qualys_cs_core as qc;
use qualys_cs_core::Violation;
use std::time::Duration;

macro_rules! error_enum {
    ($( $(#[$vmeta:meta])* $variant:ident => $code:literal ),+ $(,)?) => {
        /// Every failure, one variant per stable code of the core. All variants carry the same
        /// fields; none ever holds a password or a token.
        #[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, uniffi::Error)]
        pub enum QualysCsError {
            $( $(#[$vmeta])* #[error("{message}")] $variant {
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
                /// How long the server asked to wait (`rate_limited`).
                retry_after: Option<Duration>,
                /// Every problem found (`validation`); empty otherwise.
                violations: Vec<Violation>,
                /// The fields the server's answer left out (`not_reported`); empty otherwise.
                fields: Vec<String>,
            }, )+
        }

        impl QualysCsError {
            /// The variant of `p.code` (unknown codes become `Http`, keeping the code).
            fn from_parts(p: Parts) -> Self {
                let Parts { code, message, status, request_id, qualys_error_code, server_message, body, retry_after, violations, fields } = p;
                match code.as_str() {
                    $( $code => Self::$variant { code, message, status, request_id, qualys_error_code, server_message, body, retry_after, violations, fields }, )+
                    _ => Self::Http { code, message, status, request_id, qualys_error_code, server_message, body, retry_after, violations, fields },
                }
            }

            /// A copy of the fields (every variant has the same).
            fn parts(&self) -> Parts {
                match self {
                    $( Self::$variant { code, message, status, request_id, qualys_error_code, server_message, body, retry_after, violations, fields } )|+ => Parts {
                        code: code.clone(), message: message.clone(), status: *status, request_id: request_id.clone(),
                        qualys_error_code: qualys_error_code.clone(), server_message: server_message.clone(),
                        body: body.clone(), retry_after: *retry_after, violations: violations.clone(), fields: fields.clone(),
                    },
                }
            }
        }

        #[cfg(test)]
        const VARIANT_CODES: &[&str] = &[$($code),+];
    };
}

macro_rules! getters {
    ($( $(#[$m:meta])* $field:ident: $t:ty ),+ $(,)?) => {
        /// The fields every variant has, on the base type (Kotlin `QualysCsException`, Swift
        /// `QualysCsError`), so callers need not match the variant to read them.
        #[uniffi::export]
        impl QualysCsError {
            $( $(#[$m])* pub fn $field(&self) -> $t { self.parts().$field } )+
        }

        #[derive(Clone, Default)]
        struct Parts { $( $field: $t, )+ }
    };
}

getters! {
    /// The stable code.
    code: String,
    /// The message (`errorMessage` on a Kotlin variant).
    message: String,
    /// The HTTP status, for errors that come from an answer.
    status: Option<u16>,
    /// The request id sent back by the server, when any.
    request_id: Option<String>,
    /// Qualys `errorCode` from the error body.
    qualys_error_code: Option<String>,
    /// The server's message: Qualys `message` from the error body.
    server_message: Option<String>,
    /// The raw body when it was not a Qualys error body, or could not be decoded.
    body: Option<String>,
    /// How long the server asked to wait (`rate_limited`).
    retry_after: Option<Duration>,
    /// The violations (empty unless `validation`).
    violations: Vec<Violation>,
    /// The fields the server's answer left out (empty unless `not_reported`).
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
    /// The server's answer does not carry fields a computation needs (see `fields`).
    NotReported => "not_reported",
    /// The SDK is configured wrongly (missing credentials, bad URL, …).
    Config => "config",
}

impl From<qc::Error> for QualysCsError {
    fn from(e: qc::Error) -> Self {
        let http = e.http();
        let (retry_after, body, fields) = match &e {
            qc::Error::RateLimited { retry_after, .. } => (*retry_after, None, Vec::new()),
            qc::Error::Decode { body, .. } => (None, body.clone(), Vec::new()),
            qc::Error::NotReported { fields, .. } => (None, None, fields.clone()),
            _ => (None, None, Vec::new()),
        };
        QualysCsError::from_parts(Parts {
            code: e.code().to_owned(),
            message: e.to_string(),
            status: http.map(|d| d.status),
            request_id: http.and_then(|d| d.request_id.clone()),
            qualys_error_code: http.and_then(|d| d.qualys_error_code.clone()),
            server_message: http.and_then(|d| d.message.clone()),
            body: body.or_else(|| http.and_then(|d| d.body.clone())),
            retry_after,
            violations: e.violations().to_vec(),
            fields,
        })
    }
}

impl From<qualys_cs_emulator::Error> for QualysCsError {
    fn from(e: qualys_cs_emulator::Error) -> Self {
        qc::Error::from(e).into()
    }
}

/// The error the core maps an HTTP error answer to (for the shared response vectors).
#[uniffi::export]
pub fn error_from_http(
    status: u16, request_id: Option<String>, body: String, retry_after: Option<Duration>,
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
            let (code, message) = ((*code).to_owned(), "m".to_owned());
            let e = QualysCsError::from_parts(Parts {
                code: code.clone(),
                message,
                ..Parts::default()
            });
            assert_eq!((e.code(), e.to_string()), (code, "m".to_owned()));
        }
    }
}
