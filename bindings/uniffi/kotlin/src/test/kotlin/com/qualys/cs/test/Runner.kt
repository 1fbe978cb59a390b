package com.qualys.cs.test

import kotlinx.coroutines.runBlocking
import java.io.File
import kotlin.system.exitProcess

/**
 * The test runner (Gradle and JUnit are not reachable on this machine): registers every test,
 * runs them one by one, prints each failure and closes with `N passed, M failed`.
 * Exits non-zero on any failure or when no test ran.
 *
 * Usage: `java ... com.qualys.cs.test.RunnerKt <tests/vectors dir> [name filter]`
 */
class TestCase(val group: String, val name: String, val body: suspend () -> Unit)

class Suite {
    val tests = ArrayList<TestCase>()
    fun test(group: String, name: String, body: suspend () -> Unit) {
        tests.add(TestCase(group, name, body))
    }
}

class TestFailure(message: String) : AssertionError(message)

fun fail(message: String): Nothing = throw TestFailure(message)

fun <T> assertEq(actual: T, expected: T, what: String) {
    if (actual != expected) fail("$what: got <$actual>, want <$expected>")
}

fun assertTrue(condition: Boolean, message: () -> String) {
    if (!condition) fail(message())
}

suspend inline fun <reified E : Throwable> assertThrows(what: String, block: suspend () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        fail("$what: threw ${e::class.simpleName} (${e.message}), want ${E::class.simpleName}")
    }
    fail("$what: no exception, want ${E::class.simpleName}")
}

fun main(args: Array<String>) {
    if (args.isEmpty()) {
        System.err.println("usage: RunnerKt <tests/vectors dir> [name filter]")
        exitProcess(2)
    }
    val vectors = File(args[0])
    val filter = args.getOrNull(1)
    val suite = Suite()
    VectorTests(vectors).register(suite)
    ClientTests().register(suite)
    VocabularyTests().register(suite)
    IdiomTests().register(suite)
    RegistryTests(vectors).register(suite)

    var passed = 0
    var failed = 0
    val perGroup = LinkedHashMap<String, IntArray>()
    for (t in suite.tests) {
        val full = "${t.group}: ${t.name}"
        if (filter != null && !full.contains(filter)) continue
        val counts = perGroup.getOrPut(t.group) { IntArray(2) }
        val started = System.nanoTime()
        try {
            runBlocking { t.body() }
            passed++
            counts[0]++
            if (!t.group.startsWith("vectors")) {
                println("ok   $full (${(System.nanoTime() - started) / 1_000_000} ms)")
            }
        } catch (e: Throwable) {
            failed++
            counts[1]++
            println("FAIL $full: ${e::class.simpleName}: ${e.message}")
            if (e !is TestFailure) e.printStackTrace(System.out)
        }
    }
    for ((g, c) in perGroup) {
        if (g.startsWith("vectors")) println("  $g: ${c[0]}/${c[0] + c[1]} cases ok")
    }
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0 && passed > 0) 0 else 1)
}
