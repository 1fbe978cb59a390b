//! Arbitrary text → the emulator's list query parser (`filter`, `sort`, paging, glob).
//!
//! The first byte picks the field set (schedules, registries, repositories); the rest is the
//! query text. Invariants: nothing panics; errors name their parameter and say something; a
//! parsed filter only uses allowed fields, re-renders to text that parses to the same filter,
//! and a literal value (no `*`) matches itself; paging stays in range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualys_cs_emulator::app::{
    REGISTRY_FILTER_FIELDS, REGISTRY_SORT_FIELDS, REPOSITORY_FILTER_FIELDS, REPOSITORY_SORT_FIELDS,
    SCHEDULE_FILTER_FIELDS, SCHEDULE_SORT_FIELDS,
};
use qualys_cs_emulator::query::{
    Filter, MAX_PAGE_NUMBER, MAX_PAGE_SIZE, Matcher, Paging, glob_match, glob_match_ci,
    parse_filter, parse_sort,
};

fn render(f: &Filter) -> String {
    f.terms
        .iter()
        .map(|t| match &t.matcher {
            Matcher::Any => format!("{}:*", t.field),
            Matcher::Value(v) => {
                format!(
                    "{}:\"{}\"",
                    t.field,
                    v.replace('\\', "\\\\").replace('"', "\\\"")
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (filter_fields, sort_fields) = match sel % 3 {
        0 => (SCHEDULE_FILTER_FIELDS, SCHEDULE_SORT_FIELDS),
        1 => (REGISTRY_FILTER_FIELDS, REGISTRY_SORT_FIELDS),
        _ => (REPOSITORY_FILTER_FIELDS, REPOSITORY_SORT_FIELDS),
    };

    match parse_filter(text, filter_fields) {
        Ok(f) => {
            for t in &f.terms {
                assert!(
                    filter_fields.contains(&t.field),
                    "field {} not allowed",
                    t.field
                );
                if let Matcher::Value(v) = &t.matcher
                    && !v.contains('*')
                {
                    assert!(glob_match_ci(v, v), "{v:?} does not match itself");
                    assert!(glob_match(v, v), "{v:?} does not match itself");
                }
            }
            let shown = render(&f);
            match parse_filter(&shown, filter_fields) {
                Ok(again) => assert_eq!(again, f, "re-rendered {shown:?} parses differently"),
                Err(e) => panic!("re-rendered {shown:?} does not parse: {e}"),
            }
            // Matching never panics, whatever the record holds.
            let _ = f.matches(|field| Some(format!("{field}{text}")));
            let _ = f.matches(|_| Some(text.to_owned()));
        }
        Err(e) => {
            assert_eq!(e.param, "filter");
            assert!(!e.message.is_empty());
        }
    }

    match parse_sort(text, sort_fields) {
        Ok(keys) => {
            for k in &keys {
                assert!(
                    sort_fields.contains(&k.field),
                    "sort field {} not allowed",
                    k.field
                );
            }
        }
        Err(e) => {
            assert_eq!(e.param, "sort");
            assert!(!e.message.is_empty());
        }
    }

    let (a, b) = text.split_once('&').unwrap_or((text, ""));
    for (n, s) in [(Some(a), Some(b)), (Some(a), None), (None, Some(a))] {
        match Paging::parse(n, s) {
            Ok(p) => {
                assert!((1..=MAX_PAGE_NUMBER).contains(&p.number));
                assert!((1..=MAX_PAGE_SIZE).contains(&p.size));
                let items: Vec<u8> = rest.to_vec();
                let page = p.apply(items);
                assert!(page.len() as u64 <= p.size);
            }
            Err(e) => {
                assert!(matches!(e.param, "pageNumber" | "pageSize"));
                assert!(!e.message.is_empty());
            }
        }
    }

    // Globs: the pattern is the first half, the text the second.
    let mid = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    let (p, t) = text.split_at(mid);
    let _ = glob_match_ci(p, t);
    let _ = glob_match(p, t);
    assert!(glob_match_ci("*", t));
});
