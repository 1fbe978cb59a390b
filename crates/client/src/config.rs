//! Configuration: [`ClientBuilder`], [`RetryPolicy`], [`RateLimitPolicy`], [`CreateRecovery`].

use crate::auth::{Auth, AuthSource};
use crate::limiter::Limiter;
use crate::platform::Platform;
use crate::secret::Secret;
use crate::{Client, Inner};
use qualys_cs_core::Error;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout of one HTTP request (connect + send + whole answer).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Environment variables read by [`ClientBuilder::from_env`].
pub const ENV_VARS: [&str; 5] = [
    "QUALYS_USERNAME",
    "QUALYS_PASSWORD",
    "QUALYS_TOKEN",
    "QUALYS_PLATFORM",
    "QUALYS_GATEWAY_URL",
];

/// How failed requests are retried (exponential backoff with full jitter).
///
/// The delay before retry `n` (1-based) is a random duration in
/// `0..=min(max_delay, base_delay * 2^(n-1))`; when the server says how long to wait
/// (`Retry-After`, `X-RateLimit-ToWait-Sec`) that wait is honoured instead. Retrying stops
/// after `max_attempts` attempts in all, or when the next wait would end later than
/// `max_elapsed` after the first attempt; the last error is returned then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry). Default 5.
    #[cfg_attr(feature = "uniffi", uniffi(default = 5))]
    pub max_attempts: u32,
    /// Base of the exponential backoff. Default 200 ms.
    pub base_delay: Duration,
    /// Cap of one backoff delay (a server-requested wait may be longer). Default 20 s.
    pub max_delay: Duration,
    /// Give up when the next retry would start later than this after the first attempt.
    /// Default 60 s.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            max_elapsed: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }
}

/// The client-side rate limiter of `/csapi` calls (never `/auth`).
///
/// The limiter learns the server's budget from `X-RateLimit-Limit` and
/// `X-RateLimit-Window-Sec` on every answer and keeps a sliding log of its own sends, so it
/// never starts more than `limit` requests within one window. `X-RateLimit-Remaining` lower
/// than its own count (other clients of the same subscription) shrinks the budget; `0` makes
/// it wait for the window; a `429` pauses every task for `X-RateLimit-ToWait-Sec` /
/// `Retry-After`. Until the first answer has been seen only one request is in flight (a
/// probe), so a burst cannot overshoot an unknown limit. `max_concurrency` caps requests in
/// flight at any time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RateLimitPolicy {
    /// Most requests in flight at once. Default 16.
    #[cfg_attr(feature = "uniffi", uniffi(default = 16))]
    pub max_concurrency: usize,
    /// Calls per window assumed until the server's headers say otherwise. Default 1000
    /// (the documented Qualys limit).
    #[cfg_attr(feature = "uniffi", uniffi(default = 1000))]
    pub initial_limit: u32,
    /// Window assumed until the server's headers say otherwise. Default 60 s.
    pub initial_window: Duration,
    /// `false` turns the limiter off (no concurrency cap, no budget). Default `true`.
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub enabled: bool,
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        RateLimitPolicy {
            max_concurrency: 16,
            initial_limit: 1000,
            initial_window: Duration::from_secs(60),
            enabled: true,
        }
    }
}

impl RateLimitPolicy {
    /// A disabled limiter.
    pub fn disabled() -> Self {
        RateLimitPolicy {
            enabled: false,
            ..Default::default()
        }
    }
}

