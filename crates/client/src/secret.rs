//! [`Secret`]: a string that never shows itself in `Debug`, `Display` or logs.
//!
//! One type for the whole project: the core's ([`qualys_cs_core::Secret`]), so the client's
//! credentials and a registry's password (`RegistryRequest`) are the same kind of value.
//! It has no `Serialize`; read the value with [`Secret::expose`] only where it goes on the
//! wire.

pub use qualys_cs_core::Secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(***)");
        assert_eq!(s.expose(), "hunter2");
    }
}
