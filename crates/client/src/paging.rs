//! Paging: [`ListOptions`] and the [`Paged`] stream that walks pages until a short page.

use futures_util::Stream;
use qualys_cs_core::{Error, Page, SkippedItem, Violation};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// Default page size of the API (spec §3).
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// Query options of the list calls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListOptions {
    /// Qualys query, e.g. `name:"nightly"` or `scheduleUuid:<id>`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub filter: Option<String>,
    /// Page number, from 1 (default 1).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub page_number: Option<u32>,
    /// Items per page (default 50).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub page_size: Option<u32>,
    /// `field:asc` or `field:desc`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sort: Option<String>,
    /// Skip items that cannot be decoded instead of failing the page: each is logged and
    /// reported with its index ([`Page::skipped`], [`Paged::skipped`]). Off by default, where
    /// such an item is a `decode` error naming its index. Not sent to the server.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub lenient: bool,
}

impl ListOptions {
    /// No filter, first page, default size.
    pub fn new() -> Self {
        Self::default()
    }

    /// With this filter.
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// With this page number (from 1).
    pub fn page_number(mut self, n: u32) -> Self {
        self.page_number = Some(n);
        self
    }

    /// With this page size.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// With this sort (`field:asc|desc`).
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    /// Skip-and-report items that cannot be decoded (see [`ListOptions::lenient`]).
    pub fn lenient(mut self, on: bool) -> Self {
        self.lenient = on;
        self
    }

    /// Checks the values; a `validation` error names each bad field.
    pub fn validate(&self) -> Result<(), Error> {
        let mut v = Vec::new();
        if self.page_number == Some(0) {
            v.push(Violation::new(
                "/pageNumber",
                "page_number_out_of_range",
                "pageNumber starts at 1; pass 1 or more (or leave it unset)",
            ));
        }
        if self.page_size == Some(0) {
            v.push(Violation::new(
                "/pageSize",
                "page_size_out_of_range",
                "pageSize must be 1 or more (or leave it unset for 50)",
            ));
        }
        if v.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(v))
        }
    }

    /// The query pairs, empty values left out.
    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(f) = self.filter.as_deref().filter(|f| !f.trim().is_empty()) {
            q.push(("filter", f.to_owned()));
        }
        if let Some(n) = self.page_number {
            q.push(("pageNumber", n.to_string()));
        }
        if let Some(n) = self.page_size {
            q.push(("pageSize", n.to_string()));
        }
        if let Some(s) = self.sort.as_deref().filter(|s| !s.trim().is_empty()) {
            q.push(("sort", s.to_owned()));
        }
        q
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

/// Every item of a list, page after page (`Send + 'static`; owns a clone of the client).
///
/// Pages are fetched lazily from `page_number` (default 1) and walking stops after a page
/// shorter than the page size. After an error the stream ends.
pub struct Paged<T> {
    inner: BoxStream<Result<T, Error>>,
    skipped: Arc<Mutex<Vec<SkippedItem>>>,
}

struct WalkState<T, F> {
    fetch: F,
    opts: ListOptions,
    page: u32,
    size: u32,
    buffer: VecDeque<T>,
    done: bool,
    skipped: Arc<Mutex<Vec<SkippedItem>>>,
}

impl<T: Send + 'static> Paged<T> {
    /// Walks pages with `fetch(options)` (options carry the page number and size).
    pub(crate) fn new<F>(opts: ListOptions, fetch: F) -> Self
    where
        F: Fn(ListOptions) -> BoxFuture<Result<Page<T>, Error>> + Send + 'static,
    {
        let skipped = Arc::new(Mutex::new(Vec::new()));
        if let Err(e) = opts.validate() {
            return Paged {
                inner: Box::pin(futures_util::stream::once(async move { Err(e) })),
                skipped,
            };
        }
        let state = WalkState {
            skipped: skipped.clone(),
            page: opts.page_number.unwrap_or(1),
            size: opts.page_size.unwrap_or(DEFAULT_PAGE_SIZE),
            fetch,
            opts,
            buffer: VecDeque::new(),
            done: false,
        };
        let inner = futures_util::stream::unfold(state, |mut st| async move {
            loop {
                if let Some(item) = st.buffer.pop_front() {
                    return Some((Ok(item), st));
                }
                if st.done {
                    return None;
                }
                let mut o = st.opts.clone();
                o.page_number = Some(st.page);
                o.page_size = Some(st.size);
                match (st.fetch)(o).await {
                    Ok(page) => {
                        // A page of any other length than the page size is the last one
                        // (a server ignoring pageSize must not make us loop forever). Skipped
                        // items count: the server sent them.
                        if page.data.len() + page.skipped.len() != st.size as usize {
                            st.done = true;
                        }
                        if !page.skipped.is_empty()
                            && let Ok(mut log) = st.skipped.lock()
                        {
                            log.extend(page.skipped.into_iter().map(|mut s| {
                                s.page_number = Some(st.page);
                                s
                            }));
                        }
                        st.page = st.page.saturating_add(1);
                        st.buffer.extend(page.data);
                    }
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                }
            }
        });
        Paged {
            inner: Box::pin(inner),
            skipped,
        }
    }

    /// Collects every item, or the first error.
    pub async fn collect_all(self) -> Result<Vec<T>, Error> {
        collect_all(self).await
    }

    /// Collects every item and, in lenient mode, the items that were skipped (with their page
    /// number and index).
    pub async fn collect_with_skipped(self) -> Result<(Vec<T>, Vec<SkippedItem>), Error> {
        let skipped = self.skipped.clone();
        let items = collect_all(self).await?;
        let skipped = skipped.lock().map(|s| s.clone()).unwrap_or_default();
        Ok((items, skipped))
    }
}

impl<T> Paged<T> {
    /// The items skipped so far (lenient mode), each with its page number and index.
    pub fn skipped(&self) -> Vec<SkippedItem> {
        self.skipped.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl<T> Stream for Paged<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> std::fmt::Debug for Paged<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Paged")
    }
}

/// Collects a stream of results into a `Vec`, stopping at the first error.
pub async fn collect_all<T, S>(stream: S) -> Result<Vec<T>, Error>
where
    S: Stream<Item = Result<T, Error>>,
{
    use futures_util::StreamExt as _;
    let mut stream = std::pin::pin!(stream);
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        out.push(item?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_leaves_out_empty_values() {
        let o = ListOptions::new()
            .filter("  ")
            .page_size(2)
            .sort("name:asc");
        assert_eq!(
            o.query(),
            vec![
                ("pageSize", "2".to_owned()),
                ("sort", "name:asc".to_owned())
            ]
        );
        let err = ListOptions::new()
            .page_number(0)
            .page_size(0)
            .validate()
            .expect_err("zeros");
        let paths: Vec<_> = err.violations().iter().map(|v| v.path.as_str()).collect();
        assert_eq!(paths, ["/pageNumber", "/pageSize"]);
    }

    #[tokio::test]
    async fn walks_until_a_short_page() {
        let items: Vec<u32> = (0..7).collect();
        let paged = Paged::new(ListOptions::new().page_size(3), move |o| {
            let items = items.clone();
            Box::pin(async move {
                let n = o.page_number.unwrap_or(1) as usize;
                let size = o.page_size.unwrap_or(50) as usize;
                let data = items
                    .iter()
                    .copied()
                    .skip((n - 1) * size)
                    .take(size)
                    .collect();
                Ok(Page {
                    count: 7,
                    data,
                    ..Default::default()
                })
            })
        });
        assert_eq!(
            paged.collect_all().await.expect("all"),
            (0..7).collect::<Vec<_>>()
        );
    }
}
