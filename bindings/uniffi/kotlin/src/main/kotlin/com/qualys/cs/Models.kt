// Written by hand (not generated): one package for Kotlin programs. The models are the Rust
// core's and client's own records (generated into com.qualys.cs.core and com.qualys.cs.client,
// one file per crate); these aliases make `import com.qualys.cs.*` enough.
package com.qualys.cs

import java.time.Duration


// qualys-cs-core: requests, answers, validation, desired state and plans
typealias ScheduleRequest = com.qualys.cs.core.ScheduleRequest
typealias Filter = com.qualys.cs.core.Filter
typealias RepoTag = com.qualys.cs.core.RepoTag
typealias AdditionalFilters = com.qualys.cs.core.AdditionalFilters
typealias Schedule = com.qualys.cs.core.Schedule
typealias JobError = com.qualys.cs.core.JobError
typealias Registry = com.qualys.cs.core.Registry
typealias RegistryDetails = com.qualys.cs.core.RegistryDetails
typealias Repository = com.qualys.cs.core.Repository
typealias SkippedItem = com.qualys.cs.core.SkippedItem
typealias CreateResponse = com.qualys.cs.core.CreateResponse
typealias ErrorBody = com.qualys.cs.core.ErrorBody
typealias BulkDeleteResponse = com.qualys.cs.core.BulkDeleteResponse
typealias BulkCancelResponse = com.qualys.cs.core.BulkCancelResponse
typealias Violation = com.qualys.cs.core.Violation
typealias Report = com.qualys.cs.core.Report
typealias LocalConversion = com.qualys.cs.core.LocalConversion
typealias DesiredState = com.qualys.cs.core.DesiredState
typealias DesiredRegistry = com.qualys.cs.core.DesiredRegistry
typealias DesiredSchedule = com.qualys.cs.core.DesiredSchedule
typealias DesiredFormat = com.qualys.cs.core.DesiredFormat
typealias ActualRegistry = com.qualys.cs.core.ActualRegistry
typealias PlanOptions = com.qualys.cs.core.PlanOptions
typealias Action = com.qualys.cs.core.Action
typealias Change = com.qualys.cs.core.Change
typealias PlanItem = com.qualys.cs.core.PlanItem
typealias Plan = com.qualys.cs.core.Plan
typealias PlanSummary = com.qualys.cs.core.PlanSummary
typealias RegistryPlanItem = com.qualys.cs.core.RegistryPlanItem
typealias RegistryPlanOptions = com.qualys.cs.core.RegistryPlanOptions
typealias ManagedRegistry = com.qualys.cs.core.ManagedRegistry
typealias ManagedCredential = com.qualys.cs.core.ManagedCredential
typealias AwsAccount = com.qualys.cs.core.AwsAccount
typealias Ensure = com.qualys.cs.core.Ensure
typealias SecretRef = com.qualys.cs.core.SecretRef

// qualys-cs-client: settings, results, waiters, apply
typealias Created = com.qualys.cs.client.Created
typealias ListOptions = com.qualys.cs.client.ListOptions
typealias Platform = com.qualys.cs.client.Platform
typealias RetryPolicy = com.qualys.cs.client.RetryPolicy
typealias RateLimitPolicy = com.qualys.cs.client.RateLimitPolicy
typealias CreateRecovery = com.qualys.cs.client.CreateRecovery
typealias WaitFor = com.qualys.cs.client.WaitFor
typealias WaitOptions = com.qualys.cs.client.WaitOptions
typealias ApplyOptions = com.qualys.cs.client.ApplyOptions
typealias ApplyProgress = com.qualys.cs.client.ApplyProgress
typealias PlannedRequest = com.qualys.cs.client.PlannedRequest
typealias Outcome = com.qualys.cs.client.Outcome

/** A one-off scan that runs at once: `ScheduleRequest.onDemand("now").repo("app").build()`. */
fun com.qualys.cs.core.ScheduleRequest.Companion.onDemand(name: String) = OnDemandBuilder(name, "null", emptyList())

/** An automatic scan every `days` days (1..=365; `weekly` for 7, `daily` for 1). */
fun com.qualys.cs.core.ScheduleRequest.Companion.everyDays(name: String, days: Int) =
    EveryDaysBuilder(name, days.toString(), emptyList())

/** An automatic scan every week on `day`: `ScheduleRequest.weekly("w", WeekDay.THURSDAY).at("06:55")…`. */
fun com.qualys.cs.core.ScheduleRequest.Companion.weekly(name: String, day: WeekDay) =
    WeeklyBuilder(name, jsonText(day.wire), emptyList())

/** An automatic scan every day at `time` (`HH:MM`, UTC). */
fun com.qualys.cs.core.ScheduleRequest.Companion.daily(name: String, time: String) =
    DailyBuilder(name, jsonText(time), emptyList())

internal fun jsonText(s: String): String = buildString {
    append('"')
    for (c in s) when {
        c == '"' || c == '\\' -> append('\\').append(c)
        c < ' ' -> append("\\u%04x".format(c.code))
        else -> append(c)
    }
    append('"')
}

/**
 * The typed schedule builder, as in Rust, Python and Node: the kind comes first
 * (`ScheduleRequest.onDemand`, `everyDays`, `weekly`, `daily`), so a daily schedule cannot get a
 * weekday and only a weekly one takes `at`. Immutable: each step returns a new builder.
 * `build()` is the Rust core's builder replayed (`buildRequest`): every rule is checked at once
 * (a `QualysCsException.Validation` lists each problem with its path).
 */
