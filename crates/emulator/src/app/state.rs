//! [`AppState`]: everything the routes share, and what it does besides answering a route:
//! applying due job events (sync), creating schedules (and the `twin` fault's), advancing the
//! clock, reset, the raw schedule dump.

use super::DEFAULT_BODY_READ_TIMEOUT;
use super::schedules::decode_request;
use crate::auth::Auth;
use crate::clock::{Clock, ms_to_timestamp};
use crate::config::RegistryState;
use crate::faults::{Faults, TwinMode};
use crate::jobs::{self, JobSettings};
use crate::journal::Journal;
use crate::ratelimit::RateLimiter;
use crate::store::{ScheduleRow, Store, StoreError};
use crate::wire::WireProfile;
use qualys_cs_core::{RegistryId, ScheduleId, ScheduleRequest};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

const CLOCK_KEY: &str = "clock_ms";

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn read_lock<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    match m.read() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn write_lock<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    match m.write() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// The registries served: the configured ones with the store's changes applied (a deleted
/// one hidden, a changed one replaced), then the ones created through the API. A stored
/// state that cannot be read is reported and skipped.
fn apply_registry_rows(
    seeds: &[RegistryState],
    rows: Vec<(String, Option<String>)>,
) -> Vec<Arc<RegistryState>> {
    let mut out: Vec<RegistryState> = seeds.to_vec();
    for (id, state) in rows {
        let pos = out.iter().position(|r| r.id().eq_ignore_ascii_case(&id));
        let Some(state) = state else {
            if let Some(i) = pos {
                out.remove(i);
            }
            continue;
        };
        let stored: crate::managed::StoredRegistry = match serde_json::from_str(&state) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(registry = %id, error = %e, "skipping an unreadable stored registry");
                continue;
            }
        };
        match pos {
            Some(i) => {
                let r = &mut out[i];
                r.details = stored.details;
                r.managed = stored.managed;
            }
            None => out.push(RegistryState {
                details: stored.details,
                repositories: Vec::new(),
                tags: Vec::new(),
                managed: stored.managed,
            }),
        }
    }
    out.into_iter().map(Arc::new).collect()
}

/// Counts a sync under way for as long as it lives.
struct Syncing<'a>(&'a AtomicUsize);

impl<'a> Syncing<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::AcqRel);
        Syncing(n)
    }
}

impl Drop for Syncing<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Everything the routes share.
#[derive(Debug)]
pub struct AppState {
    /// Schedules.
    pub store: Store,
    /// The clock.
    pub clock: Clock,
    /// Users and tokens.
    pub auth: Auth,
    /// Registries: the configured ones, then those created through the API; changes made
    /// through the API are also in the store (they survive a restart).
    registries: RwLock<Vec<Arc<RegistryState>>>,
    /// The configured registries, as they were at start (what a reset goes back to).
    seeds: Vec<RegistryState>,
    /// Fault rules.
    pub faults: Mutex<Faults>,
    /// Request journal.
    pub journal: Mutex<Journal>,
    /// CS rate limit.
    pub limiter: Mutex<RateLimiter>,
    /// Job timing and outcome.
    pub jobs: Mutex<JobSettings>,
    /// The shape of the answers.
    pub wire: WireProfile,
    /// The token the control routes require (`None`: open, loopback only).
    pub control_token: Option<String>,
    /// Time a client has to send a whole body (then 408 and the connection is closed).
    pub body_read_timeout: Duration,
    /// Time a client has to send the request line and headers (enforced by the server; kept
    /// here for the settings route).
    pub header_read_timeout: Duration,
    /// Earliest pending job event (ms), `i64::MAX` when none: lets requests skip the store
    /// when nothing is due.
    pub(super) next_event: AtomicI64,
    /// Syncs under way (requests skip theirs meanwhile: the store lock orders them after it).
    syncing: AtomicUsize,
}

