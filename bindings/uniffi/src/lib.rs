//! # qualys-cs-uniffi
//!
//! The Kotlin (JVM/Android) and Swift (Apple) binding of qualys-cs, through uniffi
//! proc-macros. Thin glue: records and enums mirror the core models, one async [`Client`]
//! (suspend functions in Kotlin, `async` in Swift, run on tokio), the core's validation,
//! decoding, schedule semantics, time zones and plan as functions, waiters and plan/apply on
//! the client, the embedded [`Emulator`]
//! for tests, and one error enum, [`QualysCsError`], with explicit `code` and `message` fields.
//!
//! Generate the bindings from the built library with the workspace `uniffi-bindgen`:
//! `uniffi-bindgen generate --library libqualys_cs_uniffi.so --language kotlin --out-dir DIR`
//! (see `bindings/uniffi/test.sh`).

// uniffi lowers the error enum by value across the FFI: exported signatures cannot box it.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

mod client;
mod core_fns;
mod emulator;
mod error;
mod types;
mod workflows;

pub use client::{
    Client, ClientBuilder, CreateRecovery, Platform, RateLimitPolicy, RetryPolicy,
    default_retry_policy, platform_from_username, platform_gateway_url, platform_name,
};
pub use core_fns::*;
pub use emulator::{Emulator, EmulatorOptions};
pub use error::{QualysCsError, error_codes, error_from_http};
pub use types::*;
pub use workflows::{
    ApplyOptions, ApplyProgress, ApplyProgressListener, ApplyReport, ItemResult, Outcome,
    PlannedRequest, WaitFor, WaitOptions,
};
