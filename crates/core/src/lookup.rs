//! Finding a registry by what the server reports: its UUID, then its URI, then its name where
//! the server sends one (Qualys's OpenAPI `Registry` has no `registryName`, spec §6b).

use crate::model::Registry;
use std::fmt;

/// Why [`find_registry`] found no single registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryLookupError {
    /// Nothing matched.
    NotFound {
        /// What was looked for.
        reference: String,
        /// The fields the server's answer offered to match on, e.g. `["registryUuid",
        /// "registryUri"]`.
        offered: Vec<&'static str>,
        /// Registries that come close (`uri (uuid)`), at most three.
        near: Vec<String>,
    },
    /// Several registries matched on the same field.
    Ambiguous {
        /// What was looked for.
        reference: String,
        /// The field they matched on.
        field: &'static str,
        /// Each candidate as `uuid (uri, name)`.
        candidates: Vec<String>,
    },
}

impl fmt::Display for RegistryLookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryLookupError::NotFound {
                reference,
                offered,
                near,
            } => {
                write!(
                    f,
                    "registry {reference:?} was not found: compared with {} of each registry",
                    offered.join(", ")
                )?;
                if !offered.contains(&"registryName") {
                    f.write_str(" (the server reports no registryName: name it by UUID or URI)")?;
                }
                if near.is_empty() {
                    f.write_str("; list the registries to see what exists")
                } else {
                    write!(f, "; near matches: {}", near.join("; "))
                }
            }
            RegistryLookupError::Ambiguous {
                reference,
                field,
                candidates,
            } => write!(
                f,
                "registry {reference:?} matches the {field} of {} registries: {}; name it by UUID",
                candidates.len(),
                candidates.join("; ")
            ),
        }
    }
}

impl std::error::Error for RegistryLookupError {}

/// A URI compared without scheme, trailing `/` and case.
pub fn uri_key(s: &str) -> String {
    let s = s.trim().trim_end_matches('/').to_ascii_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    s.to_owned()
}

fn describe(r: &Registry) -> String {
    let mut s = r.registry_uuid.clone();
    let mut parts = Vec::new();
    if let Some(u) = &r.registry_uri {
        parts.push(format!("uri {u}"));
    }
    if let Some(n) = &r.registry_name {
        parts.push(format!("name {n:?}"));
    }
    if !parts.is_empty() {
        s.push_str(&format!(" ({})", parts.join(", ")));
    }
    s
}

