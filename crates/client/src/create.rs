//! Create without duplicates and without losses (spec §8; the written guarantee is
//! `docs/create-guarantee.md`).
//!
//! Create has no idempotency key and names may repeat, so after an ambiguous failure (the
//! answer lost, a timeout, a `5xx`, a `429`) the client must find out whether its POST made a
//! schedule before it sends again. It looks for a schedule that
//!
//! * carries exactly the requested name,
//! * was created after this call's first send — by the **server's** clock: every answer's
//!   `Date` header gives a lower bound of the server's offset from the local clock, so
//!   `cutoff = first send (local) + offset lower bound − margin` is never later than the real
//!   creation of a schedule made by this call,
//! * has the same content as the request (a different body is not ours), and
//! * has an id that this client has not returned before (two creates of the same body from one
//!   client do not adopt each other's schedule).
//!
//! One such schedule is this call's (`recovered`); several are a `conflict` naming them; none
//! means "not (yet)": the server may still be working on a request the client gave up on, so it
//! looks again with backoff until the settle window ends, and only then sends again. After a
//! successful re-send it looks once more and deletes a surplus identical schedule that a late
//! first attempt made.

use crate::Client;
use crate::config::CreateRecovery;
use crate::http::{Call, FailKind, Failure, next_delay};
use crate::ops::{Created, name_filter};
use crate::paging::ListOptions;
use qualys_cs_core::plan::diff;
use qualys_cs_core::{
    CreateResponse, Error, HttpDetails, RegistryId, Schedule, ScheduleId, ScheduleRequest,
    Violation,
};
use reqwest::Method;
use reqwest::header::HeaderMap;
use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Slack under the cutoff: the server's `created` may be stamped by another machine than the
/// one that wrote the `Date` header.
const CUTOFF_MARGIN_MS: i64 = 2_000;
/// How many returned ids a client remembers (the cutoff excludes older ones anyway).
const REMEMBERED_IDS: usize = 65_536;

/// What the `Date` headers told about the server's clock.
#[derive(Debug, Default)]
struct ServerClock {
    /// Lower bound of `server clock − local clock`, in ms (None until an answer had a `Date`).
    offset_ms: Option<i64>,
    /// The last `Date` text and its value in ms (it changes once a second).
    last_date: Option<(String, i64)>,
}

/// What a client learns across calls: the server's clock offset, the ids its creates
/// returned, and the registries whose answers carry no `created`.
#[derive(Debug, Default)]
pub(crate) struct CreateState {
    clock: Mutex<ServerClock>,
    returned: Mutex<(VecDeque<String>, HashSet<String>)>,
    /// Registries whose answers carry no `created` (or no `Date`): snapshot before a POST.
    needs_snapshot: Mutex<HashSet<String>>,
}

fn now_ms() -> i64 {
    qualys_cs_core::jiff::Timestamp::now().as_millisecond()
}

impl CreateState {
    /// Tightens the offset bound from an answer's `Date` header, read at `received_ms`
    /// (local). The header has 1 s resolution and was written before the answer arrived, so
    /// `date − received` is never above the true offset.
    pub(crate) fn observe_date(&self, headers: &HeaderMap, received_ms: i64) {
        let Some(text) = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
        else {
            return;
        };
        let Ok(mut g) = self.clock.lock() else {
            return;
        };
        let ServerClock {
            offset_ms: offset,
            last_date: last,
        } = &mut *g;
        // The header changes once a second: parse it only then.
        let date_ms = match last {
            Some((t, ms)) if t == text => *ms,
            _ => {
                let Ok(d) = qualys_cs_core::jiff::fmt::rfc2822::parse(text.trim()) else {
                    return;
                };
                let ms = d.timestamp().as_millisecond();
                *last = Some((text.to_owned(), ms));
                ms
            }
        };
        let bound = date_ms - received_ms;
        *offset = Some(offset.map_or(bound, |b| b.max(bound)));
    }

    /// The earliest server time at which a schedule made by a POST first sent at `sent_ms`
    /// (local) can have been created; None when no answer carried a `Date` yet.
    fn cutoff(&self, sent_ms: i64) -> Option<i64> {
        let offset = self.clock.lock().ok()?.offset_ms?;
        Some(sent_ms + offset - CUTOFF_MARGIN_MS)
    }

