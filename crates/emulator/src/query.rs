//! The list query of the emulator: `filter` (the subset of Qualys query syntax clients use),
//! `sort` and paging.
//!
//! Pure and total: every function returns a `Result` for any input and never panics (a fuzz
//! target may call [`parse_filter`] and [`parse_sort`] with arbitrary text).
//!
//! Filter grammar (keywords case-insensitive):
//!
//! ```text
//! filter := term ( "and" term )*
//! term   := field ":" value
//! value  := "*"                      any value (the field is present)
//!         | '"' chars '"'            quoted, `\"` and `\\` escape
//!         | '`' chars '`'            backtick-quoted, no escapes
//!         | bare                     up to the next whitespace; `*` inside is a wildcard
//! ```
//!
//! Values compare case-insensitively; a `*` inside a value matches any run of characters.

use std::cmp::Ordering;
use std::fmt;

/// A query parameter the emulator refuses, with a message naming the parameter and the fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// The query parameter at fault (`filter`, `sort`, `pageNumber`, `pageSize`).
    pub param: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.param, self.message)
    }
}

impl std::error::Error for QueryError {}

fn filter_err(message: impl Into<String>) -> QueryError {
    QueryError {
        param: "filter",
        message: message.into(),
    }
}

/// What a term's value matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// `field:*`: any value, as long as the field has one.
    Any,
    /// A value, compared case-insensitively; `*` inside is a wildcard.
    Value(String),
}

/// One `field:value` term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// The field, spelled as allowed (canonical case).
    pub field: &'static str,
    /// What it must match.
    pub matcher: Matcher,
}

/// A parsed filter: every term must match (`and`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// The terms, all required.
    pub terms: Vec<Term>,
}

impl Filter {
    /// True when `get(field)` satisfies every term; `get` returns `None` for an absent value.
    pub fn matches<'a>(&self, get: impl Fn(&str) -> Option<String> + 'a) -> bool {
        self.terms.iter().all(|t| {
            let Some(v) = get(t.field) else {
                return false;
            };
            match &t.matcher {
                Matcher::Any => true,
                Matcher::Value(pat) => glob_match_ci(pat, &v),
            }
        })
    }
}

