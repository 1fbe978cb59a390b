//! The operations of spec §3, as async methods of [`Client`].

use crate::Client;
use crate::http::Call;
use crate::paging::{ListOptions, Paged};
use futures_util::StreamExt as _;
use qualys_cs_core::{
    BulkCancelResponse, BulkDeleteResponse, Error, HttpDetails, Page, Registry, RegistryDetails,
    RegistryId, RegistryLookupError, Repository, Schedule, ScheduleId, ScheduleRequest, Violation,
    decode_body, decode_page, find_registry, validate, validate_update, validate_value,
};
use reqwest::Method;
use serde::Serialize;

/// The result of a create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Created {
    /// The new schedule's id.
    pub schedule_uuid: ScheduleId,
    /// Validation warnings of the request (it was sent anyway; they are also logged).
    pub warnings: Vec<Violation>,
    /// True when the answer was lost (timeout, broken connection, 5xx, 429) and the schedule
    /// was found instead (by name, creation time, content and id, see
    /// `docs/create-guarantee.md`).
    pub recovered: bool,
    /// Identical schedules that a late first attempt made after the client had sent again,
    /// deleted by this call (normally empty).
    pub removed_surplus: Vec<ScheduleId>,
}

/// Which schedules a bulk delete or bulk cancel acts on. At least one of the two is needed;
/// when both are given the ids win (spec §3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkSelector {
    /// These schedules.
    pub schedule_ids: Vec<ScheduleId>,
    /// Schedules matching this Qualys query (e.g. `scheduleUuid:*` for all).
    pub filter: Option<String>,
}

impl BulkSelector {
    /// Select these schedules.
    pub fn ids(ids: impl IntoIterator<Item = ScheduleId>) -> Self {
        BulkSelector {
            schedule_ids: ids.into_iter().collect(),
            filter: None,
        }
    }

    /// Select the schedules matching a filter.
    pub fn filter(filter: impl Into<String>) -> Self {
        BulkSelector {
            schedule_ids: Vec::new(),
            filter: Some(filter.into()),
        }
    }

    fn query(&self) -> Result<Vec<(&'static str, String)>, Error> {
        let filter = self
            .filter
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty());
        if self.schedule_ids.is_empty() && filter.is_none() {
            return Err(Error::validation(vec![Violation::new(
                "/scheduleIds",
                "selector_required",
                "give schedule ids or a filter (e.g. scheduleUuid:* for every schedule)",
            )]));
        }
        let mut q: Vec<(&'static str, String)> = self
            .schedule_ids
            .iter()
            .map(|id| ("scheduleIds", id.as_str().to_owned()))
            .collect();
        if let Some(f) = filter {
            q.push(("filter", f.to_owned()));
        }
        Ok(q)
    }
}

fn registry_path(registry: &RegistryId) -> String {
    format!("/registry/{}", registry.as_str())
}

pub(crate) fn schedules_path(registry: &RegistryId) -> String {
    format!("/registry/{}/schedule", registry.as_str())
}

fn schedule_path(registry: &RegistryId, id: &ScheduleId) -> String {
    format!("/registry/{}/schedule/{}", registry.as_str(), id.as_str())
}

