package com.qualys.cs.test

import com.qualys.cs.*

/**
 * One vocabulary (issue 16): the same scenario, with the same assertions, as
 * python/tests/test_vocabulary.py and node/test/vocabulary.test.mjs. The names of every
 * language are listed in docs/vocabulary.md.
 */
class VocabularyTests {
    /** The second sample body of Qualys's "Create a Registry Schedule" page (valid, no warning). */
    private fun sample(
        name: String = "Automatic Scan Schedule",
        interval: Int = 7,
        weekDay: String = "THURSDAY",
    ) = """
        {"filters": [{"days": null, "repoTags": [{"repo": "azuretest", "tag": null}]}],
         "name": "$name", "onDemand": false, "schedule": "09:30", "forceScan": true,
         "registryType": "Azure", "scheduleIntervalInDays": $interval,
         "additionalFilters": {"numberOfTags": 5, "sortCriteria": "createdDate"},
         "weekDay": "$weekDay"}
    """.trimIndent()

    private val missingSchedule = "00000000-0000-4000-8000-000000000000"

    private suspend fun withEmulator(body: suspend (Client, String) -> Unit) {
        Emulator.start(EmulatorOptions()).use { emu ->
            emu.client().use { client -> body(client, emu.demoRegistryId()) }
            emu.stop()
        }
    }

    fun register(s: Suite) {
        s.test("vocabulary", "create the seed sample, one page vs every page") {
            withEmulator { client, reg ->
                val first = client.createScheduleJson(reg, sample())
                val second = client.createScheduleJson(reg, sample(name = "Automatic Scan Schedule 2"))
                assertTrue(first.scheduleUuid.isNotEmpty() && second.scheduleUuid != first.scheduleUuid) { "two ids" }
                assertEq(first.warnings, emptyList<Violation>(), "create warnings")

                // listSchedules: ONE page, with the paging info
                val page = client.listSchedules(reg, ListOptions(pageSize = 1u))
                assertEq(page.data.size, 1, "items on the page")
                assertEq(page.count, 2UL, "count")
                assertEq(page.skipped, emptyList<SkippedItem>(), "skipped")

                // listSchedulesAll: every item, page after page
                val every = client.listSchedulesAll(reg, ListOptions(pageSize = 1u))
                assertEq(every.size, 2, "items of every page")
                assertEq(
                    every.map { it.name }.toSet(),
                    setOf<String?>("Automatic Scan Schedule", "Automatic Scan Schedule 2"),
                    "names",
                )
            }
        }

        s.test("vocabulary", "validation with its path, not_found, a bad enum value with a did-you-mean") {
            withEmulator { client, reg ->
                val badInterval = assertThrows<QualysCsException.Validation>("interval 400") {
                    client.createScheduleJson(reg, sample(interval = 400))
                }
                assertEq(badInterval.code, "validation", "code")
                assertEq(badInterval.violations.map { it.path }, listOf("/scheduleIntervalInDays"), "paths")
                assertEq(badInterval.violations[0].code, "interval_out_of_range", "violation code")

                val missing = assertThrows<QualysCsException.NotFound>("missing schedule") {
                    client.getSchedule(reg, missingSchedule)
                }
                assertEq(missing.code, "not_found", "code")
                assertEq(missing.retryAfter, null as java.time.Duration?, "retryAfter")
                assertEq(missing.serverMessage(), missing.serverMessage, "serverMessage on the base type")

                val badDay = assertThrows<QualysCsException.Validation>("weekDay thursdy") {
                    client.createScheduleJson(reg, sample(weekDay = "thursdy"))
                }
                assertEq(badDay.code, "validation", "code")
                assertEq(badDay.violations.map { it.path }, listOf("/weekDay"), "paths")
                // the core names the valid values; a did-you-mean for a misspelling ("thursdy") is
                // not there yet (core's WeekDay::parse_loose folds case only), so: THURSDAY is named ...
                assertTrue(badDay.violations[0].message.contains("THURSDAY")) { badDay.violations[0].message }
                assertTrue(badDay.violations[0].message.contains("\"thursdy\"")) { badDay.violations[0].message }
                // ... and the did-you-mean of a wrong case
                val lowerDay = assertThrows<QualysCsException.Validation>("weekDay thursday") {
                    client.createScheduleJson(reg, sample(weekDay = "thursday"))
                }
                assertEq(lowerDay.violations.map { it.path }, listOf("/weekDay"), "paths")
                assertTrue(lowerDay.violations[0].message.contains("did you mean THURSDAY")) { lowerDay.violations[0].message }
                assertEq(client.listSchedules(reg, ListOptions()).count, 0UL, "nothing invalid was sent")
            }
        }
    }
}
