package com.qualys.cs.test

import java.math.BigDecimal

/**
 * A tiny JSON reader and writer for the tests (no library is reachable here).
 *
 * Values: `null`, `Boolean`, `String`, [JsonNumber] (keeps the exact text), `List<Any?>`,
 * `Map<String, Any?>` (insertion order kept).
 */
class JsonNumber(val text: String) {
    val value: BigDecimal = BigDecimal(text)
    override fun equals(other: Any?) = other is JsonNumber && value.compareTo(other.value) == 0
    override fun hashCode() = value.stripTrailingZeros().hashCode()
    override fun toString() = text
}

object Json {
    fun parse(text: String): Any? {
        val p = Parser(text)
        p.ws()
        val v = p.value()
        p.ws()
        if (p.i != text.length) p.fail("trailing characters")
        return v
    }

    /** JSON text of a value; numbers keep their exact text. */
    fun write(v: Any?): String = StringBuilder().also { write(v, it) }.toString()

    private fun write(v: Any?, out: StringBuilder) {
        when (v) {
            null -> out.append("null")
            is Boolean -> out.append(v)
            is JsonNumber -> out.append(v.text)
            is Int, is Long -> out.append(v.toString())
            is String -> quote(v, out)
            is List<*> -> {
                out.append('[')
                v.forEachIndexed { i, x -> if (i > 0) out.append(','); write(x, out) }
                out.append(']')
            }
            is Map<*, *> -> {
                out.append('{')
                var first = true
                for ((k, x) in v) {
                    if (!first) out.append(',')
                    first = false
                    quote(k as String, out)
                    out.append(':')
                    write(x, out)
                }
                out.append('}')
            }
            else -> throw IllegalArgumentException("not a JSON value: ${v::class}")
        }
    }

    private fun quote(s: String, out: StringBuilder) {
        out.append('"')
        for (c in s) {
            when {
                c == '"' -> out.append("\\\"")
                c == '\\' -> out.append("\\\\")
                c == '\n' -> out.append("\\n")
                c == '\r' -> out.append("\\r")
                c == '\t' -> out.append("\\t")
                c < ' ' -> out.append(String.format("\\u%04x", c.code))
                else -> out.append(c)
            }
        }
        out.append('"')
    }

    /** Structural equality: key order ignored, numbers compared by value. */
    fun same(a: Any?, b: Any?): Boolean = when {
        a is Map<*, *> && b is Map<*, *> ->
            a.keys == b.keys && a.keys.all { same(a[it], b[it]) }
        a is List<*> && b is List<*> ->
            a.size == b.size && a.indices.all { same(a[it], b[it]) }
        else -> a == b
    }

    private class Parser(val s: String) {
        var i = 0

        fun fail(why: String): Nothing = throw IllegalArgumentException("JSON: $why at offset $i")

        fun ws() {
            while (i < s.length && s[i] in " \t\r\n") i++
        }

        fun value(): Any? {
            if (i >= s.length) fail("unexpected end")
            return when (val c = s[i]) {
                '{' -> obj()
                '[' -> arr()
                '"' -> str()
                't' -> lit("true", true)
                'f' -> lit("false", false)
                'n' -> lit("null", null)
                else -> if (c == '-' || c.isDigit()) num() else fail("unexpected '$c'")
            }
        }

        fun lit(word: String, v: Any?): Any? {
            if (!s.startsWith(word, i)) fail("expected $word")
            i += word.length
            return v
        }

        fun num(): JsonNumber {
            val start = i
            if (s[i] == '-') i++
            while (i < s.length && (s[i].isDigit() || s[i] in ".eE+-")) i++
            return JsonNumber(s.substring(start, i))
        }

        fun str(): String {
            i++ // opening quote
            val out = StringBuilder()
            while (true) {
                if (i >= s.length) fail("unterminated string")
                val c = s[i++]
                when (c) {
                    '"' -> return out.toString()
                    '\\' -> {
                        when (val e = s[i++]) {
                            '"' -> out.append('"')
                            '\\' -> out.append('\\')
                            '/' -> out.append('/')
                            'b' -> out.append('\b')
                            'f' -> out.append('\u000c')
                            'n' -> out.append('\n')
                            'r' -> out.append('\r')
                            't' -> out.append('\t')
                            'u' -> {
                                out.append(s.substring(i, i + 4).toInt(16).toChar())
                                i += 4
                            }
                            else -> fail("bad escape \\$e")
                        }
                    }
                    else -> out.append(c)
                }
            }
        }

        fun arr(): List<Any?> {
            i++
            val out = ArrayList<Any?>()
            ws()
            if (s[i] == ']') { i++; return out }
            while (true) {
                ws()
                out.add(value())
                ws()
                when (s[i++]) {
                    ',' -> continue
                    ']' -> return out
                    else -> fail("expected , or ]")
                }
            }
        }

        fun obj(): Map<String, Any?> {
            i++
            val out = LinkedHashMap<String, Any?>()
            ws()
            if (s[i] == '}') { i++; return out }
            while (true) {
                ws()
                if (s[i] != '"') fail("expected a key")
                val k = str()
                ws()
                if (s[i++] != ':') fail("expected :")
                ws()
                out[k] = value()
                ws()
                when (s[i++]) {
                    ',' -> continue
                    '}' -> return out
                    else -> fail("expected , or }")
                }
            }
        }
    }
}

/** Typed access for the vectors. */
@Suppress("UNCHECKED_CAST")
fun Any?.obj(): Map<String, Any?> = this as Map<String, Any?>

@Suppress("UNCHECKED_CAST")
fun Any?.arr(): List<Any?> = this as List<Any?>

fun Any?.str(): String = this as String

fun Any?.int(): Int = (this as JsonNumber).value.intValueExact()