/// How [`Client::create_schedule`] finds out what happened after an ambiguous failure (an
/// answer lost, a timeout, a `5xx`, a `429`), so that a retried create neither duplicates nor
/// loses a schedule. The guarantee is written down in `docs/create-guarantee.md`; see
/// [`Client::create_schedule`] for the algorithm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CreateRecovery {
    /// Default. No call before the POST (one call per create). After an ambiguous failure the
    /// client lists the schedules with that name newest first and keeps only those created
    /// after its first send (by the server's clock, learnt from every answer's `Date`
    /// header), with the same content and an id it has not returned before: one is the
    /// schedule this call made (recovered); several are a `conflict` naming them; none means
    /// "not yet": it looks again until the settle window ends, then sends again, and after a
    /// successful re-send looks once more and deletes a surplus identical schedule that the
    /// first attempt made late. A registry whose answers carry no `created` falls back to
    /// [`CreateRecovery::Snapshot`].
    #[default]
    CreationCutoff,
    /// Before the first POST, list the schedules that already carry the name (one extra
    /// `GET` per create). After an ambiguous failure, a schedule with the name and the same
    /// content that was not in that snapshot is the one this call created.
    Snapshot,
    /// Like [`CreateRecovery::CreationCutoff`], but a schedule with the name created after the
    /// first send is taken as this call's whatever its content (for names that are unique by
    /// construction). A schedule that existed before the call is never returned.
    AssumeUniqueNames,
}

#[derive(Clone, Default)]
enum ProxyChoice {
    /// HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY from the environment.
    #[default]
    System,
    Url(String),
    None,
}

