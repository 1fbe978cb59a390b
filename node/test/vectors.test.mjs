// Every shared vector of tests/vectors/ (the same files the Rust, Python and Kotlin suites run),
// through the package's own exports.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import {
  validate, validateJson, validateUpdate, normalizeRequest, decodeResponse, nextRuns, localToUtc, plan,
  QualysCsError,
} from '../index.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const vectorsDir = process.env.QUALYS_CS_VECTORS ?? path.resolve(here, '../../tests/vectors')
const load = (name) => JSON.parse(readFileSync(path.join(vectorsDir, name), 'utf8'))
/** Violations as a sorted multiset of (path, code): tests/vectors/README.md compares in any order. */
const pc = (list) => list.map(({ path, code }) => `${path} ${code}`).sort()
/** Instants compare as instants. */
const instants = (list) => list.map((t) => new Date(t).getTime())

/** The keys each file's cases may have: a runner rejects unknown keys (tests/vectors/README.md). */
const KEYS = {
  'requests.json': ['name', 'description', 'input', 'input_text', 'errors', 'warnings', 'canonical'],
  'updates.json': ['name', 'description', 'current', 'next', 'errors', 'warnings'],
  'responses.json': ['name', 'description', 'kind', 'status', 'body', 'expect', 'expect_error'],
  'next_runs.json': ['name', 'description', 'request', 'created', 'after', 'n', 'expect', 'expect_error'],
  'timezones.json': ['name', 'description', 'local_time', 'week_day', 'zone', 'reference', 'expect', 'expect_error'],
  'plans.json': ['name', 'description', 'desired', 'actual', 'prune', 'expect', 'expect_unmanaged'],
}

/** Runs `check` on every case, collects every failure, and fails once with all of them. */
function everyCase (file, cases, check) {
  const failures = []
  for (const c of cases) {
    const unknown = Object.keys(c).filter((k) => !KEYS[file].includes(k))
    if (unknown.length) { failures.push(`${c.name}: unknown keys ${unknown}`); continue }
    try { check(c) } catch (e) { failures.push(`${c.name}: ${e.message}`) }
  }
  assert.equal(failures.length, 0, `${file}: ${failures.length} of ${cases.length} failed:\n${failures.join('\n')}`)
  assert.ok(cases.length > 0, `${file} has no case`)
  console.log(`vectors: ${file} ${cases.length} passed`)
}

function thrown (fn) {
  try { fn() } catch (e) { return e }
  assert.fail('expected an error')
}

test('requests.json: validate() reports every error and warning; normalizeRequest() gives the canonical form', () => {
  everyCase('requests.json', load('requests.json').cases, (c) => {
    const r = 'input_text' in c ? validateJson(c.input_text) : validate(c.input)
    assert.deepEqual(pc(r.errors), pc(c.errors), 'errors')
    assert.deepEqual(pc(r.warnings), pc(c.warnings), 'warnings')
    assert.equal(r.valid, c.errors.length === 0, 'valid')
    for (const v of [...r.errors, ...r.warnings]) assert.ok(v.message.length > 0, 'every violation has a message')
    if (c.canonical) assert.deepEqual(normalizeRequest(c.input), c.canonical, 'canonical')
  })
})

test('updates.json: validateUpdate()', () => {
  everyCase('updates.json', load('updates.json').cases, (c) => {
    const r = validateUpdate(c.current, c.next)
    assert.deepEqual(pc(r.errors), pc(c.errors), 'errors')
    assert.deepEqual(pc(r.warnings), pc(c.warnings), 'warnings')
  })
})

