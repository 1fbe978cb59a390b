//! Tolerant decoding of list answers: duplicate keys, both spellings of an aliased field, and
//! one bad item that must not hide the rest of a page.
//!
//! A server (or a proxy, or an older emulator) may answer an item with the same key twice
//! (`{"status": "Created", …, "status": "Running"}`) or with both spellings of a field whose
//! name the docs and samples disagree on (`onDemand` and `OnDemand`). serde's derived decoders
//! reject both, and with them the whole page. [`decode_page`] reads the body into JSON values
//! first — the **last** of duplicate keys wins, as in JavaScript's `JSON.parse` — notes every
//! such repair in [`PageNotes`], folds alias spellings into the canonical one, and then decodes
//! each item on its own: an item that still cannot be read is an error that names its index
//! (strict), or is skipped and reported in [`Page::skipped`] (lenient).

use crate::error::{Error, truncate_for_message};
use crate::model::Page;
use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Spellings of one field seen in answers, canonical first (spec §4: the docs' table and the
/// samples disagree; both are accepted when reading).
pub const ANSWER_ALIASES: &[(&str, &str)] = &[
    ("onDemand", "OnDemand"),
    ("scheduleIntervalInDays", "scheduleScanIntervalInDays"),
];

/// An item of a page that could not be decoded and was skipped (lenient mode).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SkippedItem {
    /// Its index in the page's `data` (from 0).
    pub index: usize,
    /// Its page number, when the caller knows it (set by paging; `None` for one page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub page_number: Option<u32>,
    /// Why it could not be read.
    pub message: String,
    /// The item as received (after duplicate keys and aliases were folded).
    #[cfg_attr(feature = "uniffi", uniffi(name = "raw_json"))]
    pub raw: Value,
}

/// What [`decode_page`] repaired on the way (none of it is an error).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageNotes {
    /// JSON pointers of keys that appeared more than once in one object (the last won).
    pub duplicate_keys: Vec<String>,
    /// JSON pointers of alias spellings folded into the canonical field (e.g.
    /// `/data/0/OnDemand`), with a note when the two disagreed.
    pub folded_aliases: Vec<String>,
}

impl PageNotes {
    /// True when nothing was repaired.
    pub fn is_empty(&self) -> bool {
        self.duplicate_keys.is_empty() && self.folded_aliases.is_empty()
    }

    /// One sentence for a log line.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.duplicate_keys.is_empty() {
            parts.push(format!(
                "duplicate keys (the last value was used): {}",
                self.duplicate_keys.join(", ")
            ));
        }
        if !self.folded_aliases.is_empty() {
            parts.push(format!(
                "two spellings of one field: {}",
                self.folded_aliases.join(", ")
            ));
        }
        parts.join("; ")
    }
}

/// Reads JSON text into a [`Value`] like `serde_json::from_str`, recording the pointer of every
/// key that appears twice in one object (the last value wins).
pub fn parse_noting_duplicates(text: &str) -> Result<(Value, Vec<String>), serde_json::Error> {
    let found = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Noting {
        path: String::new(),
        found: &found,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok((value, found.into_inner()))
}

struct Noting<'a> {
    path: String,
    found: &'a RefCell<Vec<String>>,
}

impl<'de> DeserializeSeed<'de> for Noting<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Noting<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let seed = Noting {
                path: format!("{}/{}", self.path, out.len()),
                found: self.found,
            };
            match seq.next_element_seed(seed)? {
                Some(v) => out.push(v),
                None => return Ok(Value::Array(out)),
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = format!("{}/{}", self.path, crate::decode::pointer_token(&key));
            let value = map.next_value_seed(Noting {
                path: path.clone(),
                found: self.found,
            })?;
            if out.insert(key, value).is_some() {
                self.found.borrow_mut().push(path);
            }
        }
        Ok(Value::Object(out))
    }
}

/// Folds alias spellings of an item into the canonical field: the canonical spelling wins
/// when both carry a value; an alias alone is moved to the canonical name.
fn fold_aliases(item: &mut Value, base: &str, notes: &mut Vec<String>) {
    let Value::Object(obj) = item else { return };
    for (canon, alias) in ANSWER_ALIASES {
        let Some(alias_value) = obj.remove(*alias) else {
            continue;
        };
        let at = format!("{base}/{alias}");
        match obj.get(*canon) {
            Some(v) if !v.is_null() => {
                if !alias_value.is_null() && *v != alias_value {
                    notes.push(format!("{at} ({alias_value} ignored: {canon} says {v})"));
                } else {
                    notes.push(at);
                }
            }
            _ => {
                notes.push(at);
                obj.insert((*canon).to_owned(), alias_value);
            }
        }
    }
}

