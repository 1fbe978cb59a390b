//! [`Secret`]: a password or token that never shows itself in `Debug`, `Display`, logs or
//! error text.
//!
//! It has deliberately no `Serialize`: a struct that holds one and must put it on the wire
//! (such as [`crate::registry::RegistryRequest`]) says so field by field with
//! `#[serde(serialize_with = "crate::secret::expose_for_wire")]`, so that nothing serialises a
//! secret by accident. Reading one (`Deserialize`) is allowed: it prints nothing.

use serde::{Deserialize, Deserializer, Serializer};
use std::fmt;

/// A password or token. `Debug` and `Display` print `***`. Read the value with
/// [`Secret::expose`] only where it goes on the wire.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret text itself. Call this only to put the value on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is empty (or whitespace only).
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// `serialize_with` helper for an `Option<Secret>` field that goes on the wire.
pub fn expose_for_wire<S: Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_str(x.expose()),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(***)");
        assert_eq!(s.expose(), "hunter2");
        let back: Secret = serde_json::from_str("\"hunter2\"").expect("reads");
        assert_eq!(back, s);
    }
}