abstract class ScheduleBuilder<B : ScheduleBuilder<B>> internal constructor(
    private val kind: String,
    private val name: String,
    private val first: String,
    private val ops: List<String>,
) {
    internal abstract fun with(ops: List<String>): B
    internal fun op(call: String, vararg args: String): B = with(ops + "[${jsonText(call)}, [${args.joinToString(", ")}]]")

    /** Scan every tag of `repo`. */
    fun repo(repo: String): B = op("repo", jsonText(repo))
    /** Scan every tag of each repository. */
    fun repos(repos: List<String>): B = op("repos", repos.joinToString(", ", "[", "]") { jsonText(it) })
    /** Scan the given tags of `repo`. */
    fun repoTags(repo: String, tags: List<String>): B = op("repo_tags", jsonText(repo), tags.joinToString(", ", "[", "]") { jsonText(it) })
    /** Only images created within the last `days` days (documented: 1-7 or 14). */
    fun createdWithinDays(days: Int): B = op("created_within_days", days.toString())
    /** The registry's type. */
    fun registryType(type: RegistryType): B = op("registry_type", jsonText(type.wire))
    /** Only the latest `n` tags, newest first by creation date. */
    fun latestTags(n: Int): B = op("latest_tags", n.toString())
    /** Checks every rule and returns the request. */
    fun build(): ScheduleRequest = buildRequest(kind, jsonText(name), first, ops.joinToString(", ", "[", "]"), true)
    /** The request as built, unchecked. */
    fun buildUnchecked(): ScheduleRequest = buildRequest(kind, jsonText(name), first, ops.joinToString(", ", "[", "]"), false)

    /** A builder whose schedule may force a rescan (not a daily one: its interval is 1 day). */
    abstract class ForceScan<B : ForceScan<B>> internal constructor(kind: String, name: String, first: String, ops: List<String>) :
        ScheduleBuilder<B>(kind, name, first, ops) {
        /** Rescan every image, not only new ones (automatic schedules: interval 7 or more). */
        fun forceScan(on: Boolean): B = op("force_scan", on.toString())
    }
}

/** Builds a one-off scan. */
class OnDemandBuilder internal constructor(private val name: String, private val first: String, ops: List<String>) :
    ScheduleBuilder.ForceScan<OnDemandBuilder>("on_demand", name, first, ops) {
    override fun with(ops: List<String>) = OnDemandBuilder(name, first, ops)
}

/** Builds a scan every N days. */
class EveryDaysBuilder internal constructor(private val name: String, private val first: String, ops: List<String>) :
    ScheduleBuilder.ForceScan<EveryDaysBuilder>("every_days", name, first, ops) {
    override fun with(ops: List<String>) = EveryDaysBuilder(name, first, ops)
}

/** Builds a weekly scan. */
class WeeklyBuilder internal constructor(private val name: String, private val first: String, ops: List<String>) :
    ScheduleBuilder.ForceScan<WeeklyBuilder>("weekly", name, first, ops) {
    override fun with(ops: List<String>) = WeeklyBuilder(name, first, ops)

    /** Run at `time` (`HH:MM`, UTC) on the weekday. */
    fun at(time: String): WeeklyBuilder = op("at", jsonText(time))
}

/** Builds a daily scan. */
class DailyBuilder internal constructor(private val name: String, private val first: String, ops: List<String>) :
    ScheduleBuilder<DailyBuilder>("daily", name, first, ops) {
    override fun with(ops: List<String>) = DailyBuilder(name, first, ops)
}

/** What a waiter waits for: any of these statuses, or (none given) a terminal one. */
fun waitFor(vararg statuses: ScheduleStatus): WaitFor = if (statuses.isEmpty()) com.qualys.cs.client.WaitFor.Terminal else com.qualys.cs.client.WaitFor.Any(statuses.toList())

/** Waiter settings with the defaults of every other language (30 min timeout, 10 s between polls). */
fun com.qualys.cs.client.WaitOptions.Companion.of(
    until: WaitFor = com.qualys.cs.client.WaitFor.Terminal,
    timeout: Duration = Duration.ofMinutes(30),
    interval: Duration = Duration.ofSeconds(10),
): WaitOptions = WaitOptions(until, timeout, interval)


// Dates are java.time.Instant, to the millisecond of the answer; the wire value (epoch
// milliseconds as text, as Python's `created_raw` and Node's `createdRaw`) is one call away.
private fun raw(t: java.time.Instant?): String? = t?.toEpochMilli()?.toString()

/** `created` as sent on the wire (epoch milliseconds as text). */
val Schedule.createdRaw: String? get() = raw(created)
/** `updated` as sent on the wire. */
val Schedule.updatedRaw: String? get() = raw(updated)
/** `jobStartDate` as sent on the wire. */
val Schedule.jobStartDateRaw: String? get() = raw(jobStartDate)
/** `jobCompletionDate` as sent on the wire. */
val Schedule.jobCompletionDateRaw: String? get() = raw(jobCompletionDate)
/** `created` as sent on the wire. */
val Registry.createdRaw: String? get() = raw(created)
/** `updated` as sent on the wire. */
val Registry.updatedRaw: String? get() = raw(updated)
/** `lastScanned` as sent on the wire. */
val Registry.lastScannedRaw: String? get() = raw(lastScanned)