/// Builds a [`Client`]. Start with [`Client::builder`] or [`ClientBuilder::from_env`].
///
/// ```no_run
/// use qualys_cs_client::{Client, Platform};
/// # fn main() -> Result<(), qualys_cs_core::Error> {
/// let client = Client::builder()
///     .platform(Platform::Us2)
///     .credentials("acme2ab", "s3cret")
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    platform: Option<Platform>,
    gateway_url: Option<String>,
    username: Option<String>,
    password: Option<Secret>,
    token: Option<Secret>,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    proxy: ProxyChoice,
    root_certs: Vec<Vec<u8>>,
    user_agent_suffix: Option<String>,
    retry: RetryPolicy,
    rate_limit: RateLimitPolicy,
    create_recovery: CreateRecovery,
    create_settle: Option<Duration>,
    allow_insecure_http: bool,
    deferred_error: Option<Error>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("platform", &self.platform)
            .field("gateway_url", &self.gateway_url)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("token", &self.token)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("proxy", &self.proxy_description())
            .field("root_certificates", &self.root_certs.len())
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("create_recovery", &self.create_recovery)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl ClientBuilder {
    /// An empty builder (same as [`Client::builder`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder filled from `QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`,
    /// `QUALYS_PLATFORM` and `QUALYS_GATEWAY_URL` (empty values count as unset); tweak it,
    /// then [`build`](Self::build).
    pub fn from_env() -> Self {
        Self::from_env_with(|k| std::env::var(k).ok())
    }

    /// Like [`from_env`](Self::from_env) with a custom lookup (tests, bindings passing a dict).
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let mut b = Self::new();
        if let Some(u) = get("QUALYS_USERNAME") {
            b.username = Some(u.trim().to_owned());
        }
        if let Some(p) = get("QUALYS_PASSWORD") {
            b.password = Some(Secret::new(p));
        }
        if let Some(t) = get("QUALYS_TOKEN") {
            b.token = Some(Secret::new(t.trim()));
        }
        if let Some(p) = get("QUALYS_PLATFORM") {
            match p.parse::<Platform>() {
                Ok(p) => b.platform = Some(p),
                Err(_) => {
                    b.deferred_error = Some(Error::config(
                        "QUALYS_PLATFORM",
                        format!(
                            "unknown platform {:?}; use one of {} or set QUALYS_GATEWAY_URL instead",
                            qualys_cs_core::error::truncate_for_message(p.trim(), 40),
                            Platform::known_list()
                        ),
                    ))
                }
            }
        }
        if let Some(g) = get("QUALYS_GATEWAY_URL") {
            b.gateway_url = Some(g.trim().to_owned());
        }
        b
    }

    /// Use the gateway of this Qualys platform.
    pub fn platform(mut self, platform: Platform) -> Self {
        self.platform = Some(platform);
        self
    }

    /// Use this gateway base URL (private clouds, the emulator). Wins over
    /// [`platform`](Self::platform). Plain `http://` is accepted only for loopback hosts
    /// unless [`allow_insecure_http`](Self::allow_insecure_http) is set.
    pub fn gateway_url(mut self, url: impl Into<String>) -> Self {
        self.gateway_url = Some(url.into());
        self
    }

    /// Log in with a username and password; the client gets and renews tokens itself.
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self.password = Some(Secret::new(password));
        self
    }

    /// Username and password as given separately (either may be missing: `build` then says
    /// which one is).
    pub(crate) fn set_credentials(
        mut self,
        username: Option<String>,
        password: Option<Secret>,
    ) -> Self {
        if username.is_some() || password.is_some() {
            self.username = username;
            self.password = password;
        }
        self
    }

    /// Use a ready token (JWT). Without credentials it is used until refused (then calls fail
    /// with an `auth` error); with credentials it is used first and renewed with them.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret::new(token));
        self
    }

    /// Timeout to establish a connection. Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Timeout of one HTTP request, answer included. Default 60 s.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Send every request through this proxy (`http://`, `https://` or `socks5://` URL),
    /// instead of the `HTTPS_PROXY` / `NO_PROXY` environment (the default).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxyChoice::Url(url.into());
        self
    }

    /// Use no proxy at all, whatever the environment says.
    ///
    /// By default the environment is honoured, except that a loopback gateway
    /// (`localhost`, `127.0.0.0/8`, `::1`) is always reached directly.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxyChoice::None;
        self
    }

    /// Trust these extra CA certificates (PEM, one or several), on top of the system's.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.root_certs.push(pem.to_vec());
        self
    }

    /// Appended to the `User-Agent` header (e.g. `"my-tool/1.2"`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Retry settings.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Rate-limit settings.
    pub fn rate_limit(mut self, policy: RateLimitPolicy) -> Self {
        self.rate_limit = policy;
        self
    }

    /// How creates are protected against duplicates when retried. Default
    /// [`CreateRecovery::CreationCutoff`].
    pub fn create_recovery(mut self, mode: CreateRecovery) -> Self {
        self.create_recovery = mode;
        self
    }

    /// After an ambiguous create failure, how long the client keeps looking for a schedule
    /// that the server may still be making (a slow gateway that finishes after the client's
    /// timeout) before it sends the create again. Default: twice the request timeout, between 5 s and
    /// 60 s.
    pub fn create_settle_window(mut self, window: Duration) -> Self {
        self.create_settle = Some(window);
        self
    }

    /// Allow plain `http://` to a non-loopback gateway (tokens and passwords then travel
    /// unencrypted). Default `false`.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    fn proxy_description(&self) -> String {
        match &self.proxy {
            ProxyChoice::System => "environment".into(),
            ProxyChoice::None => "none".into(),
            ProxyChoice::Url(u) => match url::Url::parse(u) {
                // Never print proxy credentials.
                Ok(p) => format!(
                    "{}://{}{}",
                    p.scheme(),
                    p.host_str().unwrap_or(""),
                    p.port().map(|x| format!(":{x}")).unwrap_or_default()
                ),
                Err(_) => "(unparsable)".into(),
            },
        }
    }

    fn resolve_gateway(&self) -> Result<url::Url, Error> {
        let (text, field) = if let Some(g) = &self.gateway_url {
            (g.trim().to_owned(), "gateway_url")
        } else if let Some(p) = self.platform {
            (p.gateway_url().to_owned(), "platform")
        } else if let Some(p) = self.username.as_deref().and_then(Platform::from_username) {
            (p.gateway_url().to_owned(), "platform")
        } else {
            return Err(Error::config(
                "gateway_url",
                format!(
                    "no gateway: set the platform (one of {}) or the gateway URL, or the environment variable QUALYS_PLATFORM or QUALYS_GATEWAY_URL{}",
                    Platform::known_list(),
                    if self.username.is_some() {
                        "; the username's 5th character does not name a platform"
                    } else {
                        ""
                    }
                ),
            ));
        };
        let url = url::Url::parse(&text).map_err(|e| {
            Error::config(
                field,
                format!(
                    "{:?} is not a valid URL ({e}); give the gateway base URL, e.g. https://gateway.qg2.apps.qualys.com",
                    qualys_cs_core::error::truncate_for_message(&text, 80)
                ),
            )
        })?;
        match url.scheme() {
            "https" => {}
            "http" => {
                if !self.allow_insecure_http && !is_loopback(&url) {
                    return Err(Error::config(
                        "gateway_url",
                        format!(
                            "plain http:// is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1), not {:?}: use https://, or turn on the allow-insecure-http setting if you really mean to send credentials unencrypted",
                            url.host_str().unwrap_or("")
                        ),
                    ));
                }
            }
            other => {
                return Err(Error::config(
                    "gateway_url",
                    format!(
                        "the scheme must be https:// (or http:// for loopback), not {other}://"
                    ),
                ));
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::config("gateway_url", "the URL has no host"));
        }
        if url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(Error::config(
                "gateway_url",
                "give the bare gateway base URL, without user info, query or fragment",
            ));
        }
        Ok(url)
    }

    fn resolve_auth_source(&self) -> Result<(AuthSource, Option<Secret>), Error> {
        let token = self.token.clone().filter(|t| !t.is_blank());
        match (&self.username, &self.password) {
            (Some(u), Some(p)) if !u.trim().is_empty() && !p.is_blank() => Ok((
                AuthSource::Password {
                    username: u.trim().to_owned(),
                    password: p.clone(),
                },
                token,
            )),
            (Some(u), _) if !u.trim().is_empty() && token.is_none() => Err(Error::config(
                "credentials",
                "a username was given without a password: give the password too, or set QUALYS_PASSWORD",
            )),
            (None | Some(_), Some(p)) if !p.is_blank() && token.is_none() => Err(Error::config(
                "credentials",
                "a password was given without a username: give the username too, or set QUALYS_USERNAME",
            )),
            _ => match token {
                Some(t) => Ok((AuthSource::Fixed, Some(t))),
                None => Err(Error::config(
                    "credentials",
                    "no credentials: give a username and a password, or a token; or set QUALYS_USERNAME and QUALYS_PASSWORD (or QUALYS_TOKEN)",
                )),
            },
        }
    }

    /// Checks the settings and builds the client. Fails with a `config` error naming the
    /// setting and the fix.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(e) = self.deferred_error.clone() {
            return Err(e);
        }
        let gateway = self.resolve_gateway()?;
        let (source, initial_token) = self.resolve_auth_source()?;
        let retry = self.retry;
        if retry.max_attempts == 0 {
            return Err(Error::config(
                "retry.max_attempts",
                "must be at least 1 (1 = no retries)",
            ));
        }
        if self.rate_limit.enabled
            && (self.rate_limit.max_concurrency == 0
                || self.rate_limit.initial_limit == 0
                || self.rate_limit.initial_window.is_zero())
        {
            return Err(Error::config(
                "rate_limit",
                "max_concurrency, initial_limit and initial_window must be above zero (or set enabled = false)",
            ));
        }

        let mut ua = format!("qualys-cs-client/{}", env!("CARGO_PKG_VERSION"));
        if let Some(s) = self.user_agent_suffix.as_deref().map(str::trim)
            && !s.is_empty()
        {
            if s.chars().any(|c| c.is_control()) {
                return Err(Error::config(
                    "user_agent_suffix",
                    "must not contain control characters",
                ));
            }
            ua.push(' ');
            ua.push_str(s);
        }

        install_crypto_provider();
        let mut http = reqwest::Client::builder()
            // Never follow a redirect: one would carry the `/auth` form (username, password)
            // or the bearer token to whatever origin it names (spec §8). A 3xx is an error.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(ua)
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .timeout(self.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT))
            .pool_idle_timeout(Duration::from_secs(30));
        match &self.proxy {
            ProxyChoice::System => {
                if is_loopback(&gateway) {
                    // A proxy cannot reach this machine's loopback: go direct.
                    http = http.no_proxy();
                }
            }
            ProxyChoice::None => http = http.no_proxy(),
            ProxyChoice::Url(u) => {
                let p = reqwest::Proxy::all(u.as_str()).map_err(|e| {
                    Error::config(
                        "proxy",
                        format!(
                            "not a usable proxy URL ({e}); give e.g. http://proxy.example:3128"
                        ),
                    )
                })?;
                http = http.proxy(p);
            }
        }
        for (i, pem) in self.root_certs.iter().enumerate() {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::config(
                    "root_certificate",
                    format!("certificate #{} is not valid PEM ({e}); pass the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)", i + 1),
                )
            })?;
            if certs.is_empty() {
                return Err(Error::config(
                    "root_certificate",
                    format!(
                        "certificate #{} holds no PEM certificate; pass the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)",
                        i + 1
                    ),
                ));
            }
            http = http.tls_certs_merge(certs);
        }
        let http = http.build().map_err(|e| {
            Error::config(
                "http_client",
                format!(
                    "could not build the HTTP client: {}",
                    crate::http::error_chain(&e)
                ),
            )
        })?;

        let base = gateway.as_str().trim_end_matches('/').to_owned();
        let auth = Auth::new(source, initial_token, format!("{base}/auth"));
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                api_base: format!("{base}/csapi/v1.3"),
                base,
                auth,
                retry,
                limiter: Limiter::new(self.rate_limit),
                create_recovery: self.create_recovery,
                create_settle: self.create_settle.unwrap_or_else(|| {
                    (self.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT) * 2)
                        .clamp(Duration::from_secs(5), Duration::from_secs(60))
                }),
                created_state: Default::default(),
                proxy_description: self.proxy_description(),
            }),
        })
    }
}

