// Written by hand (not generated): the open enums of the wire format as Kotlin classes.
// uniffi-bindgen maps the core's custom types WeekDay, RegistryType and ScheduleStatus (their
// wire text) to these classes (bindings/uniffi/uniffi-bindgen.toml).
package com.qualys.cs

/**
 * Day of the week of a weekly schedule (`weekDay`).
 *
 * An open enum: the known values are the constants ([WeekDay.MONDAY], …); a value this
 * version does not know is kept exactly as received ([isKnown] is false) and sent back as is.
 * `toString()` is the wire value (`THURSDAY`). [of] reads any spelling as sent; [parse] is
 * strict and throws a `validation` error with a did-you-mean for an unknown one.
 */
class WeekDay private constructor(
    /** The wire spelling. */
    val wire: String,
) {
    /** True for the values this version knows. */
    val isKnown: Boolean get() = KNOWN.any { it.wire == wire }

    override fun toString(): String = wire
    override fun equals(other: Any?): Boolean = other is WeekDay && other.wire == wire
    override fun hashCode(): Int = wire.hashCode()

    companion object {
        @JvmField val MONDAY = WeekDay("MONDAY")
        @JvmField val TUESDAY = WeekDay("TUESDAY")
        @JvmField val WEDNESDAY = WeekDay("WEDNESDAY")
        @JvmField val THURSDAY = WeekDay("THURSDAY")
        @JvmField val FRIDAY = WeekDay("FRIDAY")
        @JvmField val SATURDAY = WeekDay("SATURDAY")
        @JvmField val SUNDAY = WeekDay("SUNDAY")

        /** Every known value, in documentation order. */
        @JvmField val KNOWN: List<WeekDay> = listOf(MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY)

        /** The value of exactly this wire spelling; an unknown spelling is kept as is. */
        @JvmStatic fun of(wire: String): WeekDay = KNOWN.firstOrNull { it.wire == wire } ?: WeekDay(wire)

        /** Strict: a known wire spelling, else [QualysCsException.Validation] naming the valid values. */
        @JvmStatic fun parse(text: String): WeekDay = parseWeekDay(text)
    }
}

/**
 * Type of a registry (`registryType`).
 *
 * An open enum: the known values are the constants ([RegistryType.V2], …); a value this
 * version does not know is kept exactly as received ([isKnown] is false) and sent back as is.
 * `toString()` is the wire value (`AWS`). [of] reads any spelling as sent; [parse] is
 * strict and throws a `validation` error with a did-you-mean for an unknown one.
 */
class RegistryType private constructor(
    /** The wire spelling. */
    val wire: String,
) {
    /** True for the values this version knows. */
    val isKnown: Boolean get() = KNOWN.any { it.wire == wire }

    override fun toString(): String = wire
    override fun equals(other: Any?): Boolean = other is RegistryType && other.wire == wire
    override fun hashCode(): Int = wire.hashCode()

    companion object {
        @JvmField val V2 = RegistryType("V2")
        @JvmField val V2_PRIVATE = RegistryType("V2_PRIVATE")
        @JvmField val DOCKER_HUB = RegistryType("DockerHub")
        @JvmField val AWS = RegistryType("AWS")
        @JvmField val AZURE = RegistryType("Azure")
        @JvmField val GCP = RegistryType("GCP")
        @JvmField val GOOGLE_ARTIFACT_REGISTRY = RegistryType("GOOGLE_ARTIFACT_REGISTRY")

        /** Every known value, in documentation order. */
        @JvmField val KNOWN: List<RegistryType> = listOf(V2, V2_PRIVATE, DOCKER_HUB, AWS, AZURE, GCP, GOOGLE_ARTIFACT_REGISTRY)

        /** The value of exactly this wire spelling; an unknown spelling is kept as is. */
        @JvmStatic fun of(wire: String): RegistryType = KNOWN.firstOrNull { it.wire == wire } ?: RegistryType(wire)

        /** Strict: a known wire spelling, else [QualysCsException.Validation] naming the valid values. */
        @JvmStatic fun parse(text: String): RegistryType = parseRegistryType(text)
    }
}

/**
 * Status of a schedule's job (`status`).
 *
 * An open enum: the known values are the constants ([ScheduleStatus.CREATED], …); a value this
 * version does not know is kept exactly as received ([isKnown] is false) and sent back as is.
 * `toString()` is the wire value (`Running`). [of] reads any spelling as sent; [parse] is
 * strict and throws a `validation` error with a did-you-mean for an unknown one.
 */
class ScheduleStatus private constructor(
    /** The wire spelling. */
    val wire: String,
) {
    /** True for the values this version knows. */
    val isKnown: Boolean get() = KNOWN.any { it.wire == wire }

    override fun toString(): String = wire
    override fun equals(other: Any?): Boolean = other is ScheduleStatus && other.wire == wire
    override fun hashCode(): Int = wire.hashCode()

    companion object {
        @JvmField val CREATED = ScheduleStatus("Created")
        @JvmField val QUEUED = ScheduleStatus("Queued")
        @JvmField val PAUSED = ScheduleStatus("Paused")
        @JvmField val RUNNING = ScheduleStatus("Running")
        @JvmField val COMPLETED = ScheduleStatus("Completed")
        @JvmField val FINISHED = ScheduleStatus("Finished")
        @JvmField val ERROR = ScheduleStatus("Error")
        @JvmField val FAILED = ScheduleStatus("Failed")
        @JvmField val BASELINE_CREATED = ScheduleStatus("BaselineCreated")
        @JvmField val BASELINE_QUEUED = ScheduleStatus("BaselineQueued")
        @JvmField val BASELINE_RUNNING = ScheduleStatus("BaselineRunning")
        @JvmField val BASELINE_COMPLETED = ScheduleStatus("BaselineCompleted")
        @JvmField val CANCELED = ScheduleStatus("Canceled")
        @JvmField val UNKNOWN = ScheduleStatus("Unknown")

        /** Every known value, in documentation order. */
        @JvmField val KNOWN: List<ScheduleStatus> = listOf(CREATED, QUEUED, PAUSED, RUNNING, COMPLETED, FINISHED, ERROR, FAILED, BASELINE_CREATED, BASELINE_QUEUED, BASELINE_RUNNING, BASELINE_COMPLETED, CANCELED, UNKNOWN)

        /** The value of exactly this wire spelling; an unknown spelling is kept as is. */
        @JvmStatic fun of(wire: String): ScheduleStatus = KNOWN.firstOrNull { it.wire == wire } ?: ScheduleStatus(wire)

        /** Strict: a known wire spelling, else [QualysCsException.Validation] naming the valid values. */
        @JvmStatic fun parse(text: String): ScheduleStatus = parseScheduleStatus(text)
    }
}
