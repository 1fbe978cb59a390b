// Written by hand (not generated): the Kotlin side of the core's `Secret` (uniffi custom type,
// uniffi-bindgen.toml), and the registry models of issue 17 under com.qualys.cs.
package com.qualys.cs

/**
 * A password or token. `toString()` is `***`, so a printed `Credential` or `RegistryRequest`
 * never shows it; read the value with [expose] only where it must go somewhere.
 */
class Secret(private val value: String) {
    /** The secret text itself. */
    fun expose(): String = value

    override fun toString(): String = "***"

    override fun equals(other: Any?): Boolean = other is Secret && other.value == value

    override fun hashCode(): Int = value.hashCode()
}

// qualys-cs-core: registry requests (issue 17)
typealias RegistryRequest = com.qualys.cs.core.RegistryRequest
typealias Credential = com.qualys.cs.core.Credential

// qualys-cs-client: registry operations' results
typealias RegistryCreated = com.qualys.cs.client.RegistryCreated
typealias RegistryValidation = com.qualys.cs.client.RegistryValidation
typealias Connector = com.qualys.cs.client.Connector
typealias ConnectorKind = com.qualys.cs.client.ConnectorKind
