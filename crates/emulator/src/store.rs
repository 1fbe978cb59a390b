//! Schedules in SQLite: a file in a data directory (WAL; every write commits before the answer
//! is sent, so an acknowledged create survives `kill -9`) or `:memory:`. Both modes share every
//! line of code below.
//!
//! Lookups by name, id, status and on-demand flag are answered from indexed key columns
//! ([`Narrow`]), so a `filter=name:"x"` reads and decodes only the matching rows, however many
//! schedules the registry holds. A row that cannot be decoded is reported once
//! (`tracing::warn!`) and skipped by every list, instead of failing each call.

use qualys_cs_core::{
    Extra, JobError, Millis, RegistryType, Schedule, ScheduleRequest, ScheduleStatus,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "emulator.sqlite3";

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// On demand, before queueing.
    Created,
    /// Waiting.
    Queued,
    /// Running: listing images.
    Listing,
    /// Running: scanning.
    Scanning,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Created => "created",
            Phase::Queued => "queued",
            Phase::Listing => "listing",
            Phase::Scanning => "scanning",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "created" => Phase::Created,
            "queued" => Phase::Queued,
            "listing" => Phase::Listing,
            "scanning" => Phase::Scanning,
            _ => return None,
        })
    }
}

/// The dates of the current or last job (epoch ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobDates {
    /// `jobStartDate`.
    pub start: Option<i64>,
    /// `jobCompletionDate`.
    pub completion: Option<i64>,
    /// `jobListingStartDate`.
    pub listing_start: Option<i64>,
    /// `jobListingCompletionDate`.
    pub listing_completion: Option<i64>,
    /// `jobScanningStartDate`.
    pub scanning_start: Option<i64>,
    /// `jobScanningCompletionDate`.
    pub scanning_completion: Option<i64>,
}

/// One schedule's full state.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleRow {
    /// Insertion order (0 before insert).
    pub seq: i64,
    /// The schedule's UUID.
    pub id: String,
    /// Its registry's UUID.
    pub registry_id: String,
    /// The request as created or last updated (canonical), without its unknown fields
    /// (`request.extra` is always empty here).
    pub request: ScheduleRequest,
    /// The request's unknown fields, kept apart so that they never shadow a field the
    /// emulator answers itself (see [`crate::wire::echoable`]).
    pub extra: Extra,
    /// Status.
    pub status: ScheduleStatus,
    /// Job phase, `None` when no job is going.
    pub phase: Option<Phase>,
    /// Created (ms): a stamp of the emulator clock ([`crate::clock::Clock::stamp_ms`]).
    pub created: i64,
    /// Updated (ms): a stamp of the emulator clock.
    pub updated: i64,
    /// The clock's now when the schedule was created ([`crate::clock::Clock::now_ms`]): what
    /// run times are computed from, so they do not depend on real time.
    pub anchor: i64,
    /// Job dates.
    pub dates: JobDates,
    /// Errors of the last job.
    pub errors: Vec<JobError>,
    /// When the job moves next.
    pub next_step: Option<i64>,
    /// When the automatic schedule runs next.
    pub next_fire: Option<i64>,
    /// Jobs finished.
    pub runs: i64,
}

impl ScheduleRow {
    /// The Full list item (spec §6), dates as epoch-ms strings; unknown request fields are
    /// echoed only when their names are not the emulator's own ([`crate::wire::echoable`]).
    pub fn to_schedule(&self, registry_type: Option<&RegistryType>) -> Schedule {
        let r = &self.request;
        let m = |v: Option<i64>| v.map(Millis);
        Schedule {
            schedule_uuid: self.id.clone(),
            name: r.name.clone(),
            on_demand: Some(r.on_demand),
            schedule_interval_in_days: r.schedule_interval_in_days,
            week_day: r.week_day.clone(),
            schedule: r.schedule.clone(),
            force_scan: Some(r.force_scan.unwrap_or(false)),
            registry_type: r.registry_type.clone().or_else(|| registry_type.cloned()),
            status: Some(self.status.clone()),
            filters: r.filters.clone(),
            additional_filters: r.additional_filters.clone(),
            errors: self.errors.clone(),
            created: Some(Millis(self.created)),
            updated: Some(Millis(self.updated)),
            job_start_date: m(self.dates.start),
            job_completion_date: m(self.dates.completion),
            job_listing_start_date: m(self.dates.listing_start),
            job_listing_completion_date: m(self.dates.listing_completion),
            job_scanning_start_date: m(self.dates.scanning_start),
            job_scanning_completion_date: m(self.dates.scanning_completion),
            extra: crate::wire::echoable(&self.extra),
        }
    }
}

