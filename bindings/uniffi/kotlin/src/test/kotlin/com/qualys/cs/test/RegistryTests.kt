package com.qualys.cs.test

import com.qualys.cs.*
import java.io.File

/**
 * Registries as code (issue 17) from Kotlin: tests/vectors/registries.json with the same checks
 * as the Rust runner (errors and warnings as (path, code) multisets with a message each, the
 * core's severities, no secret in any message, path, toString or redacted form, the canonical
 * wire form of valid cases), and the client's registry operations against the emulator on both
 * wire profiles, with the password in no toString, exception text or journal entry.
 */
class RegistryTests(private val dir: File) {
    private val known = setOf("name", "description", "input", "errors", "warnings", "canonical")
    private val password = "Regi5try-Pa55-9f2c41"
    private val newPassword = "Rotated-Pa55-77ab10"
    private val uri = "https://registry.acme.example"

    private fun pairs(vs: List<Violation>): List<String> = vs.map { "${it.path} ${it.code}" }.sorted()

    private fun expected(list: Any?): List<String> =
        list.arr().map { it.obj() }.map { "${it["path"].str()} ${it["code"].str()}" }.sorted()

    /** Every string under a secret key (any depth), and the user-info of a `registryUri`. */
    private fun secretsIn(v: Any?): List<String> = when (v) {
        is Map<*, *> -> v.entries.flatMap { (k, x) ->
            when {
                k in setOf("password", "accessToken", "token") && x is String && x.isNotEmpty() -> listOf(x)
                k == "registryUri" && x is String -> {
                    val authority = x.substringAfter("://").substringBefore("/")
                    if ('@' in authority) listOf(authority.substringBeforeLast('@')) else emptyList()
                }
                else -> secretsIn(x)
            }
        }
        is List<*> -> v.flatMap { secretsIn(it) }
        else -> emptyList()
    }

    private fun private(pw: String = password, at: String = uri) = RegistryRequest(
        registryType = RegistryType.V2_PRIVATE,
        registryUri = at,
        credential = Credential(username = "ci-bot", password = Secret(pw)),
    )

