// Written by hand (not generated): the Swift side of the core's `Secret` (uniffi custom type,
// see bindings/uniffi/uniffi-bindgen.toml). Not compiled on this project's CI machines (no Swift
// toolchain there); the Kotlin twin is com.qualys.cs.Secret.

/// A password or token. `description`, `debugDescription` and its mirror never show the value,
/// so a printed or dumped `Credential` / `RegistryRequest` prints `***`; read the value with
/// `expose()` only where it must go somewhere.
public struct Secret: Equatable, Hashable, Sendable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    private let value: String

    /// Wraps a secret value.
    public init(_ value: String) { self.value = value }

    /// The secret text itself.
    public func expose() -> String { value }

    public var description: String { "***" }
    public var debugDescription: String { "***" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