test('responses.json: decodeResponse() decodes answers and maps error answers', () => {
  everyCase('responses.json', load('responses.json').cases, (c) => {
    if (c.expect_error) {
      const e = thrown(() => decodeResponse(c.kind, c.body, c.status))
      assert.ok(e instanceof QualysCsError, 'a QualysCsError')
      const want = c.expect_error
      assert.equal(e.code, want.code, 'code')
      if ('status' in want) assert.equal(e.status, want.status, 'status')
      if ('qualys_error_code' in want) assert.equal(e.qualysErrorCode ?? null, want.qualys_error_code, 'qualysErrorCode')
      if ('message' in want) assert.equal(e.serverMessage ?? null, want.message, 'serverMessage')
      if ('body' in want) assert.equal(e.body ?? null, want.body, 'body')
      return
    }
    const got = decodeResponse(c.kind, c.body, c.status)
    if (c.kind === 'create') assert.deepEqual(got, { scheduleUuid: c.expect.schedule_uuid })
    else assert.deepEqual(got, c.expect)
  })
})

test('next_runs.json: nextRuns()', () => {
  everyCase('next_runs.json', load('next_runs.json').cases, (c) => {
    if (c.expect_error) {
      const e = thrown(() => nextRuns(c.request, c.created, c.after, c.n))
      assert.ok(e instanceof QualysCsError)
      assert.equal(e.code, c.expect_error)
      return
    }
    assert.deepEqual(instants(nextRuns(c.request, c.created, c.after, c.n)), instants(c.expect))
  })
})

test('timezones.json: localToUtc()', () => {
  everyCase('timezones.json', load('timezones.json').cases, (c) => {
    if (c.expect_error) {
      const e = thrown(() => localToUtc(c.local_time, c.week_day ?? null, c.zone, c.reference))
      assert.ok(e instanceof QualysCsError)
      assert.equal(e.violations[0].code, c.expect_error)
      return
    }
    const got = localToUtc(c.local_time, c.week_day ?? null, c.zone, c.reference)
    const want = c.expect
    assert.equal(got.utcTime, want.utc_time, 'utcTime')
    assert.equal(got.utcWeekDay ?? null, want.utc_week_day, 'utcWeekDay')
    assert.equal(got.dayShift, want.day_shift, 'dayShift')
    assert.equal(got.offsetMinutes, want.offset_minutes, 'offsetMinutes')
    assert.equal(got.warnings.length, want.warnings.length, `warnings: ${JSON.stringify(got.warnings)}`)
    want.warnings.forEach((w, i) => {
      assert.equal(got.warnings[i].code, w.code)
      if (w.contains) assert.ok(got.warnings[i].message.includes(w.contains), `${got.warnings[i].message} lacks ${w.contains}`)
    })
  })
})

test('plans.json: plan()', () => {
  const doc = load('plans.json')
  everyCase('plans.json', doc.cases, (c) => {
    const actual = c.actual.map((a) => ({ registry: doc.registry, schedules: a.schedules }))
    const p = plan(c.desired, actual, { prune: c.prune ?? false, reference: '2026-06-01T00:00:00Z', format: 'json' })
    assert.equal(p.items.length, c.expect.length, `items:\n${p.text}`)
    c.expect.forEach((w, i) => {
      const it = p.items[i]
      assert.deepEqual([it.registry, it.name, it.action], [w.registry, w.name, w.action])
      if (w.fields) assert.deepEqual(it.changes.map((ch) => ch.field), w.fields, 'changed fields')
      if (w.unknown) {
        // Fields the answer did not report: unknown, never equal (spec §6b).
        assert.deepEqual(it.changes.filter((ch) => ch.unknown).map((ch) => ch.field), w.unknown, 'unknown fields')
        assert.ok(it.changes.every((ch) => !ch.unknown || ch.from === null), 'an unknown field has no from value')
      }
      if (w.reason_contains) assert.ok((it.reason ?? '').includes(w.reason_contains), `reason ${it.reason}`)
    })
    assert.equal(p.unmanaged, c.expect_unmanaged ?? 0, 'unmanaged')
    assert.ok(p.text.includes('Plan: '), 'the text rendering has its summary line')
    assert.equal(p.empty, !p.items.some((i) => ['create', 'update', 'replace', 'delete'].includes(i.action)))
  })
})