/// Finds the one registry `reference` names: by UUID (any case), then by URI (scheme,
/// trailing `/` and case ignored), then by `registryName` (exact) where the server reports
/// one. The error says which fields the server offered and lists near matches.
pub fn find_registry<'a>(
    reference: &str,
    registries: &'a [Registry],
) -> Result<&'a Registry, RegistryLookupError> {
    let wanted = reference.trim();
    let key = uri_key(wanted);
    type Match = fn(&Registry, &str, &str) -> bool;
    let rules: [(&'static str, Match); 3] = [
        ("registryUuid", |r, w, _| {
            !r.registry_uuid.is_empty() && r.registry_uuid.eq_ignore_ascii_case(w)
        }),
        ("registryUri", |r, _, k| {
            r.registry_uri.as_deref().map(uri_key).as_deref() == Some(k)
        }),
        ("registryName", |r, w, _| {
            r.registry_name.as_deref() == Some(w)
        }),
    ];
    for (field, matches) in rules {
        let hits: Vec<&Registry> = registries
            .iter()
            .filter(|r| matches(r, wanted, &key))
            .collect();
        match hits.as_slice() {
            [] => {}
            [one] => return Ok(one),
            many => {
                return Err(RegistryLookupError::Ambiguous {
                    reference: wanted.to_owned(),
                    field,
                    candidates: many.iter().map(|r| describe(r)).collect(),
                });
            }
        }
    }
    let mut offered = vec!["registryUuid"];
    if registries.iter().any(|r| r.registry_uri.is_some()) {
        offered.push("registryUri");
    }
    if registries.iter().any(|r| r.registry_name.is_some()) {
        offered.push("registryName");
    }
    let lower = wanted.to_ascii_lowercase();
    // "demo-registry" is near "registry.demo.example": every word of the reference occurs.
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 3)
        .collect();
    let mut near: Vec<(usize, String)> = registries
        .iter()
        .filter_map(|r| {
            let candidates = [
                r.registry_uri.as_deref().map(uri_key),
                r.registry_name.as_deref().map(str::to_ascii_lowercase),
                Some(r.registry_uuid.to_ascii_lowercase()),
            ];
            candidates
                .iter()
                .flatten()
                .filter(|c| !c.is_empty() && !key.is_empty())
                .map(|c| {
                    if c.contains(&key)
                        || key.contains(c.as_str())
                        || c.contains(&lower)
                        || (!words.is_empty() && words.iter().all(|w| c.contains(w)))
                    {
                        0
                    } else {
                        crate::validate::edit_distance(c, &key)
                    }
                })
                .min()
                .filter(|d| *d <= 3.max(key.len() / 4))
                .map(|d| (d, describe(r)))
        })
        .collect();
    near.sort();
    Err(RegistryLookupError::NotFound {
        reference: wanted.to_owned(),
        offered,
        near: near.into_iter().take(3).map(|(_, s)| s).collect(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn reg(id: &str, uri: Option<&str>, name: Option<&str>) -> Registry {
        Registry {
            registry_uuid: id.into(),
            registry_uri: uri.map(Into::into),
            registry_name: name.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn uuid_then_uri_then_name() {
        let rs = [
            reg("A1", Some("https://one.example"), Some("two.example")),
            reg("B2", Some("https://two.example/"), None),
            reg("C3", None, Some("third")),
        ];
        assert_eq!(find_registry("a1", &rs).unwrap().registry_uuid, "A1");
        // A URI beats a name that happens to equal it.
        assert_eq!(
            find_registry("two.example", &rs).unwrap().registry_uuid,
            "B2"
        );
        assert_eq!(
            find_registry("HTTP://ONE.example/", &rs)
                .unwrap()
                .registry_uuid,
            "A1"
        );
        assert_eq!(find_registry("third", &rs).unwrap().registry_uuid, "C3");
    }

    #[test]
    fn not_found_says_what_the_server_offered_and_what_is_near() {
        // The OpenAPI shape: no registryName anywhere.
        let rs = [
            reg(
                "d3e0c0de-5eed-4a11-9e57-0000000000d0",
                Some("https://registry.demo.example"),
                None,
            ),
            reg(
                "e3e0c0de-5eed-4a11-9e57-0000000000d1",
                Some("https://other.example"),
                None,
            ),
        ];
        let err = find_registry("demo-registry", &rs).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("registryUuid, registryUri"), "{text}");
        assert!(text.contains("reports no registryName"), "{text}");
        let RegistryLookupError::NotFound { near, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(
            near.len(),
            1,
            "demo-registry is near registry.demo.example: {err}"
        );
        let err = find_registry("registry.demo.exampel", &rs).unwrap_err();
        let RegistryLookupError::NotFound { near, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(near.len(), 1, "{err}");
        assert!(near[0].starts_with("d3e0c0de"), "{err}");
        // With names reported, the message lists the name among the fields.
        let named = [reg("A1", None, Some("demo-registry"))];
        let text = find_registry("demo", &named).unwrap_err().to_string();
        assert!(text.contains("registryName"), "{text}");
        assert!(
            text.contains("near matches: A1 (name \"demo-registry\")"),
            "{text}"
        );
    }

    #[test]
    fn ambiguity_names_the_field_and_candidates() {
        let rs = [
            reg("A1", Some("https://x.example"), None),
            reg("B2", Some("http://x.example/"), None),
        ];
        let text = find_registry("x.example", &rs).unwrap_err().to_string();
        assert!(text.contains("registryUri of 2 registries"), "{text}");
        assert!(text.contains("A1") && text.contains("B2"), "{text}");
    }
}
