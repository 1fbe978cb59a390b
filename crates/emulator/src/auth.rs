//! Users and tokens (spec §2): HS256 JWTs signed with a random per-process secret, with `exp`
//! read from the emulator's clock.
//!
//! Nothing here logs or formats a password, a token or the secret.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// One configured user.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// User name.
    pub username: String,
    password: String,
    /// False: every CS route answers 403.
    pub permission: bool,
}

impl User {
    /// A user with the CS API permission (or without it when `permission` is false).
    pub fn new(username: impl Into<String>, password: impl Into<String>, permission: bool) -> Self {
        User {
            username: username.into(),
            password: password.into(),
            permission,
        }
    }

    fn password_matches(&self, given: &str) -> bool {
        // Constant time with respect to the content (lengths may differ).
        let a = self.password.as_bytes();
        let b = given.as_bytes();
        let mut diff = a.len() ^ b.len();
        for i in 0..a.len().max(b.len()) {
            let x = a.get(i).copied().unwrap_or(0);
            let y = b.get(i).copied().unwrap_or(0);
            diff |= usize::from(x ^ y);
        }
        diff == 0
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("username", &self.username)
            .field("password", &"***")
            .field("permission", &self.permission)
            .finish()
    }
}

/// Claims of an emulator token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user name.
    pub sub: String,
    /// Issued at (epoch seconds, emulator clock).
    pub iat: i64,
    /// Expires at (epoch seconds, emulator clock).
    pub exp: i64,
    /// Issuer.
    pub iss: String,
    /// Token id.
    pub jti: String,
}

/// Why a token was refused (the text is safe to send: it never holds the token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts with JSON header and claims.
    Malformed,
    /// The signature does not match (another process, or a forged token).
    BadSignature,
    /// `exp` has passed by the emulator's clock.
    Expired {
        /// When it expired (epoch s).
        exp: i64,
        /// Now (epoch s).
        now: i64,
    },
    /// The user of the token no longer exists.
    UnknownUser,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed => f.write_str(
                "the bearer token is not a JWT issued by this server; POST /auth for a new one",
            ),
            TokenError::BadSignature => f.write_str(
                "the bearer token's signature is invalid (it was not issued by this server instance); POST /auth for a new one",
            ),
            TokenError::Expired { exp, now } => write!(
                f,
                "the bearer token expired {}s ago; tokens live a fixed time and cannot be refreshed: POST /auth for a new one",
                now.saturating_sub(*exp)
            ),
            TokenError::UnknownUser => {
                f.write_str("the bearer token's user is unknown; POST /auth for a new one")
            }
        }
    }
}

/// Users plus the signing secret.
pub struct Auth {
    users: BTreeMap<String, User>,
    secret: [u8; 32],
    /// Token lifetime in seconds.
    pub ttl_secs: i64,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("users", &self.users.values().collect::<Vec<_>>())
            .field("secret", &"***")
            .field("ttl_secs", &self.ttl_secs)
            .finish()
    }
}

impl Auth {
    /// Users (a later user of the same name replaces an earlier one) and a token lifetime.
    pub fn new(users: impl IntoIterator<Item = User>, ttl_secs: i64) -> Self {
        Auth {
            users: users.into_iter().map(|u| (u.username.clone(), u)).collect(),
            secret: rand::random(),
            ttl_secs: ttl_secs.max(1),
        }
    }

    /// The user names, sorted.
    pub fn usernames(&self) -> Vec<String> {
        self.users.keys().cloned().collect()
    }

    /// Checks credentials; `None` when the user is unknown or the password wrong.
    pub fn login(&self, username: &str, password: &str) -> Option<&User> {
        self.users
            .get(username)
            .filter(|u| u.password_matches(password))
    }

    /// Issues a token for `user` at `now_s` (epoch seconds).
    pub fn issue(&self, user: &User, now_s: i64) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = Claims {
            sub: user.username.clone(),
            iat: now_s,
            exp: now_s.saturating_add(self.ttl_secs),
            iss: "qualys-cs-emulator".into(),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let body = serde_json::to_vec(&claims).unwrap_or_default();
        let payload = URL_SAFE_NO_PAD.encode(body);
        let signing_input = format!("{header}.{payload}");
        let sig = URL_SAFE_NO_PAD.encode(self.sign(signing_input.as_bytes()));
        format!("{signing_input}.{sig}")
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
    }

    fn sign(&self, input: &[u8]) -> Vec<u8> {
        let mut mac = self.mac();
        mac.update(input);
        mac.finalize().into_bytes().to_vec()
    }

    /// Verifies a token at `now_s`; returns the user.
    pub fn verify(&self, token: &str, now_s: i64) -> Result<&User, TokenError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let header: serde_json::Value = URL_SAFE_NO_PAD
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(TokenError::Malformed)?;
        if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
            return Err(TokenError::Malformed);
        }
        let sig = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(h.as_bytes());
        mac.update(b".");
        mac.update(p.as_bytes());
        mac.verify_slice(&sig)
            .map_err(|_| TokenError::BadSignature)?;
        let claims: Claims = URL_SAFE_NO_PAD
            .decode(p)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(TokenError::Malformed)?;
        if now_s >= claims.exp {
            return Err(TokenError::Expired {
                exp: claims.exp,
                now: now_s,
            });
        }
        self.users.get(&claims.sub).ok_or(TokenError::UnknownUser)
    }
}

/// Reads the token of an `Authorization: Bearer <token>` header value.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let h = header?.trim();
    let (scheme, rest) = h.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn auth() -> Auth {
        Auth::new(
            [
                User::new("alice", "s3cret", true),
                User::new("bob", "pw", false),
            ],
            60,
        )
    }

    #[test]
    fn issues_and_verifies_tokens_by_the_clock() {
        let a = auth();
        assert!(a.login("alice", "wrong").is_none());
        assert!(a.login("nobody", "s3cret").is_none());
        let u = a.login("alice", "s3cret").expect("login").clone();
        let t = a.issue(&u, 1_000);
        assert_eq!(a.verify(&t, 1_059).expect("valid").username, "alice");
        assert_eq!(
            a.verify(&t, 1_060).expect_err("expired"),
            TokenError::Expired {
                exp: 1_060,
                now: 1_060
            }
        );
        // Another process (another secret) refuses it.
        assert_eq!(
            auth().verify(&t, 1_001).expect_err("other"),
            TokenError::BadSignature
        );
        assert_eq!(
            a.verify("a.b", 0).expect_err("short"),
            TokenError::Malformed
        );
        let mut forged = t.clone();
        forged.pop();
        forged.push(if t.ends_with('A') { 'B' } else { 'A' });
        assert!(a.verify(&forged, 1_001).is_err());
    }

    #[test]
    fn secrets_stay_out_of_debug_and_errors() {
        let a = auth();
        let shown = format!("{a:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        let t = a.issue(a.login("alice", "s3cret").expect("login"), 0);
        for e in [
            TokenError::Malformed,
            TokenError::BadSignature,
            TokenError::Expired { exp: 1, now: 2 },
        ] {
            assert!(!e.to_string().contains(&t));
        }
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
    }
}