    pub(crate) fn remember(&self, id: &str) {
        if let Ok(mut g) = self.returned.lock() {
            let (order, set) = &mut *g;
            if set.insert(id.to_ascii_lowercase()) {
                order.push_back(id.to_ascii_lowercase());
                if order.len() > REMEMBERED_IDS
                    && let Some(old) = order.pop_front()
                {
                    set.remove(&old);
                }
            }
        }
    }

    pub(crate) fn returned_before(&self, id: &str) -> bool {
        self.returned
            .lock()
            .map(|g| g.1.contains(&id.to_ascii_lowercase()))
            .unwrap_or(false)
    }

    fn needs_snapshot(&self, registry: &RegistryId) -> bool {
        self.needs_snapshot
            .lock()
            .map(|s| s.contains(registry.as_str()))
            .unwrap_or(false)
    }

    fn mark_needs_snapshot(&self, registry: &RegistryId) {
        if let Ok(mut s) = self.needs_snapshot.lock() {
            s.insert(registry.as_str().to_owned());
        }
    }
}

/// What a look for this call's schedule found.
enum Lookup {
    /// Exactly one: this call's.
    Ours(ScheduleId),
    /// None (yet).
    Nothing,
    /// Several candidates: a `conflict` naming them.
    Several(Vec<String>),
    /// Candidates, but the answers carry no `created` and there is no snapshot, so whether
    /// they existed before the call cannot be told.
    Undecidable(Vec<String>),
}

/// How one create call decides what is its own.
struct Ownership<'a> {
    registry: &'a RegistryId,
    request: &'a ScheduleRequest,
    mode: CreateRecovery,
    /// Local wall-clock ms just before the first send.
    sent_ms: i64,
    /// Ids with the name before the first send (snapshot mode, or registries without
    /// `created`).
    snapshot: Option<HashSet<String>>,
}

impl Ownership<'_> {
    fn same_content(&self, s: &Schedule) -> bool {
        self.mode == CreateRecovery::AssumeUniqueNames
            || diff(s, self.request).iter().all(|c| c.unknown)
    }
}

fn conflict(message: String) -> Error {
    Error::Conflict(HttpDetails {
        status: 409,
        message: Some(message),
        ..Default::default()
    })
}