/// Looks a field up among the allowed ones, case-insensitively; returns the canonical spelling.
fn lookup_field(name: &str, allowed: &[&'static str]) -> Option<&'static str> {
    allowed
        .iter()
        .copied()
        .find(|f| f.eq_ignore_ascii_case(name))
}

fn describe(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("'{c}'")
    }
}

/// Parses a filter whose fields must be among `allowed`. Empty or blank text is "no filter".
pub fn parse_filter(text: &str, allowed: &[&'static str]) -> Result<Filter, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0usize;
    let mut terms = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if i >= chars.len() {
        return Ok(Filter::default());
    }
    loop {
        // field
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
        {
            i += 1;
        }
        let field: String = chars[start..i].iter().collect();
        if field.is_empty() {
            let found = chars.get(i).map_or("the end".to_owned(), |c| describe(*c));
            return Err(filter_err(format!(
                "expected a field name at character {} but found {found}; write terms as field:value, e.g. name:\"nightly scan\"",
                i + 1
            )));
        }
        let lower = field.to_ascii_lowercase();
        if matches!(lower.as_str(), "or" | "not") {
            return Err(filter_err(format!(
                "the operator {field:?} is not supported by the emulator; combine terms with \"and\" only"
            )));
        }
        let Some(canonical) = lookup_field(&field, allowed) else {
            return Err(filter_err(format!(
                "unknown field {field:?}; filterable fields here are: {}",
                allowed.join(", ")
            )));
        };
        if chars.get(i) != Some(&':') {
            let found = chars.get(i).map_or("the end".to_owned(), |c| describe(*c));
            return Err(filter_err(format!(
                "expected ':' after the field {field} but found {found}; write {field}:value"
            )));
        }
        i += 1;
        // value
        let matcher = match chars.get(i) {
            None => {
                return Err(filter_err(format!(
                    "the field {field} has no value; write {field}:value, or {field}:* for any value"
                )));
            }
            Some(c) if c.is_whitespace() => {
                return Err(filter_err(format!(
                    "the field {field} has no value (a space follows the ':'); write {field}:value, quoting values with spaces: {field}:\"a b\""
                )));
            }
            Some('"') => {
                i += 1;
                let mut v = String::new();
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(filter_err(format!(
                                "the quoted value of {field} is not closed; add the closing '\"'"
                            )));
                        }
                        Some('\\') => {
                            match chars.get(i + 1) {
                                Some(c @ ('"' | '\\')) => v.push(*c),
                                Some(c) => {
                                    v.push('\\');
                                    v.push(*c);
                                }
                                None => {
                                    return Err(filter_err(format!(
                                        "the quoted value of {field} ends with a lone '\\'; close the quote"
                                    )));
                                }
                            }
                            i += 2;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            v.push(*c);
                            i += 1;
                        }
                    }
                }
                Matcher::Value(v)
            }
            Some('`') => {
                i += 1;
                let start = i;
                while i < chars.len() && chars[i] != '`' {
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(filter_err(format!(
                        "the backtick-quoted value of {field} is not closed; add the closing '`'"
                    )));
                }
                let v: String = chars[start..i].iter().collect();
                i += 1;
                Matcher::Value(v)
            }
            Some(_) => {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() {
                    i += 1;
                }
                let v: String = chars[start..i].iter().collect();
                if v.contains('"') || v.contains('`') {
                    return Err(filter_err(format!(
                        "the value {v:?} of {field} holds a quote in the middle; quote the whole value, e.g. {field}:\"a b\""
                    )));
                }
                if v == "*" {
                    Matcher::Any
                } else {
                    Matcher::Value(v)
                }
            }
        };
        terms.push(Term {
            field: canonical,
            matcher,
        });
        // separator
        let before_ws = i;
        skip_ws(&mut i);
        if i >= chars.len() {
            break;
        }
        if i == before_ws {
            return Err(filter_err(format!(
                "expected a space after the value of {field} at character {}",
                i + 1
            )));
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_alphabetic() {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        if !word.eq_ignore_ascii_case("and") || chars.get(i).is_some_and(|c| !c.is_whitespace()) {
            let shown: String = chars[start..].iter().take(20).collect();
            return Err(filter_err(format!(
                "expected \"and\" between terms but found {shown:?}; the emulator supports field:value terms joined by \"and\""
            )));
        }
        skip_ws(&mut i);
        if i >= chars.len() {
            return Err(filter_err(
                "the filter ends with \"and\"; add a term after it or remove it",
            ));
        }
    }
    Ok(Filter { terms })
}

/// Case-insensitive glob: `*` matches any run of characters (including none).
pub fn glob_match_ci(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    glob_chars(&p, &t)
}

/// Case-sensitive glob over paths (used by fault rules): `*` matches any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_chars(&p, &t)
}

fn glob_chars(p: &[char], t: &[char]) -> bool {
    // Iterative matcher with one backtrack point: linear in practice, never recursive.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// One sort key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    /// The field (canonical spelling).
    pub field: &'static str,
    /// The direction.
    pub direction: Direction,
}

/// Parses `field:asc|desc` (several keys may be comma-separated; the direction defaults to
/// `asc`). Empty text is "no sort".
pub fn parse_sort(text: &str, allowed: &[&'static str]) -> Result<Vec<SortKey>, QueryError> {
    let err = |message: String| QueryError {
        param: "sort",
        message,
    };
    let mut keys = Vec::new();
    if text.trim().is_empty() {
        return Ok(keys);
    }
    for part in text.split(',') {
        let part = part.trim();
        let (name, dir) = match part.split_once(':') {
            Some((n, d)) => (n.trim(), Some(d.trim())),
            None => (part, None),
        };
        let Some(field) = lookup_field(name, allowed) else {
            return Err(err(format!(
                "unknown sort field {name:?}; sortable fields here are: {}",
                allowed.join(", ")
            )));
        };
        let direction = match dir {
            None => Direction::Asc,
            Some(d) if d.eq_ignore_ascii_case("asc") => Direction::Asc,
            Some(d) if d.eq_ignore_ascii_case("desc") => Direction::Desc,
            Some(d) => {
                return Err(err(format!(
                    "sort direction must be asc or desc; got {d:?} (write {field}:asc or {field}:desc)"
                )));
            }
        };
        keys.push(SortKey { field, direction });
    }
    Ok(keys)
}

/// A sortable value: numbers compare as numbers, text case-insensitively, absent values first.
#[derive(Clone, Debug, PartialEq)]
pub enum SortValue {
    /// No value.
    Null,
    /// A number.
    Num(i64),
    /// Text.
    Text(String),
}

impl SortValue {
    fn cmp_to(&self, other: &Self) -> Ordering {
        use SortValue::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Less,
            (_, Null) => Ordering::Greater,
            (Num(a), Num(b)) => a.cmp(b),
            (Num(_), Text(_)) => Ordering::Less,
            (Text(_), Num(_)) => Ordering::Greater,
            (Text(a), Text(b)) => a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(b)),
        }
    }
}

