//! Strict identifier types: a UUID in its 36-character hyphenated text form, nothing else,
//! so no caller can put `../`, `?x=` or `#` into a URL path.

use crate::error::{Error, Violation};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

fn is_uuid_text(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $field:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses a UUID in hyphenated text form (`8-4-4-4-12` hex digits).
            pub fn parse(s: &str) -> Result<Self, Error> {
                if is_uuid_text(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(Error::Validation {
                        violations: vec![Violation::new(
                            concat!("/", $field),
                            "invalid_id",
                            format!(
                                concat!($field, " must be a UUID such as 889ea97d-5b9c-4e34-9783-a40eae8d8feb; got {:?}"),
                                crate::error::truncate_for_message(s, 60)
                            ),
                        )],
                    })
                }
            }

            /// A new random identifier (used by the emulator).
            pub fn new_random() -> Self {
                Self(uuid::Uuid::new_v4().to_string())
            }

            /// The identifier as text, safe to put into a URL path.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(u: uuid::Uuid) -> Self {
                Self(u.hyphenated().to_string())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;
            fn try_from(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<Self, Error> {
                Self::parse(&s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// The id of a registry (`registryId`, `registryUuid`).
    RegistryId,
    "registryId"
);
id_type!(
    /// The id of a schedule (`scheduleId`, `scheduleUuid`).
    ScheduleId,
    "scheduleId"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hyphenated_uuid_only() {
        assert!(ScheduleId::parse("889ea97d-5b9c-4e34-9783-a40eae8d8feb").is_ok());
        for bad in [
            "",
            "../registry",
            "889ea97d5b9c4e349783a40eae8d8feb",
            "{889ea97d-5b9c-4e34-9783-a40eae8d8feb}",
            "889ea97d-5b9c-4e34-9783-a40eae8d8feb?x=1",
            "889ea97d-5b9c-4e34-9783-a40eae8d8fe/",
        ] {
            let err = RegistryId::parse(bad).expect_err(bad);
            assert_eq!(err.code(), "validation");
            assert!(
                err.to_string().contains("registryId must be a UUID"),
                "{err}"
            );
        }
    }
}