    fun register(s: Suite) {
        val cases = Json.parse(File(dir, "registries.json").readText()).obj()["cases"].arr().map { it.obj() }
        s.test("vectors registries.json", "at least 40 cases, known keys only") {
            assertTrue(cases.size >= 40) { "registries.json has ${cases.size} cases" }
            for (c in cases) assertTrue((c.keys - known).isEmpty()) { "${c["name"]}: unknown keys ${c.keys - known}" }
        }
        for (c in cases) s.test("vectors registries.json", c["name"].str()) {
            val input = Json.write(c["input"])
            val report = validateRegistryJson(input)
            assertEq(pairs(report.errors), expected(c["errors"]), "errors")
            assertEq(pairs(report.warnings), expected(c["warnings"]), "warnings")
            val secrets = secretsIn(c["input"])
            for (v in report.errors + report.warnings) {
                assertTrue(v.message.isNotBlank()) { "${v.path} ${v.code} has no message" }
                for (x in secrets) assertTrue(x !in v.message && x !in v.path) { "${v.path} ${v.code} repeats a secret" }
            }
            if ("canonical" in c) {
                assertTrue(report.errors.isEmpty()) { "canonical is only for valid cases" }
                val request = parseRegistryRequestJson(input)
                val wire = Json.parse(registryRequestToJson(request))
                assertTrue(Json.same(wire, c["canonical"])) { "canonical: got ${Json.write(wire)}, want ${Json.write(c["canonical"])}" }
                assertEq(validateRegistry(request), report, "the typed request validates the same")
                val shown = request.toString() + registryRequestRedactedJson(request)
                for (x in secrets) assertTrue(x !in shown) { "toString or the redacted form shows a secret: $shown" }
            }
        }
        s.test("vectors registries.json", "every registry rule is expected by a case, with the core's severity") {
            val rules = registryRules().associateBy { it.code }
            val used = HashMap<String, MutableSet<String>>()
            for (c in cases) for ((key, sev) in listOf("errors" to "error", "warnings" to "warning")) {
                for (v in c[key].arr()) used.getOrPut(v.obj()["code"].str()) { HashSet() }.add(sev)
            }
            val problems = ArrayList<String>()
            for ((code, sevs) in used) {
                val rule = rules[code]
                if (rule == null) problems.add("$code is not a registry rule")
                else if (sevs != setOf(rule.severity)) problems.add("$code listed as $sevs, the core says ${rule.severity}")
            }
            for (r in rules.values) {
                if (r.code !in used) problems.add("no case expects ${r.code}")
                if (r.source !in setOf("doc", "oas", "ours")) problems.add("${r.code} has source ${r.source}")
            }
            assertEq(problems, emptyList<String>(), "rule coverage")
        }

        for (wire in listOf("full", "oas2021")) s.test("registries", "lifecycle; the password is in no toString, exception or journal [$wire]") {
            Emulator.start(EmulatorOptions(wire = wire)).use { emu ->
                emu.client().use { client ->
                    assertEq(RegistryType.V2_PRIVATE.toString(), "V2_PRIVATE", "wire value of V2_PRIVATE")
                    val request = private()
                    assertTrue(password !in request.toString()) { "RegistryRequest.toString shows the password" }
                    assertEq(request.credential?.password?.expose(), password, "Secret.expose")
                    val created = client.createRegistry(request)
                    assertEq(created.recovered, false, "recovered")
                    val id = created.registryUuid
                    assertEq(client.getRegistry(id).registry.registryUri, uri, "registryUri")
                    val dup = assertThrows<QualysCsException>("second create") { client.createRegistry(private()) }
                    assertEq(client.validateRegistry(private()).valid, false, "remote validate of an existing registry")
                    assertEq(client.validateRegistry(private(at = "https://fresh.acme.example")).valid, true, "remote validate of a new one")
                    assertEq(client.updateRegistry(id, private(newPassword)), emptyList<Violation>(), "update warnings")
                    emu.requests(clear = true)
                    val bad = assertThrows<QualysCsException.Validation>("invalid create") {
                        client.createRegistry(RegistryRequest(registryType = RegistryType.V2_PRIVATE, registryUri = "ftp://x",
                            credential = Credential(password = Secret(password))))
                    }
                    assertTrue(bad.violations.any { it.path == "/registryUri" }) { "${bad.violations}" }
                    val sent = Json.parse(emu.requests(clear = false)).arr().map { it.obj() }
                    assertTrue(sent.none { it["method"] == "POST" && it["path"].str().contains("/registry") }) { "an invalid request was sent" }
                    client.deleteRegistry(id)
                    assertThrows<QualysCsException.NotFound>("get after delete") { client.getRegistry(id) }

                    val ids = (0..1).map { i ->
                        client.createRegistry(RegistryRequest(registryType = RegistryType.DOCKER_HUB, registryUri = "https://hub$i.acme.example",
                            credential = Credential(username = "u", password = Secret(password)))).registryUuid
                    }
                    assertTrue(client.bulkDeleteRegistries(ids).deletionJobId.isNotEmpty()) { "deletion job id" }
                    val none = assertThrows<QualysCsException.Validation>("bulk delete of nothing") { client.bulkDeleteRegistries(emptyList()) }
                    assertEq(none.violations.single().path, "/registryIds", "path")
                    for (kind in ConnectorKind.values()) assertTrue(client.listConnectors(kind).isNotEmpty()) { "no $kind connector" }
                    assertTrue(client.listConnectors(ConnectorKind.AWS).first().arn != null) { "AWS connector without arn" }

                    val shown = listOf(request, created, client, dup, dup.message, bad, bad.message, bad.violations).joinToString("\n")
                    val journal = emu.requests(clear = false)
                    for (x in listOf(password, newPassword)) {
                        assertTrue(x !in shown) { "a secret is shown: $shown" }
                        assertTrue(x !in journal) { "a secret is in the journal" }
                    }
                }
                emu.stop()
            }
        }
    }
}
