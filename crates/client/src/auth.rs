//! Tokens: `POST {gateway}/auth`, renewal ahead of expiry, one renewal in flight.

use crate::config::RetryPolicy;
use crate::http::{self, FailKind, Failure};
use crate::secret::Secret;
use base64::Engine as _;
use qualys_cs_core::Error;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{Mutex, RwLock};

/// Lifetime assumed when a token carries no readable `exp` (spec §2: 4 hours).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(4 * 3600);

/// Where tokens come from.
#[derive(Clone)]
pub(crate) enum AuthSource {
    /// Username and password: tokens are fetched and renewed.
    Password { username: String, password: Secret },
    /// A fixed token only: never renewed.
    Fixed,
}

#[derive(Clone)]
pub(crate) struct CachedToken {
    pub token: Secret,
    /// Renew after this instant (ahead of expiry).
    refresh_at: Instant,
    /// The token is no longer usable after this instant.
    expires_at: Instant,
}

pub(crate) struct Auth {
    pub source: AuthSource,
    url: String,
    cache: RwLock<Option<CachedToken>>,
    /// Held while a token is fetched: one fetch in flight however many tasks wait.
    refresh: Mutex<()>,
    fetches: AtomicU64,
}

impl Auth {
    pub fn new(source: AuthSource, initial: Option<Secret>, url: String) -> Self {
        let cache = initial.map(|t| cached(t, Instant::now()));
        Auth {
            source,
            url,
            cache: RwLock::new(cache),
            refresh: Mutex::new(()),
            fetches: AtomicU64::new(0),
        }
    }

    /// True when a refused token can be replaced (credentials are configured).
    pub fn can_renew(&self) -> bool {
        matches!(self.source, AuthSource::Password { .. })
    }

    /// The username, when credentials are configured.
    pub fn username(&self) -> Option<&str> {
        match &self.source {
            AuthSource::Password { username, .. } => Some(username),
            AuthSource::Fixed => None,
        }
    }

    /// How many times a token was fetched from `/auth`.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// A token to send. `refused` is a token the server just answered 401 to: a different
    /// (newer) token is returned, fetching one if no other task already did.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        retry: &RetryPolicy,
        refused: Option<&Secret>,
    ) -> Result<Secret, Error> {
        let usable =
            |c: &CachedToken, now: Instant| refused != Some(&c.token) && now < c.expires_at;
        {
            let guard = self.cache.read().await;
            if let Some(c) = guard.as_ref() {
                let now = Instant::now();
                if usable(c, now) && (now < c.refresh_at || !self.can_renew()) {
                    return Ok(c.token.clone());
                }
                if usable(c, now) {
                    // Due for renewal but still valid: renew unless another task is already
                    // doing it, in which case keep using this one meanwhile.
                    if let Ok(lock) = self.refresh.try_lock() {
                        let token = c.token.clone();
                        drop(guard);
                        return match self.fetch_locked(http, retry).await {
                            Ok(t) => Ok(t),
                            Err(e) => {
                                tracing::warn!(
                                    code = e.code(),
                                    "token renewal ahead of expiry failed; using the current token until it expires"
                                );
                                drop(lock);
                                Ok(token)
                            }
                        };
                    }
                    return Ok(c.token.clone());
                }
            }
        }
        match &self.source {
            AuthSource::Fixed => {
                // A fixed token is used as given; the server decides (a 401 becomes `auth`).
                let guard = self.cache.read().await;
                match guard.as_ref() {
                    Some(c) if refused != Some(&c.token) => Ok(c.token.clone()),
                    _ => Err(Error::config(
                        "credentials",
                        "the token was refused and no credentials are configured to get a new one: pass credentials(username, password) or set QUALYS_USERNAME and QUALYS_PASSWORD",
                    )),
                }
            }
            AuthSource::Password { .. } => {
                let _lock = self.refresh.lock().await;
                // Another task may have fetched a token while this one waited.
                if let Some(c) = self.cache.read().await.as_ref() {
                    let now = Instant::now();
                    if usable(c, now) && now < c.refresh_at {
                        return Ok(c.token.clone());
                    }
                }
                self.fetch_locked(http, retry).await
            }
        }
    }

    /// Fetches a token (the caller holds `self.refresh`) and caches it.
    async fn fetch_locked(
        &self,
        http: &reqwest::Client,
        retry: &RetryPolicy,
    ) -> Result<Secret, Error> {
        let AuthSource::Password { username, password } = &self.source else {
            return Err(Error::config(
                "credentials",
                "no credentials to fetch a token with",
            ));
        };
        let first = Instant::now();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let sent = Instant::now();
            let result = self.post_auth(http, username, password, attempt).await;
            match result {
                Ok(token) => {
                    self.fetches.fetch_add(1, Ordering::Relaxed);
                    let entry = cached(token.clone(), sent);
                    tracing::debug!(
                        attempt,
                        lifetime_s = entry.expires_at.saturating_duration_since(sent).as_secs(),
                        "got a token"
                    );
                    *self.cache.write().await = Some(entry);
                    return Ok(token);
                }
                Err(f) => match http::next_delay(retry, &f, attempt, first) {
                    Some(delay) => {
                        tracing::debug!(
                            attempt,
                            code = f.error.code(),
                            delay_ms = delay.as_millis() as u64,
                            "retrying /auth"
                        );
                        tokio::time::sleep(delay).await;
                    }
                    None => return Err(f.error),
                },
            }
        }
    }

    async fn post_auth(
        &self,
        http: &reqwest::Client,
        username: &str,
        password: &Secret,
        attempt: u32,
    ) -> Result<Secret, Failure> {
        let started = Instant::now();
        let form = [
            ("username", username),
            ("password", password.expose()),
            ("token", "true"),
        ];
        let resp = http
            .post(&self.url)
            .header(reqwest::header::ACCEPT, "text/plain, application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| http::transport_failure(&e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.text().await.map_err(|e| http::transport_failure(&e))?;
        tracing::debug!(
            method = "POST",
            path = "/auth",
            status,
            attempt,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "auth answer"
        );
        if (200..300).contains(&status) {
            return token_from_body(&body).ok_or_else(|| Failure {
                error: Error::Decode {
                    message: format!("/auth answered {status} without a token in the body"),
                    body: None,
                },
                kind: FailKind::Final,
                retry_after: None,
            });
        }
        Err(http::status_failure(status, &headers, &body))
    }
}

