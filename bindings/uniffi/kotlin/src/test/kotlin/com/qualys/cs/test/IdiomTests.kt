package com.qualys.cs.test

import com.qualys.cs.*
import java.time.Duration
import java.time.Instant

/**
 * Kotlin idioms of issue 16: a builder, enums that print their wire value, a readable
 * exception message, dates as java.time.Instant, durations as java.time.Duration, and our own
 * validation error (with a did-you-mean) for a bad value coming from Kotlin.
 */
class IdiomTests {
    fun register(s: Suite) {
        s.test("idioms", "the builder makes the seed sample; build() reports every problem") {
            val req = ScheduleRequest.weekly("Automatic Scan Schedule", WeekDay.THURSDAY)
                .at("09:30").repo("azuretest").forceScan(true).latestTags(5)
                .registryType(RegistryType.AZURE).build()
            assertEq(req.onDemand, false, "onDemand")
            assertEq(req.scheduleIntervalInDays, 7L, "interval")
            assertEq(req.weekDay, WeekDay.THURSDAY, "weekDay")
            assertEq(req.additionalFilters, AdditionalFilters(numberOfTags = 5L, sortCriteria = "createdDate"), "latest tags")
            assertEq(req.filters, listOf(Filter(repoTags = listOf(RepoTag(repo = "azuretest")))), "filters")
            val json = requestToJson(req)
            assertTrue(json.contains("\"weekDay\":\"THURSDAY\"") && json.contains("\"registryType\":\"Azure\"")) { json }

            val onDemand = ScheduleRequest.onDemand("now").repoTags("nginx", listOf("latest", "1.25")).build()
            assertEq(onDemand.filters[0].repoTags[0].tag, "latest,1.25", "tags joined")
            assertEq(ScheduleRequest.daily("d", "19:30").repo("app").build().scheduleIntervalInDays, 1L, "daily")

            val e = assertThrows<QualysCsException.Validation>("daily at 25:00 with no repo") {
                ScheduleRequest.daily("", "25:00").build()
            }
            assertEq(e.violations.map { it.code }, listOf("name_required", "invalid_schedule_time", "repo_tags_required"), "codes")
            val tooShort = assertThrows<QualysCsException.Validation>("forceScan every 3 days") {
                ScheduleRequest.everyDays("e", 3).repo("app").forceScan(true).build()
            }
            assertEq(tooShort.violations[0].path, "/forceScan", "path")
        }

        s.test("idioms", "open enums print their wire value and keep unknown values") {
            assertEq(WeekDay.THURSDAY.toString(), "THURSDAY", "WeekDay")
            assertEq(RegistryType.DOCKER_HUB.toString(), "DockerHub", "RegistryType")
            assertEq(ScheduleStatus.BASELINE_RUNNING.toString(), "BaselineRunning", "ScheduleStatus")
            assertEq("$WeekDay.MONDAY".isNotEmpty(), true, "string template")
            assertEq(WeekDay.of("THURSDAY"), WeekDay.THURSDAY, "of a known spelling")
            assertTrue(WeekDay.of("THURSDAY") === WeekDay.THURSDAY) { "a known value is the constant" }
            assertEq(WeekDay.KNOWN.map { it.wire }, listOf("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"), "KNOWN")
            val funday = WeekDay.of("FUNDAY")
            assertEq(funday.isKnown, false, "unknown")
            assertEq(statusTraits(ScheduleStatus.of("Archived")).wire, "Archived", "an unknown status crosses as is")
            // an unknown value read from an answer is kept, and sent back as received
            val s = parseScheduleJson("""{"scheduleUuid": "x", "name": "n", "status": "Archived", "weekDay": "FUNDAY"}""")
            assertEq(s.status.toString() to s.weekDay.toString(), "Archived" to "FUNDAY", "kept")
            assertTrue(scheduleToJson(s).contains("\"status\":\"Archived\"")) { scheduleToJson(s) }
        }

        s.test("idioms", "a bad enum value from Kotlin is our validation error with a did-you-mean") {
            val e = assertThrows<QualysCsException.Validation>("WeekDay.parse(thursdy)") { WeekDay.parse("thursdy") }
            assertEq(e.violations.map { it.path }, listOf("/weekDay"), "path")
            assertTrue(e.violations[0].message.contains("did you mean THURSDAY?")) { e.violations[0].message }
            assertTrue(e.message!!.contains("did you mean THURSDAY?")) { "message: ${e.message}" }
            assertEq(WeekDay.parse("FRIDAY"), WeekDay.FRIDAY, "a known spelling")
            val rt = assertThrows<QualysCsException.Validation>("RegistryType.parse(dockerhub)") { RegistryType.parse("dockerhub") }
            assertTrue(rt.violations[0].message.contains("did you mean DockerHub?")) { rt.violations[0].message }
            // an unknown value that reaches validation: the core's rule, with its path
            val r = validate(ScheduleRequest.weekly("w", WeekDay.of("thursdy")).repo("a").buildUnchecked())
            assertEq(r.errors.map { it.path to it.code }, listOf("/weekDay" to "invalid_week_day"), "validate")
            assertTrue(r.errors[0].message.contains("did you mean THURSDAY?")) { r.errors[0].message }
            // a bad id is a validation error naming the field, never a crash of the binding
            val id = assertThrows<QualysCsException.Validation>("bulk ids") {
                Emulator.start(EmulatorOptions()).use { emu ->
                    emu.client().use { it.bulkDeleteSchedules(emu.demoRegistryId(), BulkSelector(scheduleIds = listOf("../x"))) }
                }
            }
            assertTrue(id.errorMessage.contains("must be a UUID")) { id.errorMessage }
        }

        s.test("idioms", "exception message is a readable sentence, not a field dump") {
            val e = assertThrows<QualysCsException.Validation>("interval 400") {
                ScheduleRequest.everyDays("x", 400).repo("a").build()
            }
            val m = e.message ?: ""
            assertEq(m, e.errorMessage, "message")
            assertTrue(m.contains("scheduleIntervalInDays")) { m }
            for (dump in listOf("code=", "errorMessage=", "violations=", "status=null")) {
                assertTrue(!m.contains(dump)) { "message has '$dump': $m" }
            }
            val cfg = assertThrows<QualysCsException.Config>("unknown setting") {
                ClientBuilder.fromJson("""{"gatewayUrl": "http://127.0.0.1:1", "token": "t", "requestTimeotMs": 5}""")
            }
            assertTrue(cfg.message!!.contains("requestTimeotMs") && cfg.message!!.contains("requestTimeoutMs")) { "${cfg.message}" }
            val none = assertThrows<QualysCsException.Config>("no credentials") { ClientBuilder().gatewayUrl("http://127.0.0.1:1").build() }
            for (rust in listOf("credentials(", "request_timeout", "allow_insecure_http", "rust type")) {
                assertTrue(!none.message!!.contains(rust)) { "'$rust' in ${none.message}" }
            }
        }

        s.test("idioms", "dates are java.time.Instant, durations java.time.Duration") {
            Emulator.start(EmulatorOptions(clockStart = Instant.parse("2026-03-01T10:00:00Z"), jobStep = Duration.ofSeconds(1))).use { emu ->
                emu.client().use { client ->
                    val reg = emu.demoRegistryId()
                    val created = client.createSchedule(reg, ScheduleRequest.weekly("w", WeekDay.MONDAY).repo("app").build())
                    val listed = client.getSchedule(reg, created.scheduleUuid)
                    val at: Instant? = listed.created
                    assertTrue(at != null && !at.isBefore(Instant.parse("2026-03-01T10:00:00Z"))) { "created $at" }
                    // the raw value is kept: the epoch milliseconds of the answer, exactly
                    assertTrue(scheduleToJson(listed).contains("\"created\":\"${at!!.toEpochMilli()}\"")) { scheduleToJson(listed) }
                    val runs = scheduleNextRuns(listed, Instant.parse("2026-03-01T10:00:00Z"), 2u)
                    assertEq(runs, listOf(Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-09T00:00:00Z")), "next runs")
                    assertEq(emu.faults(clear = false), "[]", "no fault rules")
                    val fault = emu.addFaultJson("""{"kind": "status", "status": 503, "count": 1}""")
                    assertTrue(emu.faults(clear = true).contains(fault)) { "the rule is listed" }
                    assertEq(emu.faults(clear = false), "[]", "cleared")
                    assertTrue(emu.requests(clear = true).contains("/auth")) { "journal" }
                    assertEq(emu.requests(clear = false), "[]", "journal cleared")
                    val later = emu.advanceClock(Duration.ofHours(1))
                    assertEq(later, Instant.parse("2026-03-01T11:00:00Z"), "advanceClock returns an Instant")
                }
                emu.stop()
            }
            assertEq(defaultRetryPolicy().baseDelay, Duration.ofMillis(200), "retry base delay")
            assertEq(WaitOptions.of().timeout, Duration.ofMinutes(30), "waiter default timeout")
            val p = parseScheduleJson("""{"scheduleUuid": "x", "name": "n", "created": "1754400000123"}""")
            assertEq(p.created, Instant.ofEpochMilli(1754400000123), "created from epoch-ms text")
            assertEq(p.createdRaw, "1754400000123", "the raw wire value")
            assertEq(p.updatedRaw, null, "absent")
        }
    }
}