/// Decodes a list answer `{count, data: [...]}` item by item.
///
/// * Duplicate keys (the last wins) and alias spellings are repaired and noted.
/// * An item that cannot be decoded as `T`: with `lenient = false` the answer is a `decode`
///   error naming the item's index and the reason; with `lenient = true` it is left out of
///   `data` and listed in [`Page::skipped`] with its index, the reason and the raw item.
/// * A body that is not JSON, or not an object with an array `data`, is a `decode` error.
pub fn decode_page<T: DeserializeOwned>(
    body: &str,
    lenient: bool,
) -> Result<(Page<T>, PageNotes), Error> {
    let bad = |message: String| Error::Decode {
        message,
        body: Some(truncate_for_message(body, 512)),
    };
    let (value, duplicate_keys) = parse_noting_duplicates(body)
        .map_err(|e| bad(format!("the list answer is not JSON: {e}")))?;
    let mut notes = PageNotes {
        duplicate_keys,
        folded_aliases: Vec::new(),
    };
    let Value::Object(mut obj) = value else {
        return Err(bad("the list answer is not a JSON object".into()));
    };
    let count = match obj.get("count") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    };
    let items = match obj.remove("data") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(bad(format!(
                "the list answer's data is {}, not an array",
                crate::decode::json_type(&other)
            )));
        }
    };
    let total_items = items.len();
    let mut page = Page {
        count: count.unwrap_or(total_items as u64),
        data: Vec::with_capacity(total_items),
        skipped: Vec::new(),
    };
    for (index, mut item) in items.into_iter().enumerate() {
        fold_aliases(
            &mut item,
            &format!("/data/{index}"),
            &mut notes.folded_aliases,
        );
        match T::deserialize(&item) {
            Ok(t) => page.data.push(t),
            Err(e) if lenient => page.skipped.push(SkippedItem {
                index,
                page_number: None,
                message: e.to_string(),
                raw: item,
            }),
            Err(e) => {
                let id = ["scheduleUuid", "registryUuid", "repoName"]
                    .iter()
                    .find_map(|k| item.get(*k).and_then(Value::as_str))
                    .map(|id| format!(" ({id})"))
                    .unwrap_or_default();
                return Err(bad(format!(
                    "item {index}{id} of the list answer could not be read: {e}; the other {} item(s) of the page are readable: list in lenient mode to skip the bad item and get it reported",
                    total_items - 1
                )));
            }
        }
    }
    Ok((page, notes))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::model::Schedule;

    const ID: &str = "7a1c3f5e-2b4d-4c6e-8f90-1a2b3c4d5e6f";

    #[test]
    fn duplicate_keys_last_wins_and_are_noted() {
        let body = format!(
            r#"{{"count": 1, "data": [{{"scheduleUuid": "x", "name": "n", "status": "Created", "scheduleUuid": "{ID}", "status": "Running"}}]}}"#
        );
        let (page, notes) = decode_page::<Schedule>(&body, false).expect("decodes");
        assert_eq!(page.data[0].schedule_uuid, ID);
        assert_eq!(page.data[0].status().as_str(), "Running");
        assert_eq!(
            notes.duplicate_keys,
            ["/data/0/scheduleUuid", "/data/0/status"]
        );
        assert!(notes.summary().contains("/data/0/status"));
    }

    #[test]
    fn both_spellings_of_an_alias_decode() {
        let body = r#"{"count": 2, "data": [
            {"scheduleUuid": "a", "name": "n", "onDemand": false, "OnDemand": false,
             "scheduleIntervalInDays": 7, "scheduleScanIntervalInDays": 7},
            {"scheduleUuid": "b", "name": "m", "OnDemand": false, "onDemand": null}]}"#;
        let (page, notes) = decode_page::<Schedule>(body, false).expect("decodes");
        assert_eq!(page.data[0].on_demand, Some(false));
        assert_eq!(page.data[0].schedule_interval_in_days, Some(7));
        assert_eq!(page.data[1].on_demand, Some(false));
        assert_eq!(notes.folded_aliases.len(), 3);
        // Disagreeing spellings: the canonical one wins, and the note says so.
        let (page, notes) = decode_page::<Schedule>(
            r#"{"data": [{"name": "n", "onDemand": true, "OnDemand": false}]}"#,
            false,
        )
        .expect("decodes");
        assert_eq!(page.data[0].on_demand, Some(true));
        assert!(notes.folded_aliases[0].contains("ignored"), "{notes:?}");
    }

    #[test]
    fn a_bad_item_is_named_or_skipped() {
        let body = format!(
            r#"{{"count": 3, "data": [{{"scheduleUuid": "{ID}", "name": "ok"}}, {{"scheduleUuid": "bad-1", "name": 5}}, 7]}}"#
        );
        let err = decode_page::<Schedule>(&body, false).expect_err("strict");
        assert_eq!(err.code(), "decode");
        let text = err.to_string();
        assert!(text.contains("item 1 (bad-1)"), "{text}");
        assert!(text.contains("lenient"), "{text}");

        let (page, _) = decode_page::<Schedule>(&body, true).expect("lenient");
        assert_eq!(page.data.len(), 1);
        assert_eq!(page.data[0].name, "ok");
        assert_eq!(page.count, 3);
        let idx: Vec<_> = page.skipped.iter().map(|s| s.index).collect();
        assert_eq!(idx, [1, 2]);
        assert_eq!(page.skipped[1].raw, Value::from(7));
    }

    #[test]
    fn non_pages_are_decode_errors() {
        for body in ["", "[]", r#"{"data": 5}"#, "{\"data\": ["] {
            let err = decode_page::<Schedule>(body, true).expect_err(body);
            assert_eq!(err.code(), "decode", "{body}");
        }
        let (page, _) = decode_page::<Schedule>(r#"{"count": null, "data": null}"#, false)
            .expect("null data is an empty page");
        assert_eq!((page.count, page.data.len()), (0, 0));
    }
}