impl AppState {
    /// Assembles the state and computes the first pending event.
    pub fn new(
        store: Store,
        clock: Clock,
        auth: Auth,
        registries: Vec<RegistryState>,
        limiter: RateLimiter,
        jobs: JobSettings,
        wire: WireProfile,
    ) -> Result<Self, StoreError> {
        let next = store.read(|tx| tx.next_event())?.unwrap_or(i64::MAX);
        // Stamps of a previous run on this data directory stay in the past.
        if let Some(latest) = store.read(|tx| tx.latest_stamp())? {
            clock.stamps_after(latest);
        }
        let overlay = store.read(|tx| tx.registry_rows())?;
        let current = apply_registry_rows(&registries, overlay);
        Ok(AppState {
            store,
            clock,
            auth,
            registries: RwLock::new(current),
            seeds: registries,
            faults: Mutex::new(Faults::default()),
            journal: Mutex::new(Journal::default()),
            limiter: Mutex::new(limiter),
            jobs: Mutex::new(jobs),
            wire,
            control_token: None,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            header_read_timeout: crate::server::DEFAULT_HEADER_READ_TIMEOUT,
            next_event: AtomicI64::new(next),
            syncing: AtomicUsize::new(0),
        })
    }

    pub(super) fn registry(&self, id: &str) -> Option<Arc<RegistryState>> {
        read_lock(&self.registries)
            .iter()
            .find(|r| r.id().eq_ignore_ascii_case(id))
            .cloned()
    }

    /// Every registry served now, in order (configured first, then created ones).
    pub fn registries(&self) -> Vec<Arc<RegistryState>> {
        read_lock(&self.registries).clone()
    }

    /// Changes the registries: `f` gets the list (under its write lock) and a store
    /// transaction, so the list and the store change together or not at all.
    pub(super) fn change_registries<R>(
        &self,
        f: impl FnOnce(
            &mut Vec<Arc<RegistryState>>,
            &crate::store::Tx<'_>,
        ) -> Result<R, super::ApiError>,
    ) -> Result<R, super::ApiError> {
        let mut regs = write_lock(&self.registries);
        let mut next = regs.clone();
        let out = self.store.write(|tx| f(&mut next, tx))?;
        *regs = next;
        Ok(out)
    }

    pub(super) fn job_settings(&self) -> JobSettings {
        *lock(&self.jobs)
    }

    /// True when a job event is due by the clock (a sync has work to do).
    pub fn sync_due(&self) -> bool {
        self.clock.now_ms() >= self.next_event.load(Ordering::Acquire)
    }

    /// Applies every job event due by the clock (cheap when nothing is due). Blocks on the
    /// store: call it off the async workers.
    pub fn sync(&self) -> Result<(), StoreError> {
        let _syncing = Syncing::new(&self.syncing);
        self.sync_now()
    }

    /// [`sync`](Self::sync), unless one is under way: then the caller's later store access
    /// waits for it anyway (one lock), and a request that needs no store (a registry list,
    /// `/auth`) is not held up by a long clock advance.
    pub fn sync_unless_busy(&self) -> Result<(), StoreError> {
        if self.syncing.load(Ordering::Acquire) > 0 {
            return Ok(());
        }
        self.sync()
    }

    fn sync_now(&self) -> Result<(), StoreError> {
        if !self.sync_due() {
            return Ok(());
        }
        let settings = self.job_settings();
        self.store.write(|tx| {
            // Read inside the lock: a sync that waited for another sees its clock.
            let now = self.clock.now_ms();
            let (due, unreadable) = tx.due(now)?;
            for seq in unreadable {
                tx.park(seq)?;
            }
            for mut row in due {
                if jobs::advance(&mut row, now, settings) {
                    tx.update(&row)?;
                }
            }
            let next = tx.next_event()?.unwrap_or(i64::MAX);
            self.next_event.store(next, Ordering::Release);
            Ok(())
        })
    }

    /// Creates a schedule in `reg`: `created`/`updated` are a stamp of the clock, run times
    /// and job steps go by the clock's now. Returns its id, or None when the registry was
    /// deleted meanwhile (checked inside the write, so no schedule outlives its registry).
    /// Blocks on the store.
    pub fn create_schedule(
        &self,
        reg: &RegistryState,
        req: ScheduleRequest,
    ) -> Result<Option<String>, StoreError> {
        let now = self.clock.now_ms();
        let id = ScheduleId::new_random().to_string();
        let mut row = jobs::new_row(
            id.clone(),
            reg.id().to_owned(),
            req,
            now,
            self.job_settings(),
        );
        let stored = self.store.write(|tx| {
            if tx.registry_deleted(reg.id())? {
                return Ok::<_, StoreError>(false);
            }
            // Stamped inside the lock: creation order and `created` order agree.
            let stamp = self.clock.stamp_ms();
            row.created = stamp;
            row.updated = stamp;
            tx.insert(&mut row)?;
            if let Some(t) = jobs::next_event(&row) {
                self.next_event.fetch_min(t, Ordering::AcqRel);
            }
            Ok(true)
        })?;
        Ok(stored.then_some(id))
    }