/// Sorts `items` by `keys` (stable: ties keep their order).
pub fn sort_by_keys<T>(items: &mut [T], keys: &[SortKey], get: impl Fn(&T, &str) -> SortValue) {
    if keys.is_empty() {
        return;
    }
    items.sort_by(|a, b| {
        for k in keys {
            let o = get(a, k.field).cmp_to(&get(b, k.field));
            let o = match k.direction {
                Direction::Asc => o,
                Direction::Desc => o.reverse(),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
}

/// Largest page size accepted.
pub const MAX_PAGE_SIZE: u64 = 1000;
/// Largest page number accepted.
pub const MAX_PAGE_NUMBER: u64 = 2_147_483_647;
/// Page size when none is given.
pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// A page request: `pageNumber` from 1, `pageSize` 1..=[`MAX_PAGE_SIZE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// Page number, from 1.
    pub number: u64,
    /// Items per page.
    pub size: u64,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            number: 1,
            size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl Paging {
    /// Parses `pageNumber` and `pageSize` (either may be absent).
    pub fn parse(number: Option<&str>, size: Option<&str>) -> Result<Self, QueryError> {
        let mut p = Paging::default();
        if let Some(n) = number {
            p.number = match n.trim().parse::<u64>() {
                Ok(n) if (1..=MAX_PAGE_NUMBER).contains(&n) => n,
                _ => {
                    return Err(QueryError {
                        param: "pageNumber",
                        message: format!(
                            "pageNumber must be a whole number from 1 (the first page) to {MAX_PAGE_NUMBER}; got {:?}",
                            truncate(n)
                        ),
                    });
                }
            };
        }
        if let Some(s) = size {
            p.size = match s.trim().parse::<u64>() {
                Ok(s) if (1..=MAX_PAGE_SIZE).contains(&s) => s,
                _ => {
                    return Err(QueryError {
                        param: "pageSize",
                        message: format!(
                            "pageSize must be a whole number between 1 and {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}); got {:?}",
                            truncate(s)
                        ),
                    });
                }
            };
        }
        Ok(p)
    }

    /// The slice of `items` this page covers (empty past the end).
    pub fn apply<T>(&self, items: Vec<T>) -> Vec<T> {
        let skip = self.number.saturating_sub(1).saturating_mul(self.size);
        let skip = usize::try_from(skip).unwrap_or(usize::MAX);
        let take = usize::try_from(self.size).unwrap_or(usize::MAX);
        items.into_iter().skip(skip).take(take).collect()
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    const F: &[&str] = &["scheduleUuid", "name", "status", "onDemand"];

    fn v(s: &str) -> Matcher {
        Matcher::Value(s.into())
    }

    #[test]
    fn parses_the_forms_clients_send() {
        let f = parse_filter("name:\"nightly scan\" AND status:Running and onDemand:*", F)
            .expect("parses");
        assert_eq!(
            f.terms,
            vec![
                Term {
                    field: "name",
                    matcher: v("nightly scan")
                },
                Term {
                    field: "status",
                    matcher: v("Running")
                },
                Term {
                    field: "onDemand",
                    matcher: Matcher::Any
                },
            ]
        );
        let f = parse_filter("NAME:`a \"b\" c`", F).expect("backticks");
        assert_eq!(f.terms[0].matcher, v("a \"b\" c"));
        assert_eq!(f.terms[0].field, "name");
        let f = parse_filter(r#"name:"say \"hi\"""#, F).expect("escapes");
        assert_eq!(f.terms[0].matcher, v("say \"hi\""));
        assert_eq!(parse_filter("   ", F).expect("blank"), Filter::default());
    }

    #[test]
    fn refuses_what_it_does_not_support_with_clear_messages() {
        let cases = [
            ("registryName:x", "unknown field \"registryName\""),
            ("name:a or name:b", "expected \"and\""),
            ("name:a name:b", "expected \"and\""),
            ("name:a and", "ends with \"and\""),
            ("name: a", "a space follows"),
            ("name", "expected ':'"),
            ("name:\"open", "not closed"),
            ("name:`open", "not closed"),
            ("(name:a)", "expected a field name"),
            ("not:1", "not supported"),
            ("name:a\"b", "quote in the middle"),
        ];
        for (text, want) in cases {
            let e = parse_filter(text, F).expect_err(text);
            assert_eq!(e.param, "filter");
            assert!(e.message.contains(want), "{text}: {}", e.message);
        }
    }

    #[test]
    fn matching_is_case_insensitive_with_wildcards() {
        let f = parse_filter("name:night* and status:running", F).expect("parses");
        let get = |name: &'static str, status: &'static str| {
            move |field: &str| match field {
                "name" => Some(name.to_owned()),
                "status" => Some(status.to_owned()),
                _ => None,
            }
        };
        assert!(f.matches(get("Nightly scan", "Running")));
        assert!(!f.matches(get("weekly", "Running")));
        assert!(!f.matches(get("nightly", "Queued")));
        let any = parse_filter("onDemand:*", F).expect("any");
        assert!(!any.matches(|_| None));
        assert!(glob_match(
            "/csapi/*/schedule",
            "/csapi/v1.3/registry/x/schedule"
        ));
        assert!(!glob_match(
            "/csapi/*/schedule",
            "/csapi/v1.3/registry/x/schedule/y"
        ));
        assert!(glob_match("*", ""));
        assert!(glob_match_ci("a*b*c", "AxxBxxC"));
    }

    #[test]
    fn sort_and_paging() {
        let keys = parse_sort("name:DESC,status", F).expect("sort");
        assert_eq!(keys[0].direction, Direction::Desc);
        assert_eq!(keys[1].direction, Direction::Asc);
        assert!(parse_sort("name:up", F).is_err());
        assert!(parse_sort("created:asc", F).is_err());
        let mut items = vec![("b", 2), ("a", 3), ("C", 1)];
        sort_by_keys(
            &mut items,
            &parse_sort("name:asc", &["name"]).expect("s"),
            |t, _| SortValue::Text(t.0.to_owned()),
        );
        assert_eq!(items.iter().map(|t| t.0).collect::<String>(), "abC");
        let p = Paging::parse(Some("2"), Some("2")).expect("paging");
        assert_eq!(p.apply(vec![1, 2, 3, 4, 5]), vec![3, 4]);
        assert_eq!(
            Paging::parse(Some("9"), Some("2"))
                .expect("p")
                .apply(vec![1]),
            Vec::<i32>::new()
        );
        assert_eq!(
            Paging::parse(Some("0"), None).expect_err("0").param,
            "pageNumber"
        );
        assert_eq!(
            Paging::parse(None, Some("1001")).expect_err("big").param,
            "pageSize"
        );
        assert_eq!(
            Paging::parse(None, Some("x")).expect_err("x").param,
            "pageSize"
        );
        let huge = Paging::parse(Some("2147483647"), Some("1000")).expect("huge");
        assert!(huge.apply(vec![1]).is_empty());
        assert!(Paging::parse(Some("2147483648"), None).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = parse_filter(&s, F);
            let _ = parse_sort(&s, F);
            let _ = Paging::parse(Some(&s), Some(&s));
            let _ = glob_match_ci(&s, "abc");
        }

        #[test]
        fn never_panics_on_near_valid_text(s in "[a-zA-Z:\"`* \\\\]{0,40}") {
            let _ = parse_filter(&s, F);
        }

        #[test]
        fn quoted_values_round_trip(name in "[^\"\\\\`]{1,20}") {
            let f = parse_filter(&format!("name:\"{name}\""), F).expect("quoted parses");
            prop_assert_eq!(&f.terms[0].matcher, &Matcher::Value(name));
        }
    }
}
