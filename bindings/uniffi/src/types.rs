//! The few records that are the binding's own: the models themselves are the core's and the
//! client's (their `uniffi` feature derives them). Here: pages of a concrete item type (uniffi
//! has no generics), a rule, what a status allows, the bulk selector (ids as text, so a bad id
//! is our `validation` error).

use crate::error::QualysCsError;
use qualys_cs_core as qc;
use qualys_cs_core::SkippedItem;

/// Setters of an immutable builder (`with` clones it, applies one change): one method a line.
macro_rules! setters {
    ($ty:ident, $c:ident; $( $(#[$m:meta])* fn $name:ident($($arg:ident: $t:ty),*) $body:expr; )+) => {
        #[uniffi::export]
        impl $ty {
            $( $(#[$m])* pub fn $name(&self, $($arg: $t),*) -> std::sync::Arc<Self> { self.with(|$c| { $body; }) } )+
        }
    };
}
pub(crate) use setters;

/// Exported functions that only call the core or the client: each `fn` line becomes one.
macro_rules! exports {
    ($( $(#[$m:meta])* fn $name:ident($($arg:ident: $t:ty),*) -> $ret:ty = $body:expr; )+) => {
        $( $(#[$m])* #[uniffi::export] pub fn $name($($arg: $t),*) -> $ret { $body } )+
    };
}
pub(crate) use exports;

macro_rules! page {
    ($(#[$m:meta])* $name:ident, $item:ident) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, uniffi::Record)]
        pub struct $name {
            /// Total number of items matching, across all pages.
            pub count: u64,
            /// The items of this page.
            pub data: Vec<qc::$item>,
            /// Items that could not be decoded and were skipped (lenient mode only).
            #[uniffi(default)]
            #[serde(skip_serializing_if = "Vec::is_empty")]
            pub skipped: Vec<SkippedItem>,
        }

        impl From<qc::Page<qc::$item>> for $name {
            fn from(p: qc::Page<qc::$item>) -> Self {
                $name { count: p.count, data: p.data, skipped: p.skipped }
            }
        }
    };
}

page! { #[doc = "One page of schedules (`{count, data, skipped}`)."] SchedulePage, Schedule }
page! { #[doc = "One page of registries."] RegistryPage, Registry }
page! { #[doc = "One page of repositories."] RepositoryPage, Repository }

/// A validation rule: its code, whether it blocks, and what it checks.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Rule {
    /// Stable code.
    pub code: String,
    /// True for errors (block the request), false for warnings.
    pub is_error: bool,
    /// One-line description.
    pub description: String,
}

/// What a status allows (the core's reading of spec §3).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StatusTraits {
    /// The wire spelling.
    pub wire: String,
    /// A job is executing: the schedule can be neither updated nor deleted.
    pub is_running: bool,
    /// Nothing more happens to this job by itself.
    pub is_terminal: bool,
    /// A single cancel accepts this status.
    pub can_cancel: bool,
    /// Bulk delete skips this status silently.
    pub skipped_by_bulk_delete: bool,
    /// Bulk cancel skips this status silently.
    pub skipped_by_bulk_cancel: bool,
}

/// Which schedules a bulk delete or bulk cancel acts on: ids, a filter, or both (ids win).
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct BulkSelector {
    /// These schedules (UUIDs).
    #[uniffi(default)]
    pub schedule_ids: Vec<String>,
    /// Schedules matching this Qualys query (e.g. `scheduleUuid:*` for all).
    #[uniffi(default)]
    pub filter: Option<String>,
}

impl TryFrom<BulkSelector> for qualys_cs_client::BulkSelector {
    type Error = QualysCsError;
    fn try_from(s: BulkSelector) -> Result<Self, QualysCsError> {
        let ids = s.schedule_ids.iter().map(|id| qc::ScheduleId::parse(id));
        Ok(qualys_cs_client::BulkSelector {
            schedule_ids: ids.collect::<Result<_, _>>()?,
            filter: s.filter,
        })
    }
}
