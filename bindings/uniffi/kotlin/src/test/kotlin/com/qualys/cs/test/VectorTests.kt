package com.qualys.cs.test

import com.qualys.cs.*
import java.io.File
import java.time.Instant

/**
 * Every case of the shared vectors in tests/vectors (see its README). The Rust side only
 * decodes and evaluates through the binding; every comparison of expected and actual
 * happens here, in Kotlin.
 */
class VectorTests(private val dir: File) {
    private fun load(name: String): Map<String, Any?> = Json.parse(File(dir, name).readText()).obj()

    private fun cases(doc: Map<String, Any?>, file: String, known: Set<String>): List<Map<String, Any?>> {
        val cases = doc["cases"].arr().map { it.obj() }
        if (cases.isEmpty()) throw IllegalStateException("$file has no cases")
        val names = HashSet<String>()
        for (c in cases) {
            val unknown = c.keys - known
            // A misspelt key must not make a check disappear without notice.
            if (unknown.isNotEmpty()) throw IllegalStateException("$file: case ${c["name"]} has unknown keys $unknown")
            if (!names.add(c["name"].str())) throw IllegalStateException("$file: duplicate case ${c["name"]}")
        }
        return cases
    }

    fun register(s: Suite) {
        requests(s)
        updates(s)
        responses(s)
        nextRuns(s)
        timezones(s)
        plans(s)
    }

    // ---- helpers -------------------------------------------------------------------------

    private fun pairs(vs: List<Violation>): List<String> {
        for (v in vs) assertTrue(v.message.isNotBlank()) { "violation ${v.path} ${v.code} has an empty message" }
        return vs.map { "${it.path} ${it.code}" }.sorted()
    }

    private fun expectedPairs(list: Any?): List<String> =
        list.arr().map { it.obj() }.map { "${it["path"].str()} ${it["code"].str()}" }.sorted()

    private fun compareReport(errors: List<Violation>, warnings: List<Violation>, case: Map<String, Any?>) {
        assertEq(pairs(errors), expectedPairs(case["errors"]), "errors")
        assertEq(pairs(warnings), expectedPairs(case["warnings"]), "warnings")
    }

    private fun assertJson(actualText: String, expected: Any?, what: String) {
        val actual = Json.parse(actualText)
        assertTrue(Json.same(actual, expected)) { "$what:\n  got  ${Json.write(actual)}\n  want ${Json.write(expected)}" }
    }

    // ---- requests.json: validate_value / from_json + validate ------------------------------

    private fun requests(s: Suite) {
        val file = "requests.json"
        val known = setOf("name", "description", "input", "input_text", "errors", "warnings", "canonical")
        for (c in cases(load(file), file, known)) {
            s.test("vectors $file", c["name"].str()) {
                if (c.containsKey("input_text")) {
                    val text = c["input_text"].str()
                    val request = try {
                        parseRequestJson(text)
                    } catch (e: QualysCsException.Validation) {
                        compareReport(e.violations, emptyList(), c)
                        null
                    }
                    if (request != null) {
                        val r = validate(request)
                        compareReport(r.errors, r.warnings, c)
                    }
                } else {
                    val input = Json.write(c["input"])
                    val r = validateJson(input)
                    compareReport(r.errors, r.warnings, c)
                    if (c.containsKey("canonical")) {
                        // Through the Kotlin record and back: the binding must lose nothing.
                        val record = parseRequestJson(input)
                        assertJson(requestToJson(record), c["canonical"], "canonical")
                    }
                }
            }
        }
    }

    // ---- updates.json: validate_update --------------------------------------------------

    private fun updates(s: Suite) {
        val file = "updates.json"
        val known = setOf("name", "description", "current", "next", "errors", "warnings")
        for (c in cases(load(file), file, known)) {
            s.test("vectors $file", c["name"].str()) {
                val current = parseScheduleJson(Json.write(c["current"]))
                val next = parseRequestJson(Json.write(c["next"]))
                val r = validateUpdate(current, next)
                compareReport(r.errors, r.warnings, c)
            }
        }
    }

