//! Sending: one attempt (limiter, token, 401 renewal), the retry loop of idempotent calls,
//! and the mapping of HTTP answers and transport failures to [`qualys_cs_core::Error`].

use crate::Inner;
use crate::config::RetryPolicy;
use qualys_cs_core::Error;
use rand::Rng as _;
use reqwest::Method;
use reqwest::header::HeaderMap;
use std::time::{Duration, Instant};
use tracing::Instrument as _;

/// Whether a failed request may have been processed by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailKind {
    /// Certainly not processed (connection refused, 429): any call may be retried.
    NotSent,
    /// Maybe processed (timeout, connection broken after sending, 5xx): idempotent calls are
    /// retried; a create looks for its schedule first.
    MaybeSent,
    /// Not worth retrying (4xx other than 429, TLS certificate refused, ...).
    Final,
}

/// A failed attempt.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub kind: FailKind,
    /// What the server asked to wait (`Retry-After`, `X-RateLimit-ToWait-Sec`).
    pub retry_after: Option<Duration>,
}

/// One request to `/csapi/v1.3`.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub method: Method,
    /// Below `/csapi/v1.3`, starting with `/`; ids only through `RegistryId`/`ScheduleId`.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    /// A JSON body.
    pub body: Option<Vec<u8>>,
    /// A `404` on a retry after a maybe-processed attempt means the work is done (delete).
    pub gone_is_done: bool,
}

impl Call {
    pub fn new(method: Method, path: String) -> Self {
        Call {
            method,
            path,
            query: Vec::new(),
            body: None,
            gone_is_done: false,
        }
    }
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub body: String,
}

/// The message of an error and its sources, e.g. `error sending request ...: client error
/// (Connect): tcp connect error: Connection refused (os error 111)`.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        let t = x.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = x.source();
    }
    s
}

/// Maps a reqwest failure: `transport` (with `not_sent` = connect failure) or `timeout`.
pub(crate) fn transport_failure(e: &reqwest::Error) -> Failure {
    let message = error_chain(e);
    let not_sent = e.is_connect();
    // A certificate the client refuses will be refused again: do not retry.
    let lower = message.to_ascii_lowercase();
    let tls_refused = lower.contains("certificate");
    let error = if e.is_timeout() {
        Error::Timeout {
            message: if not_sent {
                format!("connecting: {message}")
            } else {
                message
            },
        }
    } else {
        Error::Transport { message, not_sent }
    };
    let kind = if tls_refused {
        FailKind::Final
    } else if not_sent {
        FailKind::NotSent
    } else {
        FailKind::MaybeSent
    };
    Failure {
        error,
        kind,
        retry_after: None,
    }
}

/// The request id the server sent back, if any.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    [
        "x-request-id",
        "x-correlation-id",
        "x-amzn-requestid",
        "x-amz-request-id",
        "request-id",
    ]
    .iter()
    .find_map(|h| headers.get(*h)?.to_str().ok())
    .map(|s| qualys_cs_core::error::truncate_for_message(s.trim(), 200))
}

fn header_f64(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
}

/// How long the server asked to wait: the larger of `X-RateLimit-ToWait-Sec` and
/// `Retry-After` (seconds or an HTTP date).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let to_wait = header_f64(headers, "x-ratelimit-towait-sec").map(Duration::from_secs_f64);
    let retry = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let v = v.trim();
            if let Ok(secs) = v.parse::<f64>() {
                (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
            } else {
                let when = qualys_cs_core::jiff::fmt::rfc2822::parse(v)
                    .ok()?
                    .timestamp();
                let now = qualys_cs_core::jiff::Timestamp::now();
                Some(Duration::try_from(when.duration_since(now)).unwrap_or(Duration::ZERO))
            }
        });
    match (to_wait, retry) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
    .map(|d| d.min(Duration::from_secs(3600)))
}

/// Maps an HTTP error answer.
pub(crate) fn status_failure(status: u16, headers: &HeaderMap, body: &str) -> Failure {
    let wait = retry_after(headers);
    let error = Error::from_http(status, request_id(headers), body, wait);
    let kind = match status {
        429 => FailKind::NotSent,
        408 | 500..=599 => FailKind::MaybeSent,
        _ => FailKind::Final,
    };
    Failure {
        error,
        kind,
        retry_after: wait,
    }
}

/// A random duration in `0..=max`.
fn jitter(max: Duration) -> Duration {
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(rand::rng().random_range(0..=nanos))
}

/// The wait before the next attempt after `attempt` attempts failed, or `None` when the
/// failure is final or the policy is exhausted (attempts or elapsed time).
///
/// Full jitter: a random delay in `0..=min(max_delay, base_delay * 2^(attempt-1))`; a
/// server-requested wait is honoured (plus a little jitter so waiting tasks do not return
/// all at once).
pub(crate) fn next_delay(
    policy: &RetryPolicy,
    failure: &Failure,
    attempt: u32,
    first_attempt: Instant,
) -> Option<Duration> {
    if failure.kind == FailKind::Final || attempt >= policy.max_attempts {
        return None;
    }
    let delay = backoff(policy, attempt, failure.retry_after);
    (first_attempt.elapsed() + delay <= policy.max_elapsed).then_some(delay)
}

pub(crate) fn backoff(
    policy: &RetryPolicy,
    attempt: u32,
    server_wait: Option<Duration>,
) -> Duration {
    match server_wait {
        Some(w) => w + jitter(policy.base_delay.min(Duration::from_millis(250))),
        None => {
            let exp = policy
                .base_delay
                .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(30)));
            jitter(exp.min(policy.max_delay))
        }
    }
}

