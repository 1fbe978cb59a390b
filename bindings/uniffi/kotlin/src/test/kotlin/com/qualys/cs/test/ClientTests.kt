package com.qualys.cs.test

import com.qualys.cs.*
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import java.time.Duration
import java.time.Instant
import java.util.Collections

/**
 * The async client against the embedded emulator (real HTTP on 127.0.0.1, a free port). What
 * the emulator stored and the requests it saw are read through its handle (`schedules()`,
 * `requests()`), not over HTTP.
 *
 * The end-to-end tests are registered once per wire profile of the emulator (`full`, and
 * `oas2021`: Qualys's 2021 OpenAPI shape with sparse schedule list items, bare-string answers,
 * no registryName and a gateway answering 422 to a null in a typed field). Where the shapes
 * legitimately differ the assertions branch on the profile; after each of them no create or
 * update body may have held a null.
 */
class ClientTests {
    private val wires = listOf("full", "oas2021")
    private val demoRegistryUri = "https://registry.demo.example"

    private suspend fun withEmulator(
        options: EmulatorOptions = EmulatorOptions(),
        body: suspend (Emulator, Client, String) -> Unit,
    ) {
        Emulator.start(options).use { emu ->
            emu.client().use { client -> body(emu, client, emu.demoRegistryId()) }
            assertNoNullSent(emu)
            emu.stop()
        }
    }

    /** The emulator's own record of a schedule (every field, whatever the wire profile). */
    private fun stored(emu: Emulator, id: String): Map<String, Any?> =
        emu.schedules().map { Json.parse(it).obj() }.single { it["scheduleUuid"] == id }

    private fun nulls(v: Any?, path: String = ""): List<String> = when (v) {
        null -> listOf(path.ifEmpty { "/" })
        is Map<*, *> -> v.entries.flatMap { (k, x) -> nulls(x, "$path/$k") }
        is List<*> -> v.withIndex().flatMap { (i, x) -> nulls(x, "$path/$i") }
        else -> emptyList()
    }

    /** No create/update body held a null, and the gateway refused none (oas2021 answers 422). */
    private fun assertNoNullSent(emu: Emulator) {
        for (r in Json.parse(emu.requests(clear = false)).arr().map { it.obj() }) {
            val path = r["path"].str()
            val method = r["method"].str()
            if (!path.contains("/csapi/") || method !in setOf("POST", "PUT")) continue
            assertTrue((r["status"] as JsonNumber?)?.value?.intValueExact() != 422) { "the gateway refused $method $path" }
            if (r.containsKey("bodyRedacted")) {
                assertEq(nulls(r["bodyRedacted"]), emptyList<String>(), "nulls sent in $method $path")
            }
        }
    }

    private fun weekly(name: String, day: WeekDay = WeekDay.MONDAY, repo: String = "library/nginx") = ScheduleRequest(
        name = name,
        onDemand = false,
        scheduleIntervalInDays = 7L,
        weekDay = day,
        schedule = "02:00",
        filters = listOf(Filter(repoTags = listOf(RepoTag(repo = repo)))),
    )

    private fun onDemand(name: String) = ScheduleRequest(
        name = name,
        filters = listOf(Filter(repoTags = listOf(RepoTag(repo = "library/redis", tag = "7")))),
    )