/// A store failure (always a 500 for the caller).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored row could not be read back.
    #[error("stored schedule {id} is unreadable: {why}")]
    Corrupt {
        /// The schedule.
        id: String,
        /// Why.
        why: String,
    },
    /// The data directory could not be created.
    #[error("cannot use the data directory {dir}: {source}")]
    Dir {
        /// The directory.
        dir: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The schedules database.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
    /// Rows already reported as unreadable (reported once each).
    warned: Mutex<HashSet<i64>>,
}

/// The lookup key of a text value: lower-cased exactly as the filter compares values
/// ([`crate::query::glob_match_ci`]), so an indexed equality answers exactly what the filter
/// would.
pub fn fold_key(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// What an SQL `WHERE` can narrow a schedule list to before anything is decoded: equality on
/// indexed keys. Every field is exact (the rows it keeps are exactly the rows whose field
/// matches), and the full filter still runs on what is left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Narrow {
    /// The schedule id, folded ([`fold_key`]).
    pub id: Option<String>,
    /// The name, folded.
    pub name_key: Option<String>,
    /// The status, folded.
    pub status_key: Option<String>,
    /// On demand or not.
    pub on_demand: Option<bool>,
    /// Nothing can match (two different values for one field, `onDemand:maybe`).
    pub nothing: bool,
}

impl Narrow {
    fn set(slot: &mut Option<String>, nothing: &mut bool, key: String) {
        match slot {
            Some(k) if *k != key => *nothing = true,
            _ => *slot = Some(key),
        }
    }

    /// Requires this id (folded here).
    pub fn id(&mut self, v: &str) {
        Self::set(&mut self.id, &mut self.nothing, fold_key(v));
    }

    /// Requires this name (folded here).
    pub fn name(&mut self, v: &str) {
        Self::set(&mut self.name_key, &mut self.nothing, fold_key(v));
    }

    /// Requires this status (folded here).
    pub fn status(&mut self, v: &str) {
        Self::set(&mut self.status_key, &mut self.nothing, fold_key(v));
    }