    /// The `twin` fault: another client creates a schedule named like the create request in
    /// `body` (`different`: on demand, repository `twin/other`; `identical`: the same body).
    /// Nothing happens when the path's registry is unknown or the body invalid (the request
    /// itself then fails). Returns the twin's id. Blocks on the store.
    pub fn create_twin(&self, registry_id: &str, body: &[u8], mode: TwinMode) -> Option<String> {
        let reg = RegistryId::parse(registry_id)
            .ok()
            .and_then(|id| self.registry(id.as_str()))?;
        let value: Value = serde_json::from_slice(body).ok()?;
        let req = match decode_request(&value) {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(error = %e.message, "twin fault: the request body is invalid; no twin");
                return None;
            }
        };
        let req = match mode {
            TwinMode::Identical => req,
            TwinMode::Different => ScheduleRequest::on_demand(req.name.clone())
                .repo("twin/other")
                .build()
                .ok()?,
        };
        match self.create_schedule(&reg, req) {
            Ok(None) => None,
            Ok(Some(id)) => {
                tracing::info!(schedule = %id, ?mode, "fault: twin schedule created");
                Some(id)
            }
            Err(e) => {
                tracing::warn!(error = %e, "twin fault: the twin could not be stored");
                None
            }
        }
    }

    /// Moves the clock forward and applies what became due; returns the new time (ms).
    /// Blocks on the store.
    pub fn advance_clock(&self, by: Duration) -> Result<i64, StoreError> {
        // Counted as syncing before the clock moves: a request arriving meanwhile leaves the
        // backlog to this call instead of taking it on itself.
        let _syncing = Syncing::new(&self.syncing);
        let now = self.clock.advance(by);
        self.store
            .write(|tx| tx.meta_set(CLOCK_KEY, &now.to_string()))?;
        self.sync_now()?;
        Ok(now)
    }

    /// The clock time saved by the last advance in this store, if any.
    pub fn saved_clock(store: &Store) -> Result<Option<i64>, StoreError> {
        Ok(store
            .read(|tx| tx.meta_get(CLOCK_KEY))?
            .and_then(|s| s.parse().ok()))
    }

    /// Clears schedules, faults, the journal and rate-limit counters, and puts the registries
    /// back as configured (created ones go, deleted or changed ones come back).
    pub fn reset(&self) -> Result<(), StoreError> {
        let mut regs = write_lock(&self.registries);
        self.store.write(|tx| {
            tx.delete_all()?;
            tx.registries_clear()?;
            *regs = self.seeds.iter().cloned().map(Arc::new).collect();
            self.next_event.store(i64::MAX, Ordering::Release);
            Ok::<_, StoreError>(())
        })?;
        lock(&self.faults).clear();
        lock(&self.journal).clear();
        lock(&self.limiter).reset();
        Ok(())
    }

    /// Every schedule with its raw state (what `GET /_emulator/schedules` answers).
    pub fn raw_schedules(&self) -> Result<Vec<Value>, StoreError> {
        let rows = self.store.read(|tx| tx.all())?;
        Ok(rows.iter().map(|r| self.raw_schedule(r)).collect())
    }

    fn raw_schedule(&self, r: &ScheduleRow) -> Value {
        let reg_type = self
            .registry(&r.registry_id)
            .and_then(|g| g.details.registry.registry_type.clone());
        let mut v = serde_json::to_value(r.to_schedule(reg_type.as_ref())).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("registryUuid".into(), json!(r.registry_id));
            m.insert(
                "emulator".into(),
                json!({
                    "seq": r.seq,
                    "phase": r.phase.map(|p| format!("{p:?}")),
                    "nextStepMs": r.next_step,
                    "nextRunMs": r.next_fire,
                    "nextRun": r.next_fire.map(|t| ms_to_timestamp(t).to_string()),
                    "runs": r.runs,
                    "clockAtCreationMs": r.anchor,
                    "request": r.request.to_value(),
                    "unknownFields": r.extra,
                }),
            );
        }
        v
    }

    pub(super) fn clock_json(&self) -> Value {
        let ms = self.clock.now_ms();
        let stamp = self.clock.stamp_ms();
        json!({
            "now": ms_to_timestamp(ms).to_string(),
            "nowMs": ms,
            "mode": self.clock.mode().as_str(),
            "stamp": ms_to_timestamp(stamp).to_string(),
            "stampMs": stamp,
        })
    }
}
