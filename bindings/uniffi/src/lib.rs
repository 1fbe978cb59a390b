//! # qualys-cs-uniffi
//!
//! The Kotlin and Swift binding of qualys-cs (uniffi proc-macros). Glue only: the models are the
//! core's and the client's own (their `uniffi` feature); here are the async [`Client`], the
//! core's functions, the [`ScheduleBuilder`], the [`Emulator`] and one error, [`QualysCsError`].
//! `bindings/uniffi/test.sh` generates the Kotlin and Swift sources from the built library.

// uniffi lowers the error enum by value across the FFI: exported signatures cannot box it.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();
use qualys_cs_core::ffi::{Count, JsonValue, Timestamp};
uniffi::use_remote_type!(qualys_cs_core::Timestamp);
uniffi::use_remote_type!(qualys_cs_core::Count);
uniffi::use_remote_type!(qualys_cs_core::JsonValue);

mod client;
mod core_fns;
mod emulator;
mod error;
mod registries;
mod types;
mod workflows;

pub use client::{
    Client, ClientBuilder, default_retry_policy, platform_from_username, platform_gateway_url,
    platform_name,
};
pub use core_fns::*;
pub use emulator::{Emulator, EmulatorOptions};
pub use error::{QualysCsError, error_codes, error_from_http};
pub use types::*;
pub use workflows::{ApplyProgressListener, ApplyReport, ItemResult};
