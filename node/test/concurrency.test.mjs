// Many Promises at once on one client: each resolves with its own answer, one token is shared,
// and (with lost answers injected) no schedule is ever created twice.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { Emulator } from '../index.js'

let emu, reg
before(async () => {
  emu = await Emulator.start({ rateLimit: { limit: 100000, windowMs: 60_000 } })
  reg = emu.demoRegistryId
})
after(() => emu.stop())
beforeEach(() => emu.reset())

const req = (name) => ({ name, filters: [{ repoTags: [{ repo: 'library/nginx' }] }] })

test('200 concurrent creates and lists on one client', async () => {
  const client = emu.client({ rateLimit: { maxConcurrency: 32 } })
  const names = Array.from({ length: 200 }, (_, i) => `c-${i}`)
  const [created, pages] = await Promise.all([
    Promise.all(names.map((n) => client.createSchedule(reg, req(n)))),
    Promise.all(Array.from({ length: 20 }, () => client.listRegistries())),
  ])
  assert.equal(new Set(created.map((c) => c.scheduleUuid)).size, 200, 'distinct ids')
  assert.ok(pages.every((p) => p.count === 1))
  const all = await client.listSchedulesAll(reg, { pageSize: 50 }).collect()
  assert.equal(all.length, 200)
  const byName = new Map(all.map((s) => [s.name, s.scheduleUuid]))
  names.forEach((n, i) => assert.equal(byName.get(n), created[i].scheduleUuid, `${n} resolved with its own id`))
  assert.equal(client.tokenFetches, 1, 'one login shared by every call')
})

test('concurrent creates with lost answers (dropped after processing) never duplicate', async () => {
  emu.addFault({ kind: 'drop', stage: 'after', method: 'POST', path: '/csapi/v1.3/registry/*/schedule', probability: 0.15, seed: 7 })
  const client = emu.client({ retry: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 50 }, rateLimit: { maxConcurrency: 16 } })
  const names = Array.from({ length: 60 }, (_, i) => `d-${i}`)
  const created = await Promise.all(names.map((n) => client.createSchedule(reg, req(n))))
  assert.ok(created.some((c) => c.recovered), 'some answers were lost and recovered by name')
  const all = await client.listSchedulesAll(reg).collect()
  assert.equal(all.length, 60, 'exactly one schedule per create')
  assert.equal(new Set(all.map((s) => s.name)).size, 60)
})