    /// Requires this on-demand value, written as the list item shows it (`true`/`false`,
    /// any case); any other text matches nothing.
    pub fn on_demand(&mut self, v: &str) {
        let b = match fold_key(v).as_str() {
            "true" => true,
            "false" => false,
            _ => {
                self.nothing = true;
                return;
            }
        };
        match self.on_demand {
            Some(x) if x != b => self.nothing = true,
            _ => self.on_demand = Some(b),
        }
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS schedules (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    registry_id TEXT NOT NULL,
    request TEXT NOT NULL,
    status TEXT NOT NULL,
    phase TEXT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    job_start INTEGER,
    job_completion INTEGER,
    listing_start INTEGER,
    listing_completion INTEGER,
    scanning_start INTEGER,
    scanning_completion INTEGER,
    errors TEXT NOT NULL DEFAULT '[]',
    next_step INTEGER,
    next_fire INTEGER,
    runs INTEGER NOT NULL DEFAULT 0,
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS schedules_by_registry ON schedules(registry_id, seq);
CREATE INDEX IF NOT EXISTS schedules_by_step ON schedules(next_step) WHERE next_step IS NOT NULL;
CREATE INDEX IF NOT EXISTS schedules_by_fire ON schedules(next_fire) WHERE next_fire IS NOT NULL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS registries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    state TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
";

/// Columns added after version 1, with their definitions.
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("extra", "TEXT NOT NULL DEFAULT '{}'"),
    ("name_key", "TEXT"),
    ("status_key", "TEXT"),
    ("on_demand", "INTEGER"),
    ("anchor", "INTEGER"),
];

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS schedules_by_name ON schedules(registry_id, name_key, seq);
CREATE INDEX IF NOT EXISTS schedules_by_status ON schedules(registry_id, status_key, seq);
";

/// Schema version 2 added the `extra` column (unknown request fields kept apart). Version 1
/// files kept them inside `request`; [`ScheduleRowRaw::decode`] moves them out when read.
/// Version 3 added the indexed lookup keys (`name_key`, `status_key`, `on_demand`) and
/// `anchor`; older rows get their keys when the file is opened.
const USER_VERSION: i64 = 3;

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(SCHEMA)?;
    for (name, def) in ADDED_COLUMNS {
        let has: i64 = conn.query_row(
            "SELECT COUNT(*) FROM pragma_table_info('schedules') WHERE name = ?1",
            params![name],
            |r| r.get(0),
        )?;
        if has == 0 {
            conn.execute_batch(&format!("ALTER TABLE schedules ADD COLUMN {name} {def}"))?;
        }
    }
    conn.execute_batch(INDEXES)?;
    backfill_keys(conn)?;
    conn.pragma_update(None, "user_version", USER_VERSION)?;
    Ok(())
}

/// Fills the lookup keys of rows written by an older emulator. A row whose request cannot be
/// read keeps no name key (it is skipped by lists anyway).
fn backfill_keys(conn: &Connection) -> Result<(), StoreError> {
    let todo: Vec<(i64, String, String)> = conn
        .prepare("SELECT seq, request, status FROM schedules WHERE name_key IS NULL OR status_key IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if todo.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare(
        "UPDATE schedules SET name_key = ?2, status_key = ?3, on_demand = ?4 WHERE seq = ?1",
    )?;
    for (seq, request, status) in todo {
        let req = serde_json::from_str::<serde_json::Value>(&request)
            .ok()
            .and_then(|v| ScheduleRequest::from_value(&v).ok());
        stmt.execute(params![
            seq,
            req.as_ref().map(|r| fold_key(&r.name)),
            fold_key(&status),
            req.as_ref().map(|r| r.on_demand),
        ])?;
    }
    Ok(())
}

const COLUMNS: &str = "seq, id, registry_id, request, status, phase, created, updated, job_start, \
    job_completion, listing_start, listing_completion, scanning_start, scanning_completion, \
    errors, next_step, next_fire, runs, extra, anchor";

impl Store {
    /// A private in-memory database.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        migrate(&conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: None,
            warned: Mutex::default(),
        })
    }

    /// The database in `dir` (created when missing), in WAL mode.
    pub fn open_dir(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
            dir: dir.to_owned(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path)?;
        // WAL + NORMAL: a commit is in the OS's hands before the answer is written, so it
        // survives the process being killed (not a power cut, which is not what tests do).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: Some(path),
            warned: Mutex::default(),
        })
    }

    /// The database file (None in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        match self.conn.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Runs `f` in one immediate transaction, committed before returning (rolled back when
    /// `f` fails). Every read-modify-write of the emulator goes through here, so requests and
    /// clock moves never interleave.
    pub fn write<R, E>(&self, f: impl FnOnce(&Tx<'_>) -> Result<R, E>) -> Result<R, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| E::from(e.into()))?;
        let out = f(&Tx {
            c: &tx,
            warned: &self.warned,
        })?;
        tx.commit().map_err(|e| E::from(e.into()))?;
        Ok(out)
    }

    /// Runs `f` for reading (no transaction needed: one connection, one lock).
    pub fn read<R, E>(&self, f: impl FnOnce(&Tx<'_>) -> Result<R, E>) -> Result<R, E> {
        let conn = self.lock();
        f(&Tx {
            c: &conn,
            warned: &self.warned,
        })
    }
}

/// Operations inside [`Store::write`] / [`Store::read`].
pub struct Tx<'a> {
    c: &'a Connection,
    warned: &'a Mutex<HashSet<i64>>,
}

fn row_to_schedule(r: &Row<'_>) -> rusqlite::Result<(ScheduleRowRaw, i64)> {
    Ok((
        ScheduleRowRaw {
            id: r.get(1)?,
            registry_id: r.get(2)?,
            request: r.get(3)?,
            status: r.get(4)?,
            phase: r.get(5)?,
            created: r.get(6)?,
            updated: r.get(7)?,
            dates: JobDates {
                start: r.get(8)?,
                completion: r.get(9)?,
                listing_start: r.get(10)?,
                listing_completion: r.get(11)?,
                scanning_start: r.get(12)?,
                scanning_completion: r.get(13)?,
            },
            errors: r.get(14)?,
            next_step: r.get(15)?,
            next_fire: r.get(16)?,
            runs: r.get(17)?,
            extra: r.get(18)?,
            anchor: r.get(19)?,
        },
        r.get(0)?,
    ))
}

struct ScheduleRowRaw {
    id: String,
    registry_id: String,
    request: String,
    status: String,
    phase: Option<String>,
    created: i64,
    updated: i64,
    dates: JobDates,
    errors: String,
    next_step: Option<i64>,
    next_fire: Option<i64>,
    runs: i64,
    extra: String,
    anchor: Option<i64>,
}