impl Client {
    pub(crate) async fn create_checked(
        &self,
        registry: &RegistryId,
        request: &ScheduleRequest,
        warnings: Vec<Violation>,
    ) -> Result<Created, Error> {
        let inner = &self.inner;
        let state = &inner.created_state;
        let mut call = Call::new(Method::POST, crate::ops::schedules_path(registry));
        call.body = Some(crate::ops::encode(request)?);
        let mode = inner.create_recovery;
        let snapshot = if mode == CreateRecovery::Snapshot || state.needs_snapshot(registry) {
            Some(self.ids_named(registry, &request.name).await?)
        } else {
            None
        };
        let own = Ownership {
            registry,
            request,
            mode,
            sent_ms: now_ms(),
            snapshot,
        };
        let done = |id: ScheduleId, recovered: bool, removed_surplus: Vec<ScheduleId>| {
            state.remember(id.as_str());
            Created {
                schedule_uuid: id,
                warnings: warnings.clone(),
                recovered,
                removed_surplus,
            }
        };
        let first = Instant::now();
        let mut attempt = 0u32;
        let mut resent = false;
        loop {
            attempt += 1;
            let (failure, answered_2xx) = match inner.send_once(&call, attempt).await {
                Ok(answer) => match CreateResponse::from_body(&answer.body) {
                    Ok(r) => {
                        let removed = if resent {
                            self.remove_surplus(&own, &r.schedule_uuid).await
                        } else {
                            Vec::new()
                        };
                        return Ok(done(r.schedule_uuid, false, removed));
                    }
                    Err(error) => (
                        Failure {
                            error,
                            kind: FailKind::MaybeSent,
                            retry_after: None,
                        },
                        true,
                    ),
                },
                Err(f) => (f, false),
            };
            // A 429 is an answer: if the server acted before refusing, the schedule exists
            // already. The docs do not say that the gateway refuses before processing, so a
            // create looks once before sending again (no settling).
            let rate_limited = failure.error.code() == "rate_limited";
            let delay = next_delay(&inner.retry, &failure, attempt, first);
            match failure.kind {
                FailKind::Final => return Err(failure.error),
                FailKind::NotSent if !rate_limited => match delay {
                    Some(d) => {
                        tracing::debug!(
                            attempt,
                            code = failure.error.code(),
                            delay_ms = d.as_millis() as u64,
                            "create not sent; retrying"
                        );
                        tokio::time::sleep(d).await;
                    }
                    None => return Err(failure.error),
                },
                FailKind::NotSent | FailKind::MaybeSent => {
                    if let Some(d) = delay {
                        tokio::time::sleep(d).await;
                    }
                    // Settle only where a re-send would follow: a 429 or a 2xx is an answer
                    // (any processing is over), and with attempts or time used up one look
                    // decides.
                    let settle = if rate_limited || answered_2xx || delay.is_none() {
                        Duration::ZERO
                    } else {
                        inner.create_settle
                    };
                    tracing::debug!(
                        attempt,
                        code = failure.error.code(),
                        settle_ms = settle.as_millis() as u64,
                        "create may have been processed; looking for it"
                    );
                    match self.look_until(&own, settle).await {
                        Ok(Lookup::Ours(id)) => {
                            tracing::info!(attempt, schedule = %id, "create recovered after: {}", failure.error);
                            return Ok(done(id, true, Vec::new()));
                        }
                        Ok(Lookup::Several(ids)) => {
                            return Err(conflict(format!(
                                "the answer to create was lost ({}) and {} schedules named {:?} with the same content were created since this call began: {}; check them and delete the extra ones",
                                failure.error,
                                ids.len(),
                                request.name,
                                ids.join(", ")
                            )));
                        }
                        Ok(Lookup::Undecidable(ids)) => {
                            return Err(conflict(format!(
                                "the answer to create was lost ({}); schedules named {:?} exist ({}) but the server reports no creation time, so whether this call made one cannot be told; check them before creating again",
                                failure.error,
                                request.name,
                                ids.join(", ")
                            )));
                        }
                        Ok(Lookup::Nothing) => {
                            if answered_2xx || delay.is_none() {
                                return Err(failure.error);
                            }
                            resent = true;
                            tracing::debug!(attempt, "no schedule of this call: sending again");
                        }
                        Err(lookup) => {
                            tracing::warn!(
                                code = lookup.code(),
                                "could not look for the schedule after a failed create: {lookup}"
                            );
                            return Err(failure.error);
                        }
                    }
                }
            }
        }
    }

