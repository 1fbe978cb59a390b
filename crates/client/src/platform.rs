//! The Qualys platforms (spec §1) and their API gateways.

use qualys_cs_core::Error;
use std::fmt;
use std::str::FromStr;

/// A Qualys platform (shared cloud pod). Each has one API gateway; private clouds use
/// [`crate::ClientBuilder::gateway_url`] instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Platform {
    /// US Platform 1.
    Us1,
    /// US Platform 2.
    Us2,
    /// US Platform 3.
    Us3,
    /// US Platform 4.
    Us4,
    /// EU Platform 1.
    Eu1,
    /// EU Platform 2.
    Eu2,
    /// EU Platform 3.
    Eu3,
    /// India Platform 1.
    In1,
    /// Canada Platform 1.
    Ca1,
    /// UAE Platform 1.
    Ae1,
    /// UK Platform 1.
    Uk1,
    /// Australia Platform 1.
    Au1,
    /// KSA Platform 1.
    Ksa1,
    /// US Government Platform 1.
    Gov1,
}

impl Platform {
    /// Every platform, in the spec's order.
    pub const ALL: [Platform; 14] = [
        Platform::Us1,
        Platform::Us2,
        Platform::Us3,
        Platform::Us4,
        Platform::Eu1,
        Platform::Eu2,
        Platform::Eu3,
        Platform::In1,
        Platform::Ca1,
        Platform::Ae1,
        Platform::Uk1,
        Platform::Au1,
        Platform::Ksa1,
        Platform::Gov1,
    ];

    /// The platform's name as Qualys writes it, e.g. `"US2"`.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Us1 => "US1",
            Platform::Us2 => "US2",
            Platform::Us3 => "US3",
            Platform::Us4 => "US4",
            Platform::Eu1 => "EU1",
            Platform::Eu2 => "EU2",
            Platform::Eu3 => "EU3",
            Platform::In1 => "IN1",
            Platform::Ca1 => "CA1",
            Platform::Ae1 => "AE1",
            Platform::Uk1 => "UK1",
            Platform::Au1 => "AU1",
            Platform::Ksa1 => "KSA1",
            Platform::Gov1 => "GOV1",
        }
    }

    /// The API gateway base URL (no trailing slash).
    pub fn gateway_url(self) -> &'static str {
        match self {
            Platform::Us1 => "https://gateway.qg1.apps.qualys.com",
            Platform::Us2 => "https://gateway.qg2.apps.qualys.com",
            Platform::Us3 => "https://gateway.qg3.apps.qualys.com",
            Platform::Us4 => "https://gateway.qg4.apps.qualys.com",
            Platform::Eu1 => "https://gateway.qg1.apps.qualys.eu",
            Platform::Eu2 => "https://gateway.qg2.apps.qualys.eu",
            Platform::Eu3 => "https://gateway.qg3.apps.qualys.it",
            Platform::In1 => "https://gateway.qg1.apps.qualys.in",
            Platform::Ca1 => "https://gateway.qg1.apps.qualys.ca",
            Platform::Ae1 => "https://gateway.qg1.apps.qualys.ae",
            Platform::Uk1 => "https://gateway.qg1.apps.qualys.co.uk",
            Platform::Au1 => "https://gateway.qg1.apps.qualys.com.au",
            Platform::Ksa1 => "https://gateway.qg1.apps.qualysksa.com",
            Platform::Gov1 => "https://gateway.gov1.qualys.us",
        }
    }

    /// Detects the platform from a Qualys username by its 5th character, as public clients do
    /// (`_`→US1, `2`→US2, `3`→US3, `6`→US4, `-`→EU1, `5`/`!`→EU2, `B`→EU3, `8`→IN1, `9`→CA1,
    /// `7`→AE1, `1`→UK1, `4`→AU1, `A`→KSA1, `C`→GOV1). `None` when the username is shorter or
    /// the character is not in that table: set the platform explicitly then.
    pub fn from_username(username: &str) -> Option<Platform> {
        let c = username.trim().chars().nth(4)?;
        Some(match c {
            '_' => Platform::Us1,
            '2' => Platform::Us2,
            '3' => Platform::Us3,
            '6' => Platform::Us4,
            '-' => Platform::Eu1,
            '5' | '!' => Platform::Eu2,
            'B' => Platform::Eu3,
            '8' => Platform::In1,
            '9' => Platform::Ca1,
            '7' => Platform::Ae1,
            '1' => Platform::Uk1,
            '4' => Platform::Au1,
            'A' => Platform::Ksa1,
            'C' => Platform::Gov1,
            _ => return None,
        })
    }

    /// The platform names joined by ", " (for error messages).
    pub fn known_list() -> String {
        Platform::ALL.map(Platform::name).join(", ")
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Platform {
    type Err = Error;

    /// Parses a platform name, case-insensitively (`"US2"`, `"us2"`, `" Eu1 "`).
    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted = s.trim();
        Platform::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                Error::config(
                    "platform",
                    format!(
                        "unknown platform {:?}; use one of {} (or set gateway_url / QUALYS_GATEWAY_URL for a private cloud)",
                        qualys_cs_core::error::truncate_for_message(wanted, 40),
                        Platform::known_list()
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_parses_from_its_name_in_any_case() {
        for p in Platform::ALL {
            assert_eq!(p.name().parse::<Platform>().ok(), Some(p));
            assert_eq!(p.name().to_lowercase().parse::<Platform>().ok(), Some(p));
            assert!(p.gateway_url().starts_with("https://gateway."));
            assert!(!p.gateway_url().ends_with('/'));
        }
        let err = "US9".parse::<Platform>().expect_err("unknown");
        assert_eq!(err.code(), "config");
        assert!(err.to_string().contains("US1, US2"), "{err}");
    }

    #[test]
    fn username_fifth_character_selects_the_platform() {
        let cases = [
            ("acme_ab", Some(Platform::Us1)),
            ("acme2ab", Some(Platform::Us2)),
            ("acme3ab", Some(Platform::Us3)),
            ("acme6ab", Some(Platform::Us4)),
            ("acme-ab", Some(Platform::Eu1)),
            ("acme5ab", Some(Platform::Eu2)),
            ("acme!ab", Some(Platform::Eu2)),
            ("acmeBab", Some(Platform::Eu3)),
            ("acme8ab", Some(Platform::In1)),
            ("acme9ab", Some(Platform::Ca1)),
            ("acme7ab", Some(Platform::Ae1)),
            ("acme1ab", Some(Platform::Uk1)),
            ("acme4ab", Some(Platform::Au1)),
            ("acmeAab", Some(Platform::Ksa1)),
            ("acmeCab", Some(Platform::Gov1)),
            ("acmexab", None),
            ("acm", None),
        ];
        for (user, want) in cases {
            assert_eq!(Platform::from_username(user), want, "{user}");
        }
        assert_eq!(
            Platform::ALL.len(),
            Platform::ALL
                .iter()
                .map(|p| p.gateway_url())
                .collect::<std::collections::HashSet<_>>()
                .len()
        );
    }
}