impl ScheduleRowRaw {
    fn decode(self, seq: i64) -> Result<ScheduleRow, StoreError> {
        let corrupt = |why: String| StoreError::Corrupt {
            id: self.id.clone(),
            why,
        };
        let value: serde_json::Value =
            serde_json::from_str(&self.request).map_err(|e| corrupt(e.to_string()))?;
        let mut request =
            ScheduleRequest::from_value(&value).map_err(|e| corrupt(e.to_string()))?;
        let mut extra: Extra =
            serde_json::from_str(&self.extra).map_err(|e| corrupt(e.to_string()))?;
        // Version 1 files kept unknown fields inside the request.
        for (k, v) in std::mem::take(&mut request.extra) {
            extra.entry(k).or_insert(v);
        }
        let errors: Vec<JobError> =
            serde_json::from_str(&self.errors).map_err(|e| corrupt(e.to_string()))?;
        let phase = match self.phase.as_deref() {
            None => None,
            Some(p) => Some(Phase::parse(p).ok_or_else(|| corrupt(format!("phase {p:?}")))?),
        };
        Ok(ScheduleRow {
            seq,
            id: self.id,
            registry_id: self.registry_id,
            request,
            status: ScheduleStatus::from_wire(&self.status),
            phase,
            created: self.created,
            updated: self.updated,
            anchor: self.anchor.unwrap_or(self.created),
            dates: self.dates,
            errors,
            next_step: self.next_step,
            next_fire: self.next_fire,
            runs: self.runs,
            extra,
        })
    }
}

/// A row's `seq` and the row, or why it cannot be read.
type RawRow = (i64, Result<ScheduleRow, StoreError>);

