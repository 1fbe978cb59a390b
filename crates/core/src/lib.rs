//! # qualys-cs-core
//!
//! The pure heart of qualys-cs: wire models of the Qualys Container Security registry-schedule
//! API, validation of every documented rule, schedule semantics (next run times) and the one
//! [`Error`] type with stable codes. No I/O, no async runtime, no HTTP types: the client, the
//! emulator, the CLI and every language binding call these same functions.
//!
//! ```
//! use qualys_cs_core::{validate_value, ScheduleRequest, WeekDay};
//!
//! // Typed: the builder chooses the kind first, so weekDay can't go with a daily schedule.
//! let req = ScheduleRequest::weekly("nightly", WeekDay::Monday).repo("library/nginx").build()?;
//! assert_eq!(req.to_value()["weekDay"], "MONDAY");
//!
//! // Untyped: arbitrary JSON gets every problem at once, each with a JSON pointer and a code.
//! let report = validate_value(&serde_json::json!({"name": "x", "onDemand": false,
//!     "scheduleIntervalInDays": 400, "filters": []}));
//! let codes: Vec<_> = report.errors.iter().map(|v| v.code.as_str()).collect();
//! assert_eq!(codes, ["interval_out_of_range", "filters_required"]);
//! # Ok::<(), qualys_cs_core::Error>(())
//! ```

pub mod builder;
pub mod decode;
pub mod desired;
pub mod enums;
pub mod error;
pub mod explain;
#[cfg(feature = "uniffi")]
pub mod ffi;
pub mod ids;
pub mod json_api;
pub mod lookup;
pub mod model;
pub mod plan;
pub mod registry;
pub mod registry_state;
pub mod secret;
pub mod semantics;
pub mod tolerant;
pub mod tz;
pub mod validate;

pub use builder::ScheduleBuilder;
pub use enums::{RegistryType, ScheduleStatus, WeekDay};
pub use error::{Error, HttpDetails, Violation};
pub use explain::explain;
pub use ids::{RegistryId, ScheduleId};
pub use lookup::{RegistryLookupError, find_registry};
pub use model::{
    AdditionalFilters, BulkCancelResponse, BulkDeleteResponse, CreateResponse, ErrorBody, Extra,
    Filter, JobError, Millis, Page, Registry, RegistryDetails, RepoTag, Repository, Schedule,
    ScheduleRequest, decode_body,
};
pub use registry::{RegistryRequest, validate_registry_request, validate_registry_value};
pub use secret::Secret;
pub use semantics::next_runs;
pub use tolerant::{PageNotes, SkippedItem, decode_page};
pub use tz::{LocalConversion, local_to_utc, next_runs_in_zone};
pub use validate::{RULES, Report, Severity, validate, validate_update, validate_value};

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

/// Re-exported so callers use the same time types as the core.
pub use jiff;