    fun register(s: Suite) {
        for (wire in wires) s.test("client", "create, list, get, update and delete against the emulator [$wire]") {
            withEmulator(EmulatorOptions(wire = wire)) { emu, client, reg ->
                assertEq(emu.wire(), wire, "emulator wire profile")
                val full = wire == "full"
                assertTrue(client.gatewayUrl().startsWith("http://127.0.0.1:")) { "gateway ${client.gatewayUrl()}" }
                val created = client.createSchedule(reg, weekly("nightly"))
                assertEq(created.scheduleUuid.length, 36, "schedule id length")
                assertEq(created.recovered, false, "recovered")
                assertEq(stored(emu, created.scheduleUuid)["name"], "nightly", "the id returned is the one stored")
                // weekly with a time: the weekly run time, no warning (both Qualys samples send one)
                assertEq(created.warnings.map { it.code }, emptyList<String>(), "create warnings")

                val page = client.listSchedules(reg, ListOptions())
                assertEq(page.count, 1UL, "count after create")
                val listed = page.data.single()
                assertEq(listed.scheduleUuid, created.scheduleUuid, "listed id")
                assertEq(listed.name, "nightly", "listed name")
                // oas2021 lists schedules without weekDay and interval: unknown, not guessed
                assertEq(listed.weekDay, if (full) WeekDay.MONDAY else null, "listed weekDay")
                assertEq(listed.filters.single().repoTags.single().repo, "library/nginx", "listed repo")
                assertTrue(listed.created != null) { "created date missing" }
                val after = Instant.parse("2026-01-01T00:00:00Z")
                if (full) {
                    assertEq(scheduleUnreportedTiming(listed), emptyList<String>(), "unreported timing")
                    assertEq(scheduleNextRuns(listed, after, 2u).size, 2, "next runs of the listed schedule")
                    assertTrue(explainSchedule(listed).startsWith("Runs every Monday at 02:00 UTC")) { explainSchedule(listed) }
                } else {
                    assertEq(scheduleUnreportedTiming(listed), listOf("scheduleIntervalInDays", "weekDay"), "unreported timing")
                    val nr = assertThrows<QualysCsException.NotReported>("next runs of a sparse listed schedule") {
                        scheduleNextRuns(listed, after, 2u)
                    }
                    assertEq(nr.code, "not_reported", "code")
                    assertEq(nr.fields, listOf("scheduleIntervalInDays", "weekDay"), "fields not reported")
                    assertTrue(explainSchedule(listed).contains("does not report")) { explainSchedule(listed) }
                }

                // oas2021 answers an update 201 with an empty body: a success, not a decode error
                val warnings = client.updateSchedule(reg, created.scheduleUuid, weekly("nightly", WeekDay.FRIDAY))
                assertEq(warnings.map { it.code }, emptyList<String>(), "update warnings")
                val got = client.getSchedule(reg, created.scheduleUuid)
                assertEq(got.weekDay, if (full) WeekDay.FRIDAY else null, "weekDay after update")
                assertEq(stored(emu, created.scheduleUuid)["weekDay"], "FRIDAY", "stored weekDay after update")
                assertEq(got.status, ScheduleStatus.CREATED, "status")

                client.deleteSchedule(reg, created.scheduleUuid)
                assertEq(client.listSchedules(reg, ListOptions()).count, 0UL, "count after delete")
                val e = assertThrows<QualysCsException.NotFound>("get after delete") {
                    client.getSchedule(reg, created.scheduleUuid)
                }
                assertEq(e.code, "not_found", "code")
                assertTrue(e.errorMessage.contains(created.scheduleUuid)) { "message '${e.errorMessage}' lacks the id" }
            }
        }

        s.test("client", "validation error: code, message and every violation; nothing sent") {
            withEmulator { emu, client, reg ->
                val bad = ScheduleRequest(name = " ", onDemand = false, scheduleIntervalInDays = 400L)
                val e = assertThrows<QualysCsException.Validation>("invalid create") { client.createSchedule(reg, bad) }
                assertEq(e.code, "validation", "code field")
                assertEq(e.code(), "validation", "code() on the base type")
                assertEq(e.message(), e.errorMessage, "message() is the message field")
                assertTrue(e.errorMessage.startsWith("invalid request: ")) { "message: ${e.errorMessage}" }
                val codes = e.violations.map { "${it.path} ${it.code}" }.toSet()
                for (want in listOf("/scheduleIntervalInDays interval_out_of_range", "/filters filters_required")) {
                    assertTrue(want in codes) { "violations $codes lack $want" }
                }
                assertTrue(e.violations.all { it.message.isNotBlank() }) { "a violation without message" }
                assertEq(e.status, null, "status of a local error")
                // Kotlin's Throwable.message is the readable sentence, not a dump of the fields
                assertEq(e.message, e.errorMessage, "Throwable.message")
                assertTrue(!(e.message ?: "").contains("code=validation")) { "Throwable.message: ${e.message}" }
                assertEq(client.listSchedules(reg, ListOptions()).count, 0UL, "nothing created")

                val j = assertThrows<QualysCsException.Validation>("JSON create") {
                    client.createScheduleJson(reg, """{"name": "x", "onDemand": "yes", "filters": []}""")
                }
                assertTrue(j.violations.any { it.path == "/onDemand" && it.code == "wrong_type" }) { "${j.violations}" }
                val id = assertThrows<QualysCsException.Validation>("bad registry id") {
                    client.listSchedules("../etc", ListOptions())
                }
                assertEq(id.violations.single().code, "invalid_id", "bad id code")
                emu.reset()
            }
        }

        s.test("client", "server errors carry status, Qualys code and request id") {
            withEmulator { _, client, _ ->
                val missing = "00000000-0000-4000-8000-000000000000"
                val e = assertThrows<QualysCsException.NotFound>("unknown registry") {
                    client.listSchedules(missing, ListOptions())
                }
                assertEq(e.code, "not_found", "code")
                assertEq(e.status?.toInt(), 404, "status")
                assertEq(e.status(), e.status, "status() on the base type")
                assertTrue(e.requestId != null && e.requestId == e.requestId()) { "request id ${e.requestId}" }
                assertTrue(e.qualysErrorCode?.startsWith("404") == true) { "qualys code ${e.qualysErrorCode}" }
                assertTrue(e.errorMessage.contains("404")) { "message ${e.errorMessage}" }
            }
        }

        s.test("client", "wrong password: auth error that does not reveal the password") {
            withEmulator { emu, _, reg ->
                val secret = "not-the-password-41"
                val builder = ClientBuilder().gatewayUrl(emu.url()).credentials(emu.demoUsername(), secret)
                assertTrue(!builder.toString().contains(secret)) { "builder toString shows the password" }
                builder.build().use { client ->
                    assertTrue(!client.toString().contains(secret)) { "client toString shows the password" }
                    val e = assertThrows<QualysCsException.Auth>("bad password") { client.listSchedules(reg, ListOptions()) }
                    assertEq(e.code, "auth", "code")
                    assertEq(e.status?.toInt(), 401, "status")
                    assertTrue(!e.errorMessage.contains(secret) && !(e.message ?: "").contains(secret)) { "error shows the password" }
                }
            }
        }

        s.test("client", "configuration errors name the setting") {
            val none = assertThrows<QualysCsException.Config>("no gateway") { ClientBuilder().token("t").build() }
            assertEq(none.code, "config", "code")
            assertTrue(none.errorMessage.contains("gatewayUrl") && !none.errorMessage.contains("gateway_url")) { none.errorMessage }
            val http = assertThrows<QualysCsException.Config>("remote http") {
                ClientBuilder().gatewayUrl("http://example.invalid").token("t").build()
            }
            assertTrue(http.errorMessage.contains("allow-insecure-http") && !http.errorMessage.contains("allow_insecure_http")) { http.errorMessage }
            assertEq(platformGatewayUrl(Platform.US2), "https://gateway.qg2.apps.qualys.com", "US2 gateway")
            assertEq(platformFromUsername("acme2ab"), Platform.US2, "platform from username")
            val wire = assertThrows<QualysCsException.Config>("unknown wire profile") {
                Emulator.start(EmulatorOptions(wire = "oas2022"))
            }
            assertTrue(wire.errorMessage.contains("full") && wire.errorMessage.contains("oas2021")) { wire.errorMessage }
            Emulator().use { assertEq(it.wire(), "full", "default wire profile"); it.stop() }
        }

        s.test("client", "ten creates at once with async/awaitAll") {
            withEmulator { _, client, reg ->
                val ids = withContext(Dispatchers.Default) {
                    coroutineScope {
                        (1..10).map { i -> async { client.createSchedule(reg, onDemand("burst-$i")).scheduleUuid } }.awaitAll()
                    }
                }
                assertEq(ids.toSet().size, 10, "distinct ids")
                val all = client.listSchedulesAll(reg, ListOptions(pageSize = 3u))
                assertEq(all.map { it.scheduleUuid }.toSet(), ids.toSet(), "listed ids (3 per page)")
                assertEq(all.map { it.name }.toSet(), (1..10).map { "burst-$it" }.toSet(), "names")
                // Reads in parallel too.
                val got = coroutineScope { ids.map { id -> async { client.getSchedule(reg, id).name } }.awaitAll() }
                assertEq(got.toSet().size, 10, "parallel gets")
            }
        }

        s.test("client", "emulator clock: a running schedule cannot be deleted (conflict)") {
            withEmulator { emu, client, reg ->
                val id = client.createSchedule(reg, onDemand("once")).scheduleUuid
                emu.advanceClock(Duration.ofSeconds(2))
                assertEq(client.getSchedule(reg, id).status, ScheduleStatus.RUNNING, "status after 2 s")
                assertTrue(statusTraits(ScheduleStatus.RUNNING).isRunning) { "Running is running" }
                val e = assertThrows<QualysCsException.Conflict>("delete while running") { client.deleteSchedule(reg, id) }
                assertEq(e.code, "conflict", "code")
                assertEq(e.status?.toInt(), 409, "status")
                emu.advanceClock(Duration.ofSeconds(10))
                val done = client.getSchedule(reg, id)
                assertEq(done.status, ScheduleStatus.COMPLETED, "status after the job")
                assertTrue(done.jobCompletionDate != null) { "no completion date" }
                client.deleteSchedule(reg, id)
            }
        }

        for (wire in wires) s.test("client", "cancel and bulk cancel running jobs [$wire]") {
            withEmulator(EmulatorOptions(wire = wire)) { emu, client, reg ->
                val a = client.createSchedule(reg, onDemand("a")).scheduleUuid
                val b = client.createSchedule(reg, onDemand("b")).scheduleUuid
                emu.advanceClock(Duration.ofSeconds(2))
                client.cancelSchedule(reg, a)
                assertEq(client.getSchedule(reg, a).status, ScheduleStatus.CANCELED, "a after cancel")
                val job = client.bulkCancelSchedules(reg, BulkSelector(scheduleIds = listOf(b)))
                assertEq(job.cancelJobId.length, 36, "cancel job id")
                assertEq(client.getSchedule(reg, b).status, ScheduleStatus.CANCELED, "b after bulk cancel")
                val again = assertThrows<QualysCsException.Conflict>("cancel a canceled job") { client.cancelSchedule(reg, a) }
                assertTrue(again.errorMessage.contains("Canceled")) { again.errorMessage }
            }
        }

        for (wire in wires) s.test("client", "registries, repositories and bulk delete [$wire]") {
            withEmulator(EmulatorOptions(wire = wire)) { _, client, reg ->
                val regs = client.listRegistriesAll(ListOptions())
                assertTrue(regs.any { it.registryUuid == reg }) { "demo registry not listed: $regs" }
                val details = client.getRegistry(reg)
                assertEq(details.registry.registryUuid, reg, "details id")
                val name = details.registry.registryName
                // oas2021 registries have no registryName: find by URI (or UUID) there
                assertEq(name, if (wire == "full") "demo-registry" else null, "registry name")
                if (name != null) assertEq(client.findRegistry(name).registryUuid, reg, "find by name")
                assertEq(client.findRegistry(demoRegistryUri).registryUuid, reg, "find by URI")
                client.listRepositories(reg, ListOptions())
                for (i in 1..3) client.createSchedule(reg, onDemand("bulk-$i"))
                val job = client.bulkDeleteSchedules(reg, BulkSelector(filter = "scheduleUuid:*"))
                assertEq(job.deletionJobId.length, 36, "deletion job id")
                val empty = assertThrows<QualysCsException.Validation>("empty selector") {
                    client.bulkDeleteSchedules(reg, BulkSelector())
                }
                assertEq(empty.violations.single().code, "selector_required", "selector code")
            }
        }

        s.test("client", "waiter: returns once the job is terminal, times out naming the status") {
            withEmulator { emu, client, reg ->
                val id = client.createSchedule(reg, onDemand("waited")).scheduleUuid
                val done = coroutineScope {
                    val waiter = async {
                        client.waitForSchedule(reg, id, WaitOptions.of(timeout = Duration.ofSeconds(20), interval = Duration.ofMillis(20)))
                    }
                    delay(100)
                    assertTrue(waiter.isActive) { "the waiter returned before the job ran" }
                    emu.advanceClock(Duration.ofSeconds(10))
                    waiter.await()
                }
                assertEq(done.status, ScheduleStatus.COMPLETED, "status the waiter saw")
                val e = assertThrows<QualysCsException.Timeout>("waiting for Failed") {
                    client.waitForSchedule(reg, id, WaitOptions.of(waitFor(ScheduleStatus.FAILED), Duration.ofMillis(150), Duration.ofMillis(20)))
                }
                assertEq(e.code, "timeout", "code")
                assertTrue(e.errorMessage.contains("Completed") && e.errorMessage.contains("Failed")) { e.errorMessage }
            }
        }

        for (wire in wires) s.test("client", "plan and apply a desired state; progress per item; re-plan [$wire]") {
            withEmulator(EmulatorOptions(wire = wire)) { emu, client, reg ->
                val yaml = """
                    version: 1
                    registries:
                      - registry: $reg
                        schedules:
                          - name: nightly
                            daily: "02:00"
                            repos: [library/nginx]
                          - name: weekly
                            weekly: {day: MONDAY, at: "03:00"}
                            repos: [app]
                """.trimIndent()
                val desired = parseDesiredState(yaml, DesiredFormat.YAML, "schedules.yaml", Instant.parse("2026-06-01T00:00:00Z"))
                val p = client.plan(desired, PlanOptions())
                assertEq(p.items.map { "${it.name} ${it.action}" }, listOf("nightly CREATE", "weekly CREATE"), "plan")

                val dry = client.apply(p, ApplyOptions(dryRun = true), null)
                assertEq(dry.items.map { it.outcome }, listOf(Outcome.DRY_RUN, Outcome.DRY_RUN), "dry-run outcomes")
                val post = dry.items[0].requests.single()
                assertEq(post.method, "POST", "dry-run method")
                assertTrue(post.path.endsWith("/registry/$reg/schedule")) { post.path }
                assertTrue(post.bodyJson?.contains("\"schedule\":\"02:00\"") == true) { "${post.bodyJson}" }
                assertEq(client.listSchedules(reg, ListOptions()).count, 0UL, "dry run sent nothing")

                val seen = Collections.synchronizedList(ArrayList<ApplyProgress>())
                val listener = object : ApplyProgressListener {
                    override fun onProgress(progress: ApplyProgress) { seen.add(progress) }
                }
                val report = client.apply(p, ApplyOptions(concurrency = 2u), listener)
                assertEq(report.applied, 2UL, "applied")
                assertEq(report.failed, 0UL, "failed")
                assertEq(seen.map { it.done }.sorted(), listOf(1UL, 2UL), "progress calls")
                assertTrue(seen.all { it.total == 2UL && it.ok }) { "$seen" }
                val names = client.listSchedulesAll(reg, ListOptions()).map { it.name }.sorted()
                assertEq(names, listOf("nightly", "weekly"), "schedules after apply")
                val weeklyId = report.items.single { it.name == "weekly" }.scheduleId!!
                assertEq(stored(emu, weeklyId)["weekDay"], "MONDAY", "stored weekDay")

                val again = client.plan(desired, PlanOptions())
                if (wire == "full") {
                    assertEq(planIsEmpty(again), true, "re-plan is empty")
                    assertEq(again.items.map { it.action }, listOf(Action.UNCHANGED, Action.UNCHANGED), "re-plan actions")
                } else {
                    // The server does not report interval and weekday: never "unchanged", an
                    // update whose changes are all unknown (from = null).
                    assertEq(planIsEmpty(again), false, "re-plan is not empty")
                    assertEq(again.items.map { it.action }, listOf(Action.UPDATE, Action.UPDATE), "re-plan actions")
                    for (item in again.items) {
                        assertTrue(item.changes.isNotEmpty() && item.changes.all { it.unknown && it.fromJson == "null" }) { "${item.name}: ${item.changes}" }
                        assertTrue((item.reason ?: "").contains("server does not report")) { "reason ${item.reason}" }
                    }
                    assertTrue(again.items.single { it.name == "weekly" }.changes.any { it.field == "weekDay" }) { "weekDay is not a change" }
                    val second = client.apply(again, ApplyOptions(), null)
                    assertEq(second.failed, 0UL, "failed on re-apply")
                    assertEq(stored(emu, weeklyId)["weekDay"], "MONDAY", "weekDay after re-apply (same schedule, same content)")
                }
            }
        }

        s.test("client", "apply reports a failed item with its error and goes on") {
            withEmulator { _, client, reg ->
                val desired = parseDesiredState(
                    """{"registries": [{"registry": "$reg", "schedules": [
                        {"name": "nightly", "daily": "02:00", "repos": ["library/nginx"]},
                        {"name": "fresh", "onDemand": true, "repos": ["app"]}]}]}""",
                    DesiredFormat.JSON, "inline.json", Instant.parse("2026-06-01T00:00:00Z"),
                )
                // What "exists" here is made up: a schedule the emulator has never seen.
                val ghost = parseScheduleJson(
                    """{"scheduleUuid": "11111111-1111-4111-8111-111111111111", "name": "nightly", "onDemand": false,
                        "scheduleIntervalInDays": 1, "schedule": "05:00", "status": "Completed",
                        "filters": [{"days": null, "repoTags": [{"repo": "library/nginx", "tag": null}]}]}""",
                )
                val actual = listOf(ActualRegistry(registry = client.getRegistry(reg).registry, schedules = listOf(ghost)))
                val p = plan(desired, actual, PlanOptions())
                assertEq(p.items.map { "${it.name} ${it.action}" }, listOf("fresh CREATE", "nightly UPDATE"), "plan")
                val report = client.apply(p, ApplyOptions(), null)
                assertEq(report.items.map { it.outcome }, listOf(Outcome.APPLIED, Outcome.FAILED), "outcomes")
                val error = report.items[1].error
                assertTrue(error is QualysCsException.NotFound) { "error of the failed item: $error" }
                assertEq(error?.code(), "not_found", "error code")
                assertEq(report.failed, 1UL, "failed count")
            }
        }

        s.test("core", "validate, explain and next runs through the binding") {
            val req = weekly("w", WeekDay.THURSDAY)
            val report = validate(req)
            assertEq(report.errors, emptyList<Violation>(), "errors")
            assertTrue(explain(req).startsWith("Runs every Thursday at 02:00 UTC")) { explain(req) }
            val runs = nextRuns(req, java.time.Instant.parse("2026-01-01T00:00:00Z"), java.time.Instant.parse("2026-01-01T00:00:00Z"), 2u)
            assertEq(runs.map { it.toString() }, listOf("2026-01-01T02:00:00Z", "2026-01-08T02:00:00Z"), "runs")
            val other = WeekDay.of("FUNDAY")
            assertEq(other.isKnown to other.toString(), false to "FUNDAY", "unknown weekday kept")
            val withExtra = req.copy(extra = mapOf("owner" to "\"team-a\""))
            assertTrue(requestToJson(withExtra).contains("\"owner\":\"team-a\"")) { requestToJson(withExtra) }
            assertEq(errorCodes().size, 14, "error codes")
            assertTrue(rules().any { it.code == "interval_out_of_range" && it.isError }) { "rules table" }
        }
    }
}