    /// Looks for this call's schedule, again with backoff while nothing is found, until
    /// `settle` has passed (at least once).
    async fn look_until(&self, own: &Ownership<'_>, settle: Duration) -> Result<Lookup, Error> {
        let deadline = Instant::now() + settle;
        let mut pause = Duration::from_millis(200);
        loop {
            let found = self.look(own, None).await?;
            let now = Instant::now();
            if !matches!(found, Lookup::Nothing) || now >= deadline {
                return Ok(found);
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }

    /// One look: the schedules named like the request, newest first, read while they are
    /// newer than the cutoff, kept when they are this call's by the rules of the module docs.
    async fn look(
        &self,
        own: &Ownership<'_>,
        except: Option<&ScheduleId>,
    ) -> Result<Lookup, Error> {
        let state = &self.inner.created_state;
        let mut candidates: Vec<String> = Vec::new();
        let mut undated: Vec<String> = Vec::new();
        let mut page_number = 1u32;
        let page_size = 50u32;
        let mut sort = true;
        loop {
            let mut options = ListOptions::new()
                .filter(name_filter(&own.request.name))
                .page_number(page_number)
                .page_size(page_size)
                .lenient(true);
            if sort {
                options = options.sort("created:desc");
            }
            let page = match self.list_schedules(own.registry, &options).await {
                // A server that refuses the sort: read every page unsorted instead.
                Err(e) if sort && e.code() == "bad_request" => {
                    tracing::debug!("the server refused sort=created:desc ({e}); reading unsorted");
                    sort = false;
                    continue;
                }
                other => other?,
            };
            // Read after the first answer: it carried a `Date` even when the POST got none.
            let cutoff = state.cutoff(own.sent_ms);
            if cutoff.is_none() && own.snapshot.is_none() {
                // No `Date` from this server: later creates here take a snapshot first.
                state.mark_needs_snapshot(own.registry);
            }
            let full = page.data.len() + page.skipped.len() == page_size as usize;
            let mut sorted_desc = true;
            let mut last: Option<i64> = None;
            let mut older_seen = false;
            for s in &page.data {
                let created = s.created.map(|m| m.0);
                if let (Some(prev), Some(c)) = (last, created)
                    && c > prev
                {
                    sorted_desc = false;
                }
                if created.is_some() {
                    last = created;
                }
                if s.name != own.request.name
                    || except.is_some_and(|e| e.as_str().eq_ignore_ascii_case(&s.schedule_uuid))
                {
                    continue;
                }
                let id = s.schedule_uuid.to_ascii_lowercase();
                if let Some(snap) = &own.snapshot {
                    if !snap.contains(&id) && !state.returned_before(&id) && own.same_content(s) {
                        candidates.push(s.schedule_uuid.clone());
                    }
                    continue;
                }
                match (created, cutoff) {
                    (Some(c), Some(cut)) if c < cut => older_seen = true,
                    (Some(_), Some(_)) => {
                        if !state.returned_before(&id) && own.same_content(s) {
                            candidates.push(s.schedule_uuid.clone());
                        }
                    }
                    (None, _) | (_, None) => {
                        state.mark_needs_snapshot(own.registry);
                        if !state.returned_before(&id) && own.same_content(s) {
                            undated.push(s.schedule_uuid.clone());
                        }
                    }
                }
            }
            tracing::debug!(
                page = page_number,
                items = page.data.len(),
                cutoff,
                newest = page.data.first().and_then(|s| s.created).map(|m| m.0),
                candidates = candidates.len(),
                older_seen,
                sorted_desc,
                "create look"
            );
            // Newest first: once an item older than the cutoff is seen on a sorted page, no
            // later page can hold a newer one.
            if !full || (sort && older_seen && sorted_desc && own.snapshot.is_none()) {
                break;
            }
            page_number = page_number.saturating_add(1);
        }
        candidates.dedup();
        if !undated.is_empty() {
            candidates.extend(undated);
            return Ok(Lookup::Undecidable(candidates));
        }
        Ok(match candidates.len() {
            0 => Lookup::Nothing,
            1 => match ScheduleId::parse(&candidates[0]) {
                Ok(id) => Lookup::Ours(id),
                Err(_) => Lookup::Undecidable(candidates),
            },
            _ => Lookup::Several(candidates),
        })
    }

    /// After a successful re-send: a schedule of this call that the first attempt made late
    /// is a duplicate; delete it (log what could not be deleted).
    async fn remove_surplus(&self, own: &Ownership<'_>, kept: &ScheduleId) -> Vec<ScheduleId> {
        let ids = match self.look(own, Some(kept)).await {
            Ok(Lookup::Ours(id)) => vec![id.as_str().to_owned()],
            Ok(Lookup::Several(ids)) => ids,
            Ok(Lookup::Nothing) => return Vec::new(),
            Ok(Lookup::Undecidable(ids)) => {
                tracing::warn!(kept = %kept, "after re-sending a create, other schedules named {:?} exist ({}); without creation times they are left alone", own.request.name, ids.join(", "));
                return Vec::new();
            }
            Err(e) => {
                tracing::warn!(kept = %kept, code = e.code(), "could not look for a surplus schedule after re-sending a create: {e}");
                return Vec::new();
            }
        };
        let mut removed = Vec::new();
        for id in ids {
            let Ok(id) = ScheduleId::parse(&id) else {
                continue;
            };
            match self.delete_schedule(own.registry, &id).await {
                Ok(()) => {
                    tracing::info!(kept = %kept, removed = %id, "a late first attempt made a second identical schedule: removed it");
                    removed.push(id);
                }
                Err(e) => {
                    tracing::warn!(kept = %kept, surplus = %id, code = e.code(), "a late first attempt made a second identical schedule and it could not be removed: {e}")
                }
            }
        }
        removed
    }

    /// The ids (lowercase) of the schedules carrying exactly `name`.
    async fn ids_named(&self, registry: &RegistryId, name: &str) -> Result<HashSet<String>, Error> {
        let all = self
            .list_schedules_all(
                registry,
                ListOptions::new().filter(name_filter(name)).lenient(true),
            )
            .collect_all()
            .await?;
        Ok(all
            .into_iter()
            .filter(|s| s.name == name)
            .map(|s| s.schedule_uuid.to_ascii_lowercase())
            .collect())
    }
}