impl Tx<'_> {
    /// The rows of a query, each decoded or with the reason it cannot be.
    fn query_raw(
        &self,
        sql_where: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<RawRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM schedules {sql_where}");
        let mut stmt = self.c.prepare_cached(&sql)?;
        let raws = stmt
            .query_map(p, |r| {
                // A column of the wrong type is a corrupt row too, not a failed query.
                let seq: i64 = r.get(0)?;
                Ok((seq, row_to_schedule(r).map(|(raw, _)| raw)))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(raws
            .into_iter()
            .map(|(seq, raw)| {
                let row = match raw {
                    Ok(raw) => raw.decode(seq),
                    Err(e) => Err(StoreError::Corrupt {
                        id: format!("(row {seq})"),
                        why: e.to_string(),
                    }),
                };
                (seq, row)
            })
            .collect())
    }

    /// Reports an unreadable row (once per row).
    fn report(&self, seq: i64, e: &StoreError) {
        let first = match self.warned.lock() {
            Ok(mut w) => w.insert(seq),
            Err(p) => p.into_inner().insert(seq),
        };
        if first {
            tracing::warn!(row = seq, error = %e, "skipping an unreadable stored schedule");
        }
    }

    /// The readable rows of a query; unreadable ones are reported and skipped.
    fn query(
        &self,
        sql_where: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<ScheduleRow>, StoreError> {
        Ok(self
            .query_raw(sql_where, p)?
            .into_iter()
            .filter_map(|(seq, r)| match r {
                Ok(row) => Some(row),
                Err(e) => {
                    self.report(seq, &e);
                    None
                }
            })
            .collect())
    }

    /// One schedule of one registry; an unreadable one is an error naming it.
    pub fn get(&self, registry_id: &str, id: &str) -> Result<Option<ScheduleRow>, StoreError> {
        match self
            .query_raw(
                "WHERE id = ?1 AND registry_id = ?2",
                params![id, registry_id],
            )?
            .pop()
        {
            None => Ok(None),
            Some((_, r)) => r.map(Some),
        }
    }

    /// The stored status of one schedule, without decoding the rest (`None` when absent).
    pub fn status_of(
        &self,
        registry_id: &str,
        id: &str,
    ) -> Result<Option<ScheduleStatus>, StoreError> {
        Ok(self
            .c
            .prepare_cached("SELECT status FROM schedules WHERE id = ?1 AND registry_id = ?2")?
            .query_row(params![id, registry_id], |r| r.get::<_, String>(0))
            .optional()?
            .map(|s| ScheduleStatus::from_wire(&s)))
    }

    /// Every schedule of a registry, in creation order.
    pub fn list(&self, registry_id: &str) -> Result<Vec<ScheduleRow>, StoreError> {
        self.query("WHERE registry_id = ?1 ORDER BY seq", params![registry_id])
    }

    /// The schedules of a registry that `narrow` keeps, in creation order: only those rows are
    /// read and decoded (the key columns are indexed).
    pub fn list_narrowed(
        &self,
        registry_id: &str,
        narrow: &Narrow,
    ) -> Result<Vec<ScheduleRow>, StoreError> {
        if narrow.nothing {
            return Ok(Vec::new());
        }
        let mut sql = String::from("WHERE registry_id = ?1");
        let mut args: Vec<rusqlite::types::Value> = vec![registry_id.to_owned().into()];
        let mut add = |col: &str, v: rusqlite::types::Value| {
            args.push(v);
            sql.push_str(&format!(" AND {col} = ?{}", args.len()));
        };
        if let Some(id) = &narrow.id {
            add("id", id.clone().into());
        }
        if let Some(k) = &narrow.name_key {
            add("name_key", k.clone().into());
        }
        if let Some(k) = &narrow.status_key {
            add("status_key", k.clone().into());
        }
        if let Some(b) = narrow.on_demand {
            add("on_demand", i64::from(b).into());
        }
        sql.push_str(" ORDER BY seq");
        self.query(&sql, rusqlite::params_from_iter(args))
    }

    /// Every schedule, in creation order.
    pub fn all(&self) -> Result<Vec<ScheduleRow>, StoreError> {
        self.query("ORDER BY seq", [])
    }

    /// Schedules with an event at or before `now_ms`, and the rows among them that cannot be
    /// read (reported; see [`park`](Self::park)).
    pub fn due(&self, now_ms: i64) -> Result<(Vec<ScheduleRow>, Vec<i64>), StoreError> {
        let mut rows = Vec::new();
        let mut bad = Vec::new();
        for (seq, r) in self.query_raw(
            "WHERE next_step <= ?1 OR next_fire <= ?1 ORDER BY seq",
            params![now_ms],
        )? {
            match r {
                Ok(row) => rows.push(row),
                Err(e) => {
                    self.report(seq, &e);
                    bad.push(seq);
                }
            }
        }
        Ok((rows, bad))
    }

    /// Takes an unreadable row out of the job events (it can never move), so it is not due
    /// again at every request.
    pub fn park(&self, seq: i64) -> Result<(), StoreError> {
        self.c
            .prepare_cached(
                "UPDATE schedules SET next_step = NULL, next_fire = NULL WHERE seq = ?1",
            )?
            .execute(params![seq])?;
        Ok(())
    }

    /// The latest `created`/`updated` stamp stored (None when empty).
    pub fn latest_stamp(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .c
            .prepare_cached("SELECT MAX(MAX(created), MAX(updated)) FROM schedules")?
            .query_row([], |r| r.get::<_, Option<i64>>(0))?)
    }

    /// The earliest pending event of any schedule.
    pub fn next_event(&self) -> Result<Option<i64>, StoreError> {
        let mut stmt = self.c.prepare_cached(
            "SELECT MIN(t) FROM (SELECT MIN(next_step) AS t FROM schedules UNION ALL SELECT MIN(next_fire) FROM schedules)",
        )?;
        Ok(stmt.query_row([], |r| r.get::<_, Option<i64>>(0))?)
    }

    /// Number of schedules.
    pub fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .c
            .prepare_cached("SELECT COUNT(*) FROM schedules")?
            .query_row([], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn values(row: &ScheduleRow) -> Result<(String, String, String), StoreError> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt {
            id: row.id.clone(),
            why: e.to_string(),
        };
        let mut request = row.request.to_value();
        if let Some(m) = request.as_object_mut() {
            // Unknown fields live in their own column, even if a caller left some here.
            for k in row.request.extra.keys() {
                m.remove(k);
            }
        }
        let request = serde_json::to_string(&request).map_err(corrupt)?;
        let errors = serde_json::to_string(&row.errors).map_err(corrupt)?;
        let mut extra = row.extra.clone();
        for (k, v) in &row.request.extra {
            extra.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let extra = serde_json::to_string(&extra).map_err(corrupt)?;
        Ok((request, errors, extra))
    }

    /// Inserts a new schedule; sets its `seq`.
    pub fn insert(&self, row: &mut ScheduleRow) -> Result<(), StoreError> {
        let (request, errors, extra) = Self::values(row)?;
        let d = &row.dates;
        self.c
            .prepare_cached(
                "INSERT INTO schedules (id, registry_id, request, status, phase, created, updated, \
                 job_start, job_completion, listing_start, listing_completion, scanning_start, \
                 scanning_completion, errors, next_step, next_fire, runs, extra, name_key, \
                 status_key, on_demand, anchor) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
                 ?19, ?20, ?21, ?22)",
            )?
            .execute(params![
                row.id,
                row.registry_id,
                request,
                row.status.as_str(),
                row.phase.map(Phase::as_str),
                row.created,
                row.updated,
                d.start,
                d.completion,
                d.listing_start,
                d.listing_completion,
                d.scanning_start,
                d.scanning_completion,
                errors,
                row.next_step,
                row.next_fire,
                row.runs,
                extra,
                fold_key(&row.request.name),
                fold_key(row.status.as_str()),
                row.request.on_demand,
                row.anchor,
            ])?;
        row.seq = self.c.last_insert_rowid();
        Ok(())
    }

    /// Writes every field of an existing schedule.
    pub fn update(&self, row: &ScheduleRow) -> Result<(), StoreError> {
        let (request, errors, extra) = Self::values(row)?;
        let d = &row.dates;
        self.c
            .prepare_cached(
                "UPDATE schedules SET request = ?2, status = ?3, phase = ?4, updated = ?5, \
                 job_start = ?6, job_completion = ?7, listing_start = ?8, listing_completion = ?9, \
                 scanning_start = ?10, scanning_completion = ?11, errors = ?12, next_step = ?13, \
                 next_fire = ?14, runs = ?15, extra = ?16, name_key = ?17, status_key = ?18, \
                 on_demand = ?19 WHERE id = ?1",
            )?
            .execute(params![
                row.id,
                request,
                row.status.as_str(),
                row.phase.map(Phase::as_str),
                row.updated,
                d.start,
                d.completion,
                d.listing_start,
                d.listing_completion,
                d.scanning_start,
                d.scanning_completion,
                errors,
                row.next_step,
                row.next_fire,
                row.runs,
                extra,
                fold_key(&row.request.name),
                fold_key(row.status.as_str()),
                row.request.on_demand,
            ])?;
        Ok(())
    }

    /// Deletes one schedule; true when it existed.
    pub fn delete(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .c
            .prepare_cached("DELETE FROM schedules WHERE id = ?1")?
            .execute(params![id])?
            > 0)
    }

    /// Deletes every schedule.
    pub fn delete_all(&self) -> Result<(), StoreError> {
        self.c.execute("DELETE FROM schedules", [])?;
        Ok(())
    }

    /// The registries changed through the API, in the order they were first written:
    /// `(id, state)`, where `state` is the stored JSON ([`crate::managed::StoredRegistry`]) or
    /// `None` for a deleted registry (a configured one stays hidden).
    pub fn registry_rows(&self) -> Result<Vec<(String, Option<String>)>, StoreError> {
        let mut stmt = self
            .c
            .prepare_cached("SELECT id, state, deleted FROM registries ORDER BY seq")?;
        let rows = stmt
            .query_map([], |r| {
                let deleted: i64 = r.get(2)?;
                let state: Option<String> = r.get(1)?;
                Ok((
                    r.get::<_, String>(0)?,
                    if deleted != 0 { None } else { state },
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Writes a registry's state (created or updated through the API).
    pub fn registry_put(&self, id: &str, state: &str) -> Result<(), StoreError> {
        self.c
            .prepare_cached(
                "INSERT INTO registries (id, state, deleted) VALUES (?1, ?2, 0) \
                 ON CONFLICT(id) DO UPDATE SET state = excluded.state, deleted = 0",
            )?
            .execute(params![fold_key(id), state])?;
        Ok(())
    }

    /// Records a registry as deleted, and deletes its schedules; returns how many schedules
    /// went.
    pub fn registry_delete(&self, id: &str) -> Result<usize, StoreError> {
        self.c
            .prepare_cached(
                "INSERT INTO registries (id, state, deleted) VALUES (?1, NULL, 1) \
                 ON CONFLICT(id) DO UPDATE SET state = NULL, deleted = 1",
            )?
            .execute(params![fold_key(id)])?;
        Ok(self
            .c
            .prepare_cached("DELETE FROM schedules WHERE registry_id = ?1")?
            .execute(params![fold_key(id)])?)
    }

    /// True when the registry was deleted through the API (a schedule create that raced the
    /// delete then finds it gone inside its own transaction).
    pub fn registry_deleted(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .c
            .prepare_cached("SELECT deleted FROM registries WHERE id = ?1")?
            .query_row(params![fold_key(id)], |r| r.get::<_, i64>(0))
            .optional()?
            .is_some_and(|d| d != 0))
    }

    /// Forgets every change made to registries through the API (reset).
    pub fn registries_clear(&self) -> Result<(), StoreError> {
        self.c.execute("DELETE FROM registries", [])?;
        Ok(())
    }

    /// How many schedules of a registry are `Running`.
    pub fn running_in(&self, registry_id: &str) -> Result<u64, StoreError> {
        let n: i64 = self
            .c
            .prepare_cached(
                "SELECT COUNT(*) FROM schedules WHERE registry_id = ?1 AND status_key = 'running'",
            )?
            .query_row(params![fold_key(registry_id)], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// A value of the meta table.
    pub fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .c
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row(params![key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a value of the meta table.
    pub fn meta_set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.c
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::jobs::{JobSettings, new_row};

    fn row(name: &str, on_demand: bool) -> ScheduleRow {
        let req = if on_demand {
            ScheduleRequest::on_demand(name).repo("a").build()
        } else {
            ScheduleRequest::daily(name, "01:00").repo("a").build()
        }
        .expect("valid");
        new_row(
            uuid::Uuid::new_v4().to_string(),
            "reg".into(),
            req,
            1_000,
            JobSettings::default(),
        )
    }

    fn round_trip(store: &Store) {
        let mut a = row("a", true);
        let mut b = row("b", false);
        store
            .write(|tx| {
                tx.insert(&mut a)?;
                tx.insert(&mut b)?;
                Ok::<_, StoreError>(())
            })
            .expect("insert");
        assert!(b.seq > a.seq);
        let got = store.read(|tx| tx.list("reg")).expect("list");
        assert_eq!(got, vec![a.clone(), b.clone()]);
        assert_eq!(store.read(|tx| tx.next_event()).expect("next"), Some(2_000));
        assert_eq!(
            store.read(|tx| tx.due(2_000)).expect("due").0,
            vec![a.clone()]
        );
        a.status = ScheduleStatus::Queued;
        store.write(|tx| tx.update(&a)).expect("update");
        assert_eq!(
            store.read(|tx| tx.get("reg", &a.id)).expect("get"),
            Some(a.clone())
        );
        assert_eq!(store.read(|tx| tx.get("other", &a.id)).expect("get"), None);
        // A failing closure rolls back.
        let r: Result<(), StoreError> = store.write(|tx| {
            tx.delete(&a.id)?;
            Err(StoreError::Corrupt {
                id: "x".into(),
                why: "test".into(),
            })
        });
        assert!(r.is_err());
        assert_eq!(store.read(|tx| tx.count()).expect("count"), 2);
        store.write(|tx| tx.meta_set("k", "v")).expect("meta");
        assert_eq!(
            store.read(|tx| tx.meta_get("k")).expect("meta").as_deref(),
            Some("v")
        );
    }

    #[test]
    fn unknown_fields_live_apart_and_version_1_files_are_migrated() {
        let dir = tempfile::tempdir().expect("dir");
        {
            // A version 1 file: no `extra` column, unknown fields inside `request`.
            let c = Connection::open(dir.path().join(DB_FILE)).expect("open");
            c.execute_batch(
                "CREATE TABLE schedules (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, \
                 registry_id TEXT NOT NULL, request TEXT NOT NULL, status TEXT NOT NULL, phase TEXT, \
                 created INTEGER NOT NULL, updated INTEGER NOT NULL, job_start INTEGER, \
                 job_completion INTEGER, listing_start INTEGER, listing_completion INTEGER, \
                 scanning_start INTEGER, scanning_completion INTEGER, errors TEXT NOT NULL DEFAULT '[]', \
                 next_step INTEGER, next_fire INTEGER, runs INTEGER NOT NULL DEFAULT 0); \
                 PRAGMA user_version = 1;",
            )
            .expect("v1 schema");
            c.execute(
                "INSERT INTO schedules (id, registry_id, request, status, created, updated) \
                 VALUES ('s1', 'reg', ?1, 'Completed', 1, 1)",
                params![
                    r#"{"name":"old","onDemand":true,"filters":[{"repoTags":[{"repo":"a"}]}],"owner":"team-a","status":"Running"}"#
                ],
            )
            .expect("v1 row");
        }
        let store = Store::open_dir(dir.path()).expect("migrates");
        let mut rows = store.read(|tx| tx.all()).expect("read");
        let row = &mut rows[0];
        assert!(row.request.extra.is_empty());
        assert_eq!(
            serde_json::to_value(&row.extra).expect("json"),
            serde_json::json!({"owner": "team-a", "status": "Running"})
        );
        // The list item keeps the emulator's own status and echoes only the harmless field.
        let item = serde_json::to_string(&row.to_schedule(None)).expect("json");
        assert_eq!(item.matches("\"status\"").count(), 1, "{item}");
        assert!(item.contains("\"status\":\"Completed\"") && item.contains("\"owner\""));
        // Written back, the unknown fields move to their own column.
        store.write(|tx| tx.update(row)).expect("update");
        let (request, extra, version): (String, String, i64) = store
            .read(|tx| {
                tx.c.query_row(
                    "SELECT request, extra, (SELECT user_version FROM pragma_user_version) FROM schedules",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .map_err(StoreError::from)
            })
            .expect("raw");
        assert!(!request.contains("owner"), "{request}");
        assert_eq!(extra, r#"{"owner":"team-a","status":"Running"}"#);
        assert_eq!(version, USER_VERSION);
        assert_eq!(store.read(|tx| tx.all()).expect("again")[0], *row);
        // The old row got its lookup keys when the file was opened.
        let mut n = Narrow::default();
        n.name("OLD");
        n.status("completed");
        n.on_demand("TRUE");
        assert_eq!(
            store
                .read(|tx| tx.list_narrowed("reg", &n))
                .expect("narrowed")
                .len(),
            1
        );
        assert_eq!(
            row.anchor, row.created,
            "no anchor stored: the creation time"
        );
    }

    #[test]
    fn narrowed_lists_use_the_indexes_and_unreadable_rows_are_skipped() {
        let store = Store::open_in_memory().expect("mem");
        let mut rows: Vec<ScheduleRow> = ["Alpha", "alpha", "Beta"]
            .iter()
            .map(|n| row(n, n.starts_with('A')))
            .collect();
        store
            .write(|tx| {
                for r in &mut rows {
                    tx.insert(r)?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("insert");
        let names = |n: &Narrow| {
            store
                .read(|tx| tx.list_narrowed("reg", n))
                .expect("list")
                .into_iter()
                .map(|r| r.request.name)
                .collect::<Vec<_>>()
        };
        let mut n = Narrow::default();
        n.name("ALPHA");
        assert_eq!(names(&n), ["Alpha", "alpha"]);
        n.on_demand("true");
        assert_eq!(names(&n), ["Alpha"]);
        n.name("beta");
        assert!(n.nothing && names(&n).is_empty());
        let mut n = Narrow::default();
        n.id(&rows[2].id.to_uppercase());
        assert_eq!(names(&n), ["Beta"]);
        // The plan uses the name index, not a scan of the registry.
        let plan: String = store
            .read(|tx| {
                tx.c.query_row(
                    "EXPLAIN QUERY PLAN SELECT seq FROM schedules WHERE registry_id = 'reg' AND name_key = 'alpha' ORDER BY seq",
                    [],
                    |r| r.get::<_, String>(3),
                )
                .map_err(StoreError::from)
            })
            .expect("plan");
        assert!(plan.contains("schedules_by_name"), "{plan}");

        // An unreadable row: skipped by lists, an error for a targeted get, parked when due.
        store
            .write(|tx| {
                tx.c.execute(
                    "UPDATE schedules SET request = 'nope' WHERE id = ?1",
                    params![rows[0].id],
                )?;
                Ok::<_, StoreError>(())
            })
            .expect("corrupt");
        assert_eq!(store.read(|tx| tx.list("reg")).expect("list").len(), 2);
        let mut n = Narrow::default();
        n.name("alpha");
        assert_eq!(names(&n), ["alpha"]);
        assert!(matches!(
            store.read(|tx| tx.get("reg", &rows[0].id)),
            Err(StoreError::Corrupt { .. })
        ));
        assert_eq!(
            store
                .read(|tx| tx.status_of("reg", &rows[0].id))
                .expect("status"),
            Some(ScheduleStatus::Created)
        );
        let (due, bad) = store.read(|tx| tx.due(i64::MAX)).expect("due");
        assert_eq!((due.len(), bad.clone()), (2, vec![rows[0].seq]));
        store.write(|tx| tx.park(bad[0])).expect("park");
        assert!(store.read(|tx| tx.due(i64::MAX)).expect("due").1.is_empty());
    }

    #[test]
    fn memory_and_file_share_behaviour() {
        round_trip(&Store::open_in_memory().expect("mem"));
        let dir = tempfile::tempdir().expect("dir");
        round_trip(&Store::open_dir(dir.path()).expect("file"));
        let again = Store::open_dir(dir.path()).expect("reopen");
        assert_eq!(again.read(|tx| tx.count()).expect("count"), 2);
    }
}