/// True for the literal loopback addresses (127.0.0.0/8, `::1`) and `localhost` itself — not
/// `*.localhost`, which a resolver may send anywhere.
pub(crate) fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Makes rustls's `ring` provider the process default when no provider is installed yet (an
/// application that installed its own keeps it). The client's TLS is rustls with `ring`: the
/// `aws-lc` provider reqwest defaults to is a long C build. Call this before building your own
/// `reqwest` client in the same process (the emulator's tests do).
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing one is fine: a provider is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ClientBuilder {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ClientBuilder::from_env_with(move |k| map.get(k).cloned())
    }

    #[test]
    fn http_only_for_loopback_unless_allowed() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:1",
            "http://[::1]:9",
            "https://gateway.example.com/",
        ] {
            let r = Client::builder().gateway_url(ok).token("t").build();
            assert!(r.is_ok(), "{ok}: {:?}", r.err());
        }
        let err = Client::builder()
            .gateway_url("http://gateway.example.com")
            .token("t")
            .build()
            .expect_err("insecure");
        assert_eq!(err.code(), "config");
        let text = err.to_string();
        assert!(
            text.contains("gateway_url") && text.contains("allow-insecure-http"),
            "{text}"
        );
        assert!(
            Client::builder()
                .gateway_url("http://gateway.example.com")
                .token("t")
                .allow_insecure_http(true)
                .build()
                .is_ok()
        );
        for not_loopback in [
            "http://evil.localhost:8080",
            "http://localhost.evil.example",
            "http://127.0.0.1.nip.io",
        ] {
            let err = Client::builder()
                .gateway_url(not_loopback)
                .token("t")
                .build()
                .expect_err(not_loopback);
            assert!(
                err.to_string().contains("loopback"),
                "{not_loopback}: {err}"
            );
        }
        let err = Client::builder()
            .gateway_url("https://user:pw@gateway.example.com")
            .token("t")
            .build()
            .expect_err("userinfo");
        assert!(err.to_string().contains("user info"), "{err}");
        assert!(!err.to_string().contains("pw@"), "{err}");
        let err = Client::builder()
            .gateway_url("ftp://x")
            .token("t")
            .build()
            .expect_err("scheme");
        assert!(err.to_string().contains("https://"), "{err}");
        let err = Client::builder()
            .gateway_url("not a url")
            .token("t")
            .build()
            .expect_err("bad");
        assert!(
            err.to_string()
                .starts_with("configuration error: gateway_url"),
            "{err}"
        );
    }

    #[test]
    fn missing_credentials_name_the_env_vars() {
        let err = Client::builder()
            .platform(Platform::Us2)
            .build()
            .expect_err("no creds");
        let text = err.to_string();
        assert_eq!(err.code(), "config");
        for v in ["QUALYS_USERNAME", "QUALYS_PASSWORD", "QUALYS_TOKEN"] {
            assert!(text.contains(v), "{text}");
        }
        let err = Client::builder()
            .platform(Platform::Us2)
            .credentials("acme2ab", "")
            .build()
            .expect_err("blank password");
        assert!(err.to_string().contains("QUALYS_PASSWORD"), "{err}");
    }

    #[test]
    fn env_selects_gateway_and_credentials() {
        let c = env(&[
            ("QUALYS_USERNAME", "acme2ab"),
            ("QUALYS_PASSWORD", "pw-from-env"),
            ("QUALYS_PLATFORM", "eu1"),
        ])
        .build()
        .expect("client");
        assert_eq!(c.gateway_url(), "https://gateway.qg1.apps.qualys.eu");
        // Platform from the username when nothing else is given.
        let c = env(&[("QUALYS_USERNAME", "acme2ab"), ("QUALYS_PASSWORD", "pw")])
            .build()
            .expect("client");
        assert_eq!(c.gateway_url(), Platform::Us2.gateway_url());
        // The gateway URL wins over the platform.
        let c = env(&[
            ("QUALYS_TOKEN", "tok"),
            ("QUALYS_PLATFORM", "US3"),
            ("QUALYS_GATEWAY_URL", "https://qualys.internal.example/"),
        ])
        .build()
        .expect("client");
        assert_eq!(c.gateway_url(), "https://qualys.internal.example");
        let err = env(&[("QUALYS_TOKEN", "tok"), ("QUALYS_PLATFORM", "mars1")])
            .build()
            .expect_err("bad platform");
        assert!(err.to_string().contains("QUALYS_PLATFORM"), "{err}");
        let err = env(&[("QUALYS_TOKEN", "tok")])
            .build()
            .expect_err("no gateway");
        let text = err.to_string();
        assert!(
            text.contains("QUALYS_PLATFORM") && text.contains("QUALYS_GATEWAY_URL"),
            "{text}"
        );
    }

    #[test]
    fn debug_never_shows_secrets() {
        let b = Client::builder()
            .platform(Platform::Us1)
            .credentials("acme_ab", "pa55-word")
            .token("eyJ.tok.en")
            .proxy("http://user:proxypass@proxy.example:3128");
        let text = format!("{b:?}");
        assert!(
            !text.contains("pa55-word") && !text.contains("eyJ.tok.en"),
            "{text}"
        );
        assert!(!text.contains("proxypass"), "{text}");
        let c = b.build().expect("client");
        let text = format!("{c:?}");
        assert!(
            !text.contains("pa55-word") && !text.contains("eyJ.tok.en"),
            "{text}"
        );
        assert!(!text.contains("proxypass"), "{text}");
        assert!(text.contains("acme_ab") && text.contains("***"), "{text}");
    }

    #[test]
    fn bad_certificates_and_policies_are_config_errors() {
        let err = Client::builder()
            .gateway_url("https://x.example")
            .token("t")
            .add_root_certificate_pem(b"not pem")
            .build()
            .expect_err("bad pem");
        assert!(err.to_string().contains("root_certificate"), "{err}");
        let err = Client::builder()
            .gateway_url("https://x.example")
            .token("t")
            .retry(RetryPolicy {
                max_attempts: 0,
                ..Default::default()
            })
            .build()
            .expect_err("zero attempts");
        assert!(err.to_string().contains("retry.max_attempts"), "{err}");
    }
}