    // ---- responses.json: decoding answers -----------------------------------------------

    private fun decodeToJson(kind: String, body: String): String = when (kind) {
        "create" -> Json.write(mapOf("schedule_uuid" to decodeCreateResponse(body).scheduleUuid))
        "schedule_page" -> schedulePageToJson(decodeSchedulePage(body))
        "schedule_page_lenient" -> schedulePageToJson(decodeSchedulePage(body, lenient = true))
        "registry_page" -> registryPageToJson(decodeRegistryPage(body))
        "registry" -> registryDetailsToJson(decodeRegistryDetails(body))
        "repository_page" -> repositoryPageToJson(decodeRepositoryPage(body))
        "bulk_delete" -> bulkDeleteToJson(decodeBulkDelete(body))
        "bulk_cancel" -> bulkCancelToJson(decodeBulkCancel(body))
        "error_body" -> errorBodyToJson(decodeErrorBody(body))
        else -> fail("unknown kind $kind")
    }

    /** The fields a vector may name, read through the accessors of the base type. */
    private fun errorFields(e: QualysCsException): Map<String, Any?> = mapOf(
        "code" to e.code(),
        "status" to e.status()?.toInt(),
        "qualys_error_code" to e.qualysErrorCode(),
        "message" to e.serverMessage(),
        "body" to e.body(),
    )

    private fun compareError(e: QualysCsException, expected: Map<String, Any?>) {
        assertTrue(e.message().isNotBlank()) { "error ${e.code()} has an empty message" }
        // The exception class is the variant of the code: not_found -> QualysCsException.NotFound.
        val variant = e.code().split('_').joinToString("") { part -> part.replaceFirstChar { it.uppercase() } }
        assertEq(e::class.simpleName, variant, "exception class of ${e.code()}")
        val got = errorFields(e)
        for ((k, want) in expected) {
            assertTrue(got.containsKey(k)) { "expect_error key $k is not available on ${e::class.simpleName}" }
            val have = got[k]
            val same = if (want is JsonNumber) have is Int && want.value.intValueExact() == have else have == want
            assertTrue(same) { "error field $k: got <$have>, want <$want>" }
        }
    }

    private fun responses(s: Suite) {
        val file = "responses.json"
        val known = setOf("name", "description", "kind", "status", "body", "expect", "expect_error")
        for (c in cases(load(file), file, known)) {
            s.test("vectors $file", c["name"].str()) {
                val kind = c["kind"].str()
                val body = c["body"].str()
                if (kind == "http_error") {
                    val e = errorFromHttp(c["status"].int().toUShort(), null, body, null)
                    compareError(e, c["expect_error"].obj())
                    return@test
                }
                if (c.containsKey("expect_error")) {
                    val e = assertThrows<QualysCsException>("decoding $kind") { decodeToJson(kind, body) }
                    compareError(e, c["expect_error"].obj())
                } else {
                    assertJson(decodeToJson(kind, body), c["expect"], kind)
                }
            }
        }
    }

    // ---- next_runs.json -----------------------------------------------------------------

    private fun nextRuns(s: Suite) {
        val file = "next_runs.json"
        val known = setOf("name", "description", "request", "created", "after", "n", "expect", "expect_error")
        for (c in cases(load(file), file, known)) {
            s.test("vectors $file", c["name"].str()) {
                val created = Instant.parse(c["created"].str())
                val after = Instant.parse(c["after"].str())
                val n = c["n"].int().toUInt()
                if (c.containsKey("expect_error")) {
                    val e = assertThrows<QualysCsException>("next runs") {
                        nextRuns(parseRequestJson(Json.write(c["request"])), created, after, n)
                    }
                    assertEq(e.code(), c["expect_error"].str(), "error code")
                } else {
                    val runs = nextRuns(parseRequestJson(Json.write(c["request"])), created, after, n)
                    assertEq(runs, c["expect"].arr().map { Instant.parse(it.str()) }, "runs")
                }
            }
        }
    }

    // ---- timezones.json -----------------------------------------------------------------