/// The Qualys query selecting schedules by name.
pub(crate) fn name_filter(name: &str) -> String {
    format!(
        "name:\"{}\"",
        name.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

fn not_found(message: String) -> Error {
    Error::NotFound(HttpDetails {
        status: 404,
        message: Some(message),
        ..Default::default()
    })
}

pub(crate) fn encode(req: &ScheduleRequest) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(&req.to_value()).map_err(|e| Error::Decode {
        message: format!("could not encode the request: {e}"),
        body: None,
    })
}

fn log_warnings(op: &str, warnings: &[Violation]) {
    for w in warnings {
        tracing::warn!(op, path = %w.path, code = %w.code, "{}", w.message);
    }
}

impl Client {
    /// Creates a schedule in `registry`.
    ///
    /// The request is validated first ([`qualys_cs_core::validate()`]): a request with errors
    /// is never sent (a `validation` error lists every problem); warnings are logged and
    /// returned in [`Created::warnings`].
    ///
    /// # Retries without duplicates and without losses
    ///
    /// Create has no idempotency key and names may repeat, so a blind retry could create the
    /// schedule twice, and adopting any same-named schedule could hide a lost create. Each
    /// failed attempt falls in one of three classes:
    ///
    /// 1. **Certainly not sent** — the connection could not be established (`connection
    ///    refused`, connect timeout): sent again after the backoff.
    /// 2. **Maybe processed** — a timeout after sending, a connection closed before the
    ///    answer, any `5xx`, a `2xx` whose body cannot be read, and a `429` (the docs do not
    ///    say that the gateway refuses before processing). The client waits the backoff (or
    ///    the server's `Retry-After`), then looks for *this call's* schedule
    ///    ([`CreateRecovery::CreationCutoff`], the default): the schedules with exactly that
    ///    name, newest first, created after this call's first send by the server's clock, with
    ///    the same content and an id this client has not returned before. One → returned with
    ///    [`Created::recovered`] = `true`; several → a `conflict` naming them; none → it looks
    ///    again with backoff until the settle window ends
    ///    ([`crate::ClientBuilder::create_settle_window`]; not for a `429` or a `2xx`, whose
    ///    processing is over), then sends again. After a successful re-send it looks once more
    ///    and deletes an identical schedule that a late first attempt made
    ///    ([`Created::removed_surplus`]). If attempts or time run out, the last look has
    ///    still run, so a created schedule is never hidden behind an error.
    /// 3. **Final** — any other answer (`400`, `403`, `404`, `409`, a redirect, a refused
    ///    certificate): returned at once. A `401` renews the token and resends once before
    ///    that (a 401 is answered before any processing).
    ///
    /// What this survives, what it reports and the window it leaves are written down in
    /// `docs/create-guarantee.md`, with the test of each line.
    ///
    /// Attempts and total time are bounded by the [`crate::RetryPolicy`].
    pub async fn create_schedule(
        &self,
        registry: &RegistryId,
        request: &ScheduleRequest,
    ) -> Result<Created, Error> {
        let warnings = validate(request).into_result()?;
        log_warnings("create_schedule", &warnings);
        self.create_checked(registry, request, warnings).await
    }

    /// Creates a schedule from a JSON value (what Python dicts and JS objects become): the
    /// value is checked with [`qualys_cs_core::validate_value`] (wrong JSON types included),
    /// decoded, then created as [`Client::create_schedule`] does.
    pub async fn create_schedule_value(
        &self,
        registry: &RegistryId,
        request: &serde_json::Value,
    ) -> Result<Created, Error> {
        let warnings = validate_value(request).into_result()?;
        let request = ScheduleRequest::from_value(request)?;
        log_warnings("create_schedule", &warnings);
        self.create_checked(registry, &request, warnings).await
    }

    /// One page of the schedules of `registry`.
    pub async fn list_schedules(
        &self,
        registry: &RegistryId,
        options: &ListOptions,
    ) -> Result<Page<Schedule>, Error> {
        self.get_page(schedules_path(registry), options).await
    }

    /// Every schedule of `registry` matching `options.filter`, page after page (from
    /// `options.page_number`, `options.page_size` per page) until a short page.
    pub fn list_schedules_all(
        &self,
        registry: &RegistryId,
        options: ListOptions,
    ) -> Paged<Schedule> {
        self.paged(schedules_path(registry), options)
    }

    /// One schedule, through the list with `filter=scheduleUuid:<id>` (there is no call by
    /// id); `not_found` when the list has no such schedule.
    pub async fn get_schedule(
        &self,
        registry: &RegistryId,
        id: &ScheduleId,
    ) -> Result<Schedule, Error> {
        let mut stream = self.list_schedules_all(
            registry,
            ListOptions::new().filter(format!("scheduleUuid:{}", id.as_str())),
        );
        while let Some(item) = stream.next().await {
            let s = item?;
            if s.schedule_uuid.eq_ignore_ascii_case(id.as_str()) {
                return Ok(s);
            }
        }
        Err(not_found(format!(
            "no schedule {id} in registry {registry}"
        )))
    }

    /// Updates an automatic schedule. The current schedule is fetched and the change checked
    /// with [`qualys_cs_core::validate_update`] first (on-demand schedules, running jobs and
    /// changes of `onDemand`/`repo`/`tag`/`days` are refused before anything is sent).
    /// Returns the warnings.
    pub async fn update_schedule(
        &self,
        registry: &RegistryId,
        id: &ScheduleId,
        request: &ScheduleRequest,
    ) -> Result<Vec<Violation>, Error> {
        let current = self.get_schedule(registry, id).await?;
        let warnings = validate_update(&current, request).into_result()?;
        log_warnings("update_schedule", &warnings);
        let mut call = Call::new(Method::PUT, schedule_path(registry, id));
        call.body = Some(encode(request)?);
        self.inner.execute(&call).await?;
        Ok(warnings)
    }

    /// Deletes a schedule (refused by the server while its job runs: `conflict`). A retry
    /// that finds the schedule already gone counts as success.
    pub async fn delete_schedule(
        &self,
        registry: &RegistryId,
        id: &ScheduleId,
    ) -> Result<(), Error> {
        let mut call = Call::new(Method::DELETE, schedule_path(registry, id));
        call.gone_is_done = true;
        self.inner.execute(&call).await.map(drop)
    }

    /// Cancels a schedule's job.
    pub async fn cancel_schedule(
        &self,
        registry: &RegistryId,
        id: &ScheduleId,
    ) -> Result<(), Error> {
        let call = Call::new(
            Method::POST,
            format!("{}/cancel", schedule_path(registry, id)),
        );
        self.inner.execute(&call).await.map(drop)
    }

    /// Deletes schedules in bulk (a deletion job; Queued/Unknown/Running ones are skipped by
    /// the server). A selector with neither ids nor filter is a `validation` error.
    pub async fn bulk_delete_schedules(
        &self,
        registry: &RegistryId,
        selector: &BulkSelector,
    ) -> Result<BulkDeleteResponse, Error> {
        let mut call = Call::new(Method::DELETE, format!("{}/bulk", schedules_path(registry)));
        call.query = selector.query()?;
        let a = self.inner.execute(&call).await?;
        decode_body(&a.body)
    }

    /// Cancels schedules in bulk (a cancel job; Finished/Unknown/Error ones are skipped by the
    /// server). A selector with neither ids nor filter is a `validation` error.
    pub async fn bulk_cancel_schedules(
        &self,
        registry: &RegistryId,
        selector: &BulkSelector,
    ) -> Result<BulkCancelResponse, Error> {
        let mut call = Call::new(Method::POST, format!("{}/cancel", schedules_path(registry)));
        call.query = selector.query()?;
        let a = self.inner.execute(&call).await?;
        decode_body(&a.body)
    }

    /// One page of registries.
    pub async fn list_registries(&self, options: &ListOptions) -> Result<Page<Registry>, Error> {
        self.get_page("/registry".to_owned(), options).await
    }

    /// Every registry, page after page.
    pub fn list_registries_all(&self, options: ListOptions) -> Paged<Registry> {
        self.paged("/registry".to_owned(), options)
    }

    /// A registry with its details.
    pub async fn get_registry(&self, registry: &RegistryId) -> Result<RegistryDetails, Error> {
        let a = self
            .inner
            .execute(&Call::new(Method::GET, registry_path(registry)))
            .await?;
        decode_body(&a.body)
    }

    /// The registry `reference` names: by UUID, then by URI (scheme, trailing `/` and case
    /// ignored), then by `registryName` where the server reports one (Qualys's OpenAPI
    /// `Registry` has no name, spec §6b). `not_found` says which of these fields the server
    /// offered and lists near matches; several matches on one field are a `validation` error
    /// (`ambiguous_registry`) listing them.
    pub async fn find_registry(&self, reference: &str) -> Result<Registry, Error> {
        let wanted = reference.trim();
        if wanted.is_empty() {
            return Err(Error::validation(vec![Violation::new(
                "/registry",
                "registry_required",
                "give a registry UUID, URI or name",
            )]));
        }
        let all = self
            .list_registries_all(ListOptions::new())
            .collect_all()
            .await?;
        match find_registry(wanted, &all) {
            Ok(r) => Ok(r.clone()),
            Err(e @ RegistryLookupError::NotFound { .. }) => Err(not_found(e.to_string())),
            Err(e @ RegistryLookupError::Ambiguous { .. }) => {
                Err(Error::validation(vec![Violation::new(
                    "/registry",
                    "ambiguous_registry",
                    e.to_string(),
                )]))
            }
        }
    }

    /// One page of the repositories of `registry`.
    pub async fn list_repositories(
        &self,
        registry: &RegistryId,
        options: &ListOptions,
    ) -> Result<Page<Repository>, Error> {
        self.get_page(format!("{}/repository", registry_path(registry)), options)
            .await
    }

    /// Every repository of `registry`, page after page.
    pub fn list_repositories_all(
        &self,
        registry: &RegistryId,
        options: ListOptions,
    ) -> Paged<Repository> {
        self.paged(format!("{}/repository", registry_path(registry)), options)
    }

    async fn get_page<T: serde::de::DeserializeOwned>(
        &self,
        path: String,
        options: &ListOptions,
    ) -> Result<Page<T>, Error> {
        options.validate()?;
        let mut call = Call::new(Method::GET, path);
        call.query = options.query();
        let a = self.inner.execute(&call).await?;
        let (page, notes) = decode_page::<T>(&a.body, options.lenient)?;
        if !notes.is_empty() {
            tracing::warn!(
                path = %call.path,
                "the list answer needed repairs: {}",
                notes.summary()
            );
        }
        for s in &page.skipped {
            tracing::warn!(
                path = %call.path,
                index = s.index,
                "skipped an item that could not be decoded: {}",
                s.message
            );
        }
        Ok(page)
    }

    fn paged<T>(&self, path: String, options: ListOptions) -> Paged<T>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        Paged::new(options, move |o| {
            let client = client.clone();
            let path = path.clone();
            Box::pin(async move { client.get_page(path, &o).await })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_filter_quotes_and_escapes() {
        assert_eq!(name_filter("nightly"), r#"name:"nightly""#);
        assert_eq!(name_filter(r#"a "b" \c"#), r#"name:"a \"b\" \\c""#);
    }

    #[test]
    fn bulk_selector_needs_ids_or_filter() {
        let err = BulkSelector::default().query().expect_err("empty");
        assert_eq!(err.code(), "validation");
        assert_eq!(err.violations()[0].path, "/scheduleIds");
        let err = BulkSelector::filter("  ").query().expect_err("blank");
        assert_eq!(err.code(), "validation");
        let id = ScheduleId::new_random();
        let q = BulkSelector {
            schedule_ids: vec![id.clone(), id.clone()],
            filter: Some("status:Created".into()),
        }
        .query()
        .expect("ok");
        assert_eq!(q.len(), 3);
        assert_eq!(q[0], ("scheduleIds", id.as_str().to_owned()));
        assert_eq!(q[2], ("filter", "status:Created".to_owned()));
    }
}