impl Inner {
    /// One attempt: limiter slot, token, request, answer. A 401 renews the token (when
    /// credentials are configured) and resends once.
    pub(crate) async fn send_once(&self, call: &Call, attempt: u32) -> Result<Answer, Failure> {
        let mut refused: Option<crate::Secret> = None;
        loop {
            let token = self
                .auth
                .token(&self.http, &self.retry, refused.as_ref())
                .await
                .map_err(|error| Failure {
                    error,
                    kind: FailKind::Final,
                    retry_after: None,
                })?;
            let permit = self.limiter.acquire().await;
            let started = Instant::now();
            let span = tracing::debug_span!(
                "qualys_cs.request",
                method = %call.method,
                path = %call.path,
                attempt,
            );
            let url = format!("{}{}", self.api_base, call.path);
            let mut req = self
                .http
                .request(call.method.clone(), &url)
                .bearer_auth(token.expose())
                .header(reqwest::header::ACCEPT, "application/json");
            if !call.query.is_empty() {
                req = req.query(&call.query);
            }
            if let Some(body) = &call.body {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let result = async {
                let resp = req.send().await.map_err(|e| transport_failure(&e))?;
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                self.limiter.observe(status, &headers);
                self.created_state.observe_date(
                    &headers,
                    qualys_cs_core::jiff::Timestamp::now().as_millisecond(),
                );
                let body = resp.text().await.map_err(|e| transport_failure(&e))?;
                Ok::<_, Failure>((status, headers, body))
            }
            .instrument(span.clone())
            .await;
            drop(permit);
            let elapsed_ms = started.elapsed().as_millis() as u64;
            match result {
                Err(f) => {
                    tracing::debug!(parent: &span, code = f.error.code(), elapsed_ms, "request failed: {}", f.error);
                    return Err(f);
                }
                Ok((status, headers, body)) => {
                    tracing::debug!(parent: &span, status, elapsed_ms, "answer");
                    if (200..300).contains(&status) {
                        return Ok(Answer { body });
                    }
                    if status == 401 && self.auth.can_renew() && refused.is_none() {
                        tracing::debug!(parent: &span, "token refused (401): renewing it and resending once");
                        refused = Some(token);
                        continue;
                    }
                    return Err(status_failure(status, &headers, &body));
                }
            }
        }
    }

    /// Sends an idempotent call, retrying connect errors, timeouts, 429 and 5xx per the
    /// retry policy.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Answer, Error> {
        let first = Instant::now();
        let mut attempt = 0u32;
        let mut maybe_processed = false;
        loop {
            attempt += 1;
            match self.send_once(call, attempt).await {
                Ok(a) => return Ok(a),
                Err(f)
                    if call.gone_is_done
                        && maybe_processed
                        && f.error.http().is_some_and(|d| d.status == 404) =>
                {
                    tracing::debug!(method = %call.method, path = %call.path, attempt, "already gone after an earlier attempt: done");
                    return Ok(Answer {
                        body: String::new(),
                    });
                }
                Err(f) => match next_delay(&self.retry, &f, attempt, first) {
                    Some(delay) => {
                        maybe_processed |= f.kind == FailKind::MaybeSent;
                        tracing::debug!(
                            method = %call.method,
                            path = %call.path,
                            attempt,
                            code = f.error.code(),
                            delay_ms = delay.as_millis() as u64,
                            "retrying"
                        );
                        tokio::time::sleep(delay).await;
                    }
                    None => {
                        if attempt > 1 {
                            tracing::warn!(method = %call.method, path = %call.path, attempt, code = f.error.code(), "giving up: {}", f.error);
                        }
                        return Err(f.error);
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_dates_and_to_wait() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert("x-ratelimit-towait-sec", HeaderValue::from_static("5.5"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(5500)));
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
    }

    #[test]
    fn statuses_map_to_codes_and_retry_classes() {
        let h = HeaderMap::new();
        let f = status_failure(429, &h, "");
        assert_eq!(
            (f.error.code(), f.kind),
            ("rate_limited", FailKind::NotSent)
        );
        let f = status_failure(503, &h, "<html>down</html>");
        assert_eq!((f.error.code(), f.kind), ("server", FailKind::MaybeSent));
        assert_eq!(
            f.error.http().and_then(|d| d.body.as_deref()),
            Some("<html>down</html>")
        );
        let f = status_failure(
            409,
            &h,
            r#"{"errorCode":"409 CONFLICT","message":"running"}"#,
        );
        assert_eq!((f.error.code(), f.kind), ("conflict", FailKind::Final));
    }

    #[test]
    fn backoff_is_bounded_and_stops() {
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            max_elapsed: Duration::from_secs(10),
        };
        for attempt in 1..10 {
            let d = backoff(&p, attempt, None);
            assert!(d <= Duration::from_millis(300), "{d:?}");
            assert!(d <= Duration::from_millis(100) * 2u32.pow(attempt - 1));
        }
        let server = backoff(&p, 1, Some(Duration::from_secs(2)));
        assert!(server >= Duration::from_secs(2) && server <= Duration::from_millis(2100));
        let f = Failure {
            error: Error::Server(Default::default()),
            kind: FailKind::MaybeSent,
            retry_after: None,
        };
        let now = Instant::now();
        assert!(next_delay(&p, &f, 2, now).is_some());
        assert!(next_delay(&p, &f, 3, now).is_none());
        let late = Failure {
            retry_after: Some(Duration::from_secs(60)),
            ..f
        };
        assert!(
            next_delay(&p, &late, 1, now).is_none(),
            "a wait past max_elapsed gives up"
        );
    }
}
