//! `uniffi-bindgen`, built from the workspace so that it always matches the uniffi version of
//! the `qualys-cs-uniffi` library (a mismatched bindgen cannot read the library's metadata).
//!
//! `uniffi-bindgen generate --library <libqualys_cs_uniffi.so> --language kotlin --out-dir DIR`

fn main() {
    uniffi::uniffi_bindgen_main()
}
