//! # qualys-cs-node
//!
//! The Node.js binding of qualys-cs (napi-rs 3), published as the npm package `qualys-cs`: a
//! thin mapping of the Rust API. Values cross the boundary as JSON read by serde into the core
//! types ([`convert`]); settings go through `qualys_cs_client::ClientConfig`; the emulator is
//! controlled through its Rust handle; errors become `QualysCsError` ([`error`]). The
//! TypeScript shapes of the JSON values are declared once in `node/dts-header.d.ts` and checked
//! against live values by the package tests and `tsc --strict`.
//!
//! Rustdoc comments of `#[napi]` items become the JSDoc of the generated `index.d.ts`.

pub mod builder;
pub mod client;
pub mod convert;
pub mod core_fns;
pub mod emulator;
pub mod error;
pub mod plan;
pub mod registries;

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
