//! # qualys-cs-node
//!
//! The Node.js binding of qualys-cs (napi-rs 3), published as the npm package `qualys-cs`: a
//! thin mapping of the Rust API. Types in, the Rust call, types out, errors mapped — no rule,
//! retry or validation of its own.
//!
//! * [`client::Client`]: every operation as a Promise; listings as async iterators.
//! * [`emulator::Emulator`]: the embedded emulator, in-process, for users' tests.
//! * [`apply`]: plan against what exists, apply with progress, wait for a schedule.
//! * [`core_fns`], [`plan`]: the core's pure functions (validation, next runs, time zones,
//!   plans) without a client.
//! * [`builder`]: the typed request builder.
//! * Errors: every failure is a `QualysCsError` (a subclass of `Error`) with the core error
//!   `code`, HTTP `status`, `requestId`, `qualysErrorCode`, `violations` ([`error`]).
//!
//! Rustdoc comments of `#[napi]` items become the JSDoc of the generated `index.d.ts`.

pub mod apply;
pub mod builder;
pub mod client;
pub mod core_fns;
pub mod emulator;
pub mod error;
pub mod plan;
pub mod types;

use napi::Env;
use napi::bindgen_prelude::Object;
use napi_derive::napi;

/// Module initialisation: defines `QualysCsError` in this environment.
#[napi(module_exports)]
pub fn init(mut exports: Object, env: Env) -> napi::Result<()> {
    error::install(&env, &mut exports)
}

/// The version of the native module (the Rust crates' version).
#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
