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
fun com.qualys.cs.core.ScheduleRequest.Companion.onDemand(name: String): ScheduleBuilder = ScheduleBuilder.onDemand(name)

/** An automatic scan every `days` days (1..=365). */
fun com.qualys.cs.core.ScheduleRequest.Companion.everyDays(name: String, days: UShort): ScheduleBuilder = ScheduleBuilder.everyDays(name, days)

/** An automatic scan every week on `day`: `ScheduleRequest.weekly("w", WeekDay.THURSDAY).at("06:55")…`. */
fun com.qualys.cs.core.ScheduleRequest.Companion.weekly(name: String, day: WeekDay): ScheduleBuilder = ScheduleBuilder.weekly(name, day)

/** An automatic scan every day at `time` (`HH:MM`, UTC). */
fun com.qualys.cs.core.ScheduleRequest.Companion.daily(name: String, time: String): ScheduleBuilder = ScheduleBuilder.daily(name, time)

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
