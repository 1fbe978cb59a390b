// Error fields: every failure is a QualysCsError (instanceof Error) with the core code and the
// HTTP details, from the real emulator.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { Client, Emulator, QualysCsError, normalizeRequest, validate } from '../index.js'

let emu, reg
const fast = { retry: { maxAttempts: 1 } }
const onDemand = (name) => ({ name, filters: [{ repoTags: [{ repo: 'library/nginx' }] }] })

before(async () => {
  emu = await Emulator.start({
    users: [{ username: 'alice', password: 'alice-pw' }],
    usersWithoutPermission: [{ username: 'bob', password: 'bob-pw' }],
  })
  reg = emu.demoRegistryId
})
after(() => emu.stop())
beforeEach(() => emu.reset())

function isQualys (e, code) {
  assert.ok(e instanceof QualysCsError, `a QualysCsError: ${e}`)
  assert.ok(e instanceof Error, 'an Error')
  assert.equal(e.name, 'QualysCsError')
  assert.equal(e.code, code, e.message)
  assert.equal(typeof e.message, 'string')
  assert.ok(typeof e.stack === 'string' && e.stack.startsWith('QualysCsError: '), 'has a stack')
  assert.ok(Array.isArray(e.violations))
  return true
}

test('validation: thrown synchronously by pure functions, rejected by client calls; path + code + message', async () => {
  assert.throws(() => normalizeRequest({ name: 5, filters: 'x' }), (e) => {
    isQualys(e, 'validation')
    assert.deepEqual(e.violations.map((v) => [v.path, v.code]), [['/name', 'wrong_type'], ['/filters', 'wrong_type']])
    assert.ok(e.violations.every((v) => v.message.length > 10))
    assert.match(e.message, /2 problems/)
    assert.equal(e.status, undefined)
    return true
  })
  await assert.rejects(emu.client().getSchedule(reg, 'not-a-uuid'), (e) => isQualys(e, 'validation') && e.violations[0].path === '/scheduleId')
  assert.equal(validate({ name: 'x', filters: [] }).valid, false, 'validate() reports, never throws')
})

test('auth: wrong password is 401 with the Qualys error code', async () => {
  const c = emu.client({ username: 'alice', password: 'wrong-pw', ...fast })
  await assert.rejects(c.listSchedules(reg), (e) => {
    isQualys(e, 'auth')
    assert.equal(e.status, 401)
    assert.equal(e.qualysErrorCode, '401 UNAUTHORIZED')
    assert.ok(e.serverMessage)
    return true
  })
})

test('permission: a user without the CS permission gets 403 with a request id', async () => {
  const c = emu.client({ username: 'bob', password: 'bob-pw', ...fast })
  await assert.rejects(c.listSchedules(reg), (e) => {
    isQualys(e, 'permission')
    assert.equal(e.status, 403)
    assert.equal(e.qualysErrorCode, '403 FORBIDDEN')
    assert.match(e.requestId, /\S+/)
    return true
  })
})

test('not_found: unknown registry is 404 from the server', async () => {
  await assert.rejects(emu.client().getRegistry('889ea97d-5b9c-4e34-9783-a40eae8d8feb'), (e) => {
    isQualys(e, 'not_found')
    assert.equal(e.status, 404)
    assert.match(e.requestId, /\S+/)
    assert.match(e.message, /889ea97d/)
    return true
  })
})

test('rate_limited: 429 carries retryAfterMs', async () => {
  emu.addFault({ kind: 'status', status: 429, retryAfterSec: 3, count: 1, method: 'GET' })
  await assert.rejects(emu.client(fast).listSchedules(reg), (e) => {
    isQualys(e, 'rate_limited')
    assert.equal(e.status, 429)
    assert.equal(e.retryAfterMs, 3000)
    return true
  })
})

test('server: 5xx after the retries are used up; a retried 503 succeeds', async () => {
  emu.addFault({ kind: 'status', status: 500, count: 1, method: 'GET' })
  await assert.rejects(emu.client(fast).listRegistries(), (e) => isQualys(e, 'server') && e.status === 500)
  emu.addFault({ kind: 'status', status: 503, count: 1, method: 'GET' })
  const page = await emu.client({ retry: { maxAttempts: 3, baseDelayMs: 5 } }).listRegistries()
  assert.equal(page.count, 1)
})

test('timeout: an answer slower than requestTimeoutMs', async () => {
  emu.addFault({ kind: 'latency', latencyMs: 1500, count: 1, method: 'GET' })
  const c = emu.client({ requestTimeoutMs: 150, ...fast })
  await assert.rejects(c.listRegistries(), (e) => isQualys(e, 'timeout'))
})

test('transport: nothing listens on the port', async () => {
  const gone = await Emulator.start()
  const url = gone.url
  await gone.stop()
  const c = new Client({ gatewayUrl: url, username: 'u', password: 'p', ...fast, connectTimeoutMs: 2000 })
  await assert.rejects(c.listRegistries(), (e) => isQualys(e, 'transport') && e.notSent === true)
})

test('config: a wrong setting throws at construction, naming the field', () => {
  assert.throws(() => new Client({}), (e) => isQualys(e, 'config') && e.field === 'gatewayUrl')
  assert.throws(() => new Client({ platform: 'US2' }), (e) => isQualys(e, 'config') && e.field === 'credentials')
  assert.throws(() => new Client({ gatewayUrl: emu.url, token: 't', requestTimeoutMs: -1 }), (e) => isQualys(e, 'config') && e.field === 'requestTimeoutMs')
  assert.throws(() => emu.addFault({ kind: 'status', status: 418 }), (e) => isQualys(e, 'config'))
})

test('an error object is a plain Error subclass: catchable by class and by code', async () => {
  const e = await emu.client().getRegistry('889ea97d-5b9c-4e34-9783-a40eae8d8feb').catch((x) => x)
  assert.equal(Object.getPrototypeOf(Object.getPrototypeOf(e)), Error.prototype)
  assert.ok(e instanceof QualysCsError)
  const json = JSON.parse(JSON.stringify(e))
  assert.equal(json.code, 'not_found')
  assert.equal(json.status, 404)
  assert.deepEqual(json.violations, [])
  await assert.rejects(emu.client().createSchedule(reg, onDemand('')), QualysCsError)
})
