// Issue 16 at the native boundary: a wrong type, enum value or option key from JavaScript is
// our QualysCsError (validation with a path, a fix and a did-you-mean; config naming the key and
// the nearest valid one), never a napi status or a Rust name; dates are Dates with the wire value
// kept; util.inspect of a client is readable; ESM exports what CommonJS exports.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { createRequire } from 'node:module'
import * as esm from '../index.mjs'
import {
  Client, Emulator, QualysCsError, ScheduleBuilder, decodeResponse, explain, localToUtc, nextRuns,
  normalizeRequest, plan, scheduleNextRuns, validate, validateUpdate,
} from '../index.js'

const cjs = createRequire(import.meta.url)('../index.js')
const weekly = () => ScheduleBuilder.weekly('w', 'THURSDAY').at('06:55').repo('app').build()
/** What no message may contain: napi statuses, Rust types and Rust spellings of our settings. */
const RUSTY = /InvalidArg|StringExpected|NumberExpected|ObjectExpected|rust type|serde_json|Option<|Vec<|\bu32\b|\bu16\b|_ms\b|request_timeout|allow_insecure_http\(|credentials\(|gateway_url/

let emu, client, reg
before(async () => {
  emu = await Emulator.start()
  reg = emu.demoRegistryId
})
after(() => emu.stop())
beforeEach(() => {
  emu.reset()
  client = emu.client()
})

/** Runs fn (sync or async) and returns the QualysCsError it throws or rejects with. */
async function failure (fn) {
  let e
  try { await fn() } catch (x) { e = x }
  assert.ok(e instanceof QualysCsError, `a QualysCsError, got ${e}`)
  assert.ok(!RUSTY.test(e.message), `no napi/Rust words: ${e.message}`)
  for (const v of e.violations) assert.ok(!RUSTY.test(v.message), `no napi/Rust words: ${v.message}`)
  return e
}

test('a weekday that is not one: validation at /weekDay with the valid values and a did-you-mean', async () => {
  for (const [day, nearest] of [['thursday', 'THURSDAY'], ['thursdy', 'THURSDAY'], ['Mon', null]]) {
    const e = await failure(() => ScheduleBuilder.weekly('w', day))
    assert.equal(e.code, 'validation')
    assert.deepEqual(e.violations.map((v) => [v.path, v.code]), [['/weekDay', 'invalid_week_day']])
    assert.match(e.violations[0].message, /must be one of MONDAY, TUESDAY/)
    assert.match(e.violations[0].message, new RegExp(`got "${day}"`))
    if (nearest) assert.match(e.violations[0].message, new RegExp(`did you mean ${nearest}\\?`))
  }
  assert.equal(ScheduleBuilder.weekly('w', 'THURSDAY').repo('a').build().weekDay, 'THURSDAY')
})

test('arguments of the wrong type: validation naming the argument, what it must be and what it got', async () => {
  const cases = [
    [() => client.createSchedule(undefined, weekly()), '/registryId', /registryId must be a registry UUID \(text\); got undefined/],
    [() => client.createSchedule(reg, undefined), '/request', /request must be a schedule request/],
    [() => client.getSchedule(reg, 42), '/scheduleId', /got 42/],
    [() => client.listSchedulesAll(null).collect(), '/registryId', /got null/],
    [() => ScheduleBuilder.everyDays('e', 'ten'), '/days', /days must be a whole number of days; got "ten"/],
    [() => ScheduleBuilder.onDemand(5), '/name', /got 5/],
    [() => ScheduleBuilder.onDemand('o').repo(['a']), '/repo', /got a list/],
    [() => ScheduleBuilder.onDemand('o').forceScan('yes'), '/on', /true or false/],
    [() => nextRuns(weekly(), 'yesterday', Date.now(), 2), '/created', /a Date, epoch milliseconds or RFC 3339 text/],
    [() => scheduleNextRuns({ scheduleUuid: 'x', name: 'n' }, Date.now(), -1), '/n', /whole number/],
    [() => emu.advanceClock('1s'), '/ms', /milliseconds/],
    [() => decodeResponse('schedule_pgae', '{}'), '/kind', /did you mean schedule_page\?/],
    [() => localToUtc(930, null, 'Europe/Berlin'), '/localTime', /got 930/],
    [() => normalizeRequest(Symbol('x')), '/request', /got undefined/],
    [() => client.apply({ items: 'all' }), '/plan', /plan must be a plan as plan\(\) returned it; got an object/],
  ]
  for (const [fn, path, message] of cases) {
    const e = await failure(fn)
    assert.equal(e.code, 'validation', e.message)
    assert.equal(e.violations[0].path, path, e.message)
    assert.match(e.violations[0].message, message)
  }
  assert.equal((await client.listSchedules(reg)).count, 0, 'nothing was sent')
})

test('misspelt option keys: config naming the key and the nearest valid one', async () => {
  const cases = [
    [() => new Client({ gatewayUrl: emu.url, token: 't', requestTimeout: 5 }), 'requestTimeout', 'requestTimeoutMs'],
    [() => emu.client({ retry: { maxAtempts: 1 } }), 'retry.maxAtempts', 'maxAttempts'],
    [() => Emulator.start({ tokenTtl: 1000 }), 'tokenTtl', 'tokenTtlMs'],
    [() => Emulator.start({ wir: 'full' }), 'wir', 'wire'],
    [() => client.listSchedules(reg, { pageSiz: 2 }), 'pageSiz', 'pageSize'],
    [() => client.bulkDeleteSchedules(reg, { scheduleIdz: [] }), 'scheduleIdz', 'scheduleIds'],
    [() => client.waitForSchedule(reg, '00000000-0000-4000-8000-000000000000', { timeout: 5 }), 'timeout', 'timeoutMs'],
    [() => plan({ registries: [] }, [], { prun: true }), 'prun', 'prune'],
    [() => emu.addFault({ kind: 'status', status: 500, cout: 1 }), 'cout', 'count'],
  ]
  for (const [fn, field, nearest] of cases) {
    const e = await failure(fn)
    assert.equal(e.code, 'config', e.message)
    assert.equal(e.field, field, e.message)
    assert.match(e.message, new RegExp(`did you mean ${nearest}\\?`))
  }
  // the client's own checks speak JavaScript too
  for (const [options, field] of [[{}, 'gatewayUrl'], [{ platform: 'US2' }, 'credentials'],
    [{ gatewayUrl: 'http://example.com', token: 't' }, 'gatewayUrl'], [{ gatewayUrl: emu.url, token: 't', requestTimeoutMs: -1 }, 'requestTimeoutMs']]) {
    const e = await failure(() => new Client(options))
    assert.equal(e.code, 'config')
    assert.equal(e.field, field, e.message)
  }
  // a value of the wrong type names the setting in JavaScript's spelling and what it takes
  const e = await failure(() => new Client({ gatewayUrl: emu.url, token: 't', requestTimeoutMs: 'soon' }))
  assert.equal(e.field, 'requestTimeoutMs')
  assert.match(e.message, /milliseconds/)
  const p = await failure(() => Emulator.start({ port: 'any' }))
  assert.equal(p.field, 'port')
  assert.match(p.message, /port number/)
})

test('util.inspect and String() of a client: readable, JavaScript names, no secret', async () => {
  const c = emu.client()
  await c.listRegistries()
  const shown = inspect(c)
  assert.equal(shown, `Client { gatewayUrl: '${emu.url}', username: '${emu.demoUsername}', password: ***, tokenFetches: 1 }`)
  assert.equal(String(c), shown)
  assert.ok(!shown.includes(emu.demoPassword))
  assert.match(inspect(new Client({ gatewayUrl: emu.url, token: 'secret-token-x' })), /^Client \{ gatewayUrl: '[^']+', token: \*\*\*, tokenFetches: 0 \}$/)
  assert.equal(inspect(emu), `Emulator { url: '${emu.url}', wire: 'full' }`)
})

test('dates: Date objects with the wire value kept in <name>Raw, and read back when given', async () => {
  const before = emu.now()
  assert.ok(before instanceof Date && !Number.isNaN(before.getTime()))
  const { scheduleUuid } = await client.createSchedule(reg, weekly())
  const s = await client.getSchedule(reg, scheduleUuid)
  assert.ok(s.created instanceof Date, `created is a Date: ${s.created}`)
  assert.match(s.createdRaw, /^\d+$/)
  assert.equal(s.created.getTime(), Number(s.createdRaw))
  assert.ok(Math.abs(s.created.getTime() - before.getTime()) < 60_000, 'created on the emulator clock')
  assert.equal(s.jobStartDate, null)
  const page = await client.listSchedules(reg)
  assert.ok(page.data[0].updated instanceof Date)
  for (const r of (await client.listRegistries()).data) {
    if ('created' in r) assert.ok(r.created === null || r.created instanceof Date)
  }
  const later = emu.advanceClock(90_000)
  assert.ok(later instanceof Date)
  assert.equal(later.getTime() - before.getTime(), 90_000)
  // a listed schedule (with its Dates) goes back in as it came out
  const runs = scheduleNextRuns(s, later, 2)
  assert.ok(runs.every((d) => d instanceof Date && d.getUTCDay() === 4 && d > later))
  assert.equal(validateUpdate(s, weekly()).valid, true)
  assert.match(explain(s), /Thursday/)
  // Dates, epoch ms and RFC 3339 text are the same instant
  const a = nextRuns(weekly(), new Date('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T00:00:00Z'), 2)
  const b = nextRuns(weekly(), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 2)
  assert.deepEqual(a, b)
  assert.deepEqual(a, [new Date('2026-01-01T06:55:00Z'), new Date('2026-01-08T06:55:00Z')])
})

test('nextRuns in a time zone: Dates (no [Europe/Berlin] suffix), the same instants; a bad zone is validation', async () => {
  const utc = nextRuns(weekly(), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 3)
  const berlin = nextRuns(weekly(), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 3, 'Europe/Berlin')
  assert.ok(berlin.every((d) => d instanceof Date && !Number.isNaN(d.getTime())))
  assert.deepEqual(berlin, utc)
  assert.equal(berlin[0].toLocaleString('en-GB', { timeZone: 'Europe/Berlin' }), '01/01/2026, 07:55:00')
  const e = await failure(() => nextRuns(weekly(), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 3, 'Europe/Berlim'))
  assert.equal(e.code, 'validation')
})

test('validate() never throws, whatever it is given', () => {
  for (const v of [undefined, null, 5, 'x', [], () => 1, { name: 1n }]) {
    const r = validate(v)
    assert.equal(r.valid, false)
    assert.ok(r.errors.length > 0)
  }
})

test('ESM exports exactly what CommonJS exports, the same objects', () => {
  const esmNames = Object.keys(esm).filter((k) => k !== 'default').sort()
  const cjsNames = Object.keys(cjs).filter((k) => !k.startsWith('__')).sort()
  assert.deepEqual(esmNames, cjsNames)
  for (const k of cjsNames) assert.equal(esm[k], cjs[k], k)
  assert.equal(esm.default, cjs)
})