    private fun timezones(s: Suite) {
        val file = "timezones.json"
        val known = setOf("name", "description", "local_time", "week_day", "zone", "reference", "expect", "expect_error")
        for (c in cases(load(file), file, known)) {
            s.test("vectors $file", c["name"].str()) {
                val day = (c["week_day"] as String?)?.let { WeekDay.of(it) }
                val reference = Instant.parse(c["reference"].str())
                if (c.containsKey("expect_error")) {
                    val e = assertThrows<QualysCsException>("local_to_utc") {
                        localToUtc(c["local_time"].str(), day, c["zone"].str(), reference)
                    }
                    assertEq(e.violations().firstOrNull()?.code, c["expect_error"].str(), "violation code")
                    return@test
                }
                val conv = localToUtc(c["local_time"].str(), day, c["zone"].str(), reference)
                val e = c["expect"].obj()
                assertEq(conv.utcTime, e["utc_time"].str(), "utc_time")
                assertEq(conv.utcWeekDay?.wire, e["utc_week_day"] as String?, "utc_week_day")
                assertEq(conv.dayShift.toInt(), e["day_shift"].int(), "day_shift")
                assertEq(conv.offsetMinutes, e["offset_minutes"].int(), "offset_minutes")
                val want = e["warnings"].arr().map { it.obj() }
                assertEq(conv.warnings.size, want.size, "number of warnings")
                for ((w, g) in want.zip(conv.warnings)) {
                    assertEq(g.code, w["code"].str(), "warning code")
                    val sub = w["contains"] as String?
                    if (sub != null) assertTrue(g.message.contains(sub)) { "warning '${g.message}' lacks '$sub'" }
                }
            }
        }
    }

    // ---- plans.json ---------------------------------------------------------------------

    private fun plans(s: Suite) {
        val file = "plans.json"
        val doc = load(file)
        val known = setOf("name", "description", "desired", "actual", "prune", "expect", "expect_unmanaged")
        val registryJson = Json.write(doc["registry"])
        val reference = Instant.parse("2026-06-01T00:00:00Z")
        for (c in cases(doc, file, known)) {
            s.test("vectors $file", c["name"].str()) {
                val name = c["name"].str()
                val desired = parseDesiredState(Json.write(c["desired"]), DesiredFormat.JSON, name, reference)
                val actual = c["actual"].arr().map { a ->
                    ActualRegistry(
                        registry = parseRegistryJson(registryJson),
                        schedules = a.obj()["schedules"].arr().map { parseScheduleJson(Json.write(it)) },
                    )
                }
                val prune = c["prune"] as Boolean? ?: false
                val p = plan(desired, actual, PlanOptions(prune = prune))
                val want = c["expect"].arr().map { it.obj() }
                assertEq(p.items.size, want.size, "number of items\n${planRenderText(p)}")
                for ((w, item) in want.zip(p.items)) {
                    assertEq(item.registry, w["registry"].str(), "registry")
                    assertEq(item.name, w["name"].str(), "name")
                    assertEq(item.action.name.lowercase(), w["action"].str(), "action of ${item.name}")
                    if (w.containsKey("fields")) {
                        assertEq(item.changes.map { it.field }, w["fields"].arr().map { it.str() }, "changed fields of ${item.name}")
                    }
                    if (w.containsKey("unknown")) {
                        // Fields the answer did not report: unknown, never equal (spec §6b).
                        assertEq(item.changes.filter { it.unknown }.map { it.field }, w["unknown"].arr().map { it.str() }, "unknown fields of ${item.name}")
                        assertTrue(item.changes.all { !it.unknown || it.fromJson == "null" }) { "an unknown field of ${item.name} has a from value" }
                    }
                    val sub = w["reason_contains"] as String?
                    if (sub != null) assertTrue((item.reason ?: "").contains(sub)) { "reason '${item.reason}' lacks '$sub'" }
                }
                assertEq(p.unmanaged.toInt(), (c["expect_unmanaged"] as JsonNumber?)?.value?.intValueExact() ?: 0, "unmanaged")
                assertTrue(planRenderText(p).contains("Plan: ")) { "rendered plan lacks its summary line" }
            }
        }
    }
}