/// Reads the token from an `/auth` answer: the raw JWT text, or a JSON object/string holding it.
fn token_from_body(body: &str) -> Option<Secret> {
    let text = body.trim();
    let token = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(m)) => ["token", "access_token", "jwt"]
            .iter()
            .find_map(|k| m.get(*k).and_then(|v| v.as_str()).map(str::to_owned))?,
        _ => text.to_owned(),
    };
    let token = token.trim();
    (!token.is_empty() && !token.chars().any(|c| c.is_whitespace() || c.is_control()))
        .then(|| Secret::new(token))
}

fn cached(token: Secret, obtained: Instant) -> CachedToken {
    let lifetime =
        jwt_lifetime(token.expose(), SystemTime::now()).unwrap_or(DEFAULT_TOKEN_LIFETIME);
    let margin = refresh_margin(lifetime);
    CachedToken {
        token,
        refresh_at: obtained + lifetime.saturating_sub(margin),
        expires_at: obtained + lifetime,
    }
}

/// Renew this long before expiry: min(5 min, 10 % of the lifetime).
pub(crate) fn refresh_margin(lifetime: Duration) -> Duration {
    std::cmp::min(Duration::from_secs(300), lifetime / 10)
}

/// The remaining lifetime of a JWT from its `exp` claim (base64url-decoded payload, no
/// signature check): `exp - iat` when `iat` is present (immune to clock skew; less 1 s for
/// whole-second claims, since the token may have been issued up to 1 s after `iat`), else
/// `exp - now`. `None` when unreadable or not in the future (the caller assumes 4 h).
pub(crate) fn jwt_lifetime(token: &str, now: SystemTime) -> Option<Duration> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let num = |k: &str| {
        claims
            .get(k)
            .and_then(serde_json::Value::as_f64)
            .filter(|x| x.is_finite())
    };
    let exp = num("exp")?;
    let secs = match num("iat") {
        Some(iat) if exp > iat => {
            // Whole-second claims: the token may have been issued up to 1 s after `iat`.
            let span = exp - iat;
            if iat.fract() == 0.0 && exp.fract() == 0.0 {
                if span > 1.0 { span - 1.0 } else { span / 2.0 }
            } else {
                span
            }
        }
        _ => exp - now.duration_since(UNIX_EPOCH).ok()?.as_secs_f64(),
    };
    (secs > 0.0 && secs < 400.0 * 86_400.0).then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            e.encode(r#"{"alg":"HS256"}"#),
            e.encode(claims)
        )
    }

    #[test]
    fn lifetime_from_exp_and_iat() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            jwt_lifetime(&jwt(r#"{"exp":1000,"iat":990}"#), now),
            Some(Duration::from_secs(9))
        );
        assert_eq!(
            jwt_lifetime(&jwt(r#"{"exp":1000.5,"iat":990}"#), now),
            Some(Duration::from_millis(10_500))
        );
        assert_eq!(
            jwt_lifetime(&jwt(r#"{"exp":1000120,"sub":"u"}"#), now),
            Some(Duration::from_secs(120))
        );
        // Expired by our clock and no iat: unknown (the caller assumes 4 h).
        assert_eq!(jwt_lifetime(&jwt(r#"{"exp":10}"#), now), None);
        assert_eq!(jwt_lifetime("not-a-jwt", now), None);
        assert_eq!(jwt_lifetime("a.!!!.c", now), None);
    }

    #[test]
    fn margin_is_ten_percent_capped_at_five_minutes() {
        assert_eq!(
            refresh_margin(Duration::from_secs(2)),
            Duration::from_millis(200)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(4 * 3600)),
            Duration::from_secs(300)
        );
    }

    #[test]
    fn token_body_forms() {
        assert_eq!(
            token_from_body(" abc.def.ghi\n").map(|s| s.expose().to_owned()),
            Some("abc.def.ghi".into())
        );
        assert_eq!(
            token_from_body(r#"{"token":"x.y.z"}"#).map(|s| s.expose().to_owned()),
            Some("x.y.z".into())
        );
        assert_eq!(
            token_from_body(r#""q.r.s""#).map(|s| s.expose().to_owned()),
            Some("q.r.s".into())
        );
        assert!(token_from_body("").is_none());
        assert!(token_from_body("<html> error </html>").is_none());
    }
}
