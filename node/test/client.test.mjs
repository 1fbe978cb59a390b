// Every client operation against the in-process emulator (real HTTP on 127.0.0.1, port 0).
//
// The end-to-end tests run once per wire profile of the emulator (`full`, `oas2021`; see
// wire.mjs): one `describe` per profile, the same tests in each. Where the shapes legitimately
// differ (a listed schedule has no weekDay on oas2021, registries no registryName) the
// assertions branch on `wire`; everything else must hold on both, and no request body may
// hold a null (the oas2021 gateway would answer 422).
import { test, describe, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Client, Emulator, QualysCsError, ScheduleBuilder, explain, nextRuns, scheduleNextRuns } from '../index.js'
import { WIRES, DEMO_REGISTRY_URI, assertNoNullSent, stored } from './wire.mjs'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const OTHER = ['0c9e1f4a-3b2d-4e6f-a7b8-c9d0e1f2a3b4', '1d0f2a5b-4c3e-4f70-b8c9-d0e1f2a3b4c5']

const onDemand = (name, repo = 'library/nginx') => ({ name, onDemand: true, filters: [{ days: null, repoTags: [{ repo, tag: null }] }] })
const weekly = (name) => ScheduleBuilder.weekly(name, 'MONDAY').repo('library/nginx').build()

test('emulator: the wire option takes full or oas2021; anything else is a config error naming both', async () => {
  await assert.rejects(Emulator.start({ wire: 'oas2022' }), (e) => {
    assert.ok(e instanceof QualysCsError)
    assert.equal(e.code, 'config')
    assert.equal(e.field, 'wire')
    assert.match(e.message, /full/)
    assert.match(e.message, /oas2021/)
    return true
  })
  const d = await Emulator.start()
  assert.equal(d.wire, 'full')
  await d.stop()
})

test('builder: kinds, options and build() errors', () => {
  assert.deepEqual(ScheduleBuilder.daily('d', '19:30').repoTags('nginx', ['latest', '1.25']).build(), {
    name: 'd', onDemand: false, scheduleIntervalInDays: 1, schedule: '19:30',
    // absent days is omitted, never null (a validating gateway refuses null, spec §6b)
    filters: [{ repoTags: [{ repo: 'nginx', tag: 'latest,1.25' }] }],
  })
  const e = ScheduleBuilder.everyDays('e', 10).repos(['a', 'b']).forceScan(true).latestTags(5).registryType('Azure').build()
  assert.deepEqual(e.additionalFilters, { numberOfTags: 5, sortCriteria: 'createdDate' })
  assert.equal(e.registryType, 'Azure')
  assert.deepEqual(e.filters[0].repoTags.map((t) => t.repo), ['a', 'b'])
  assert.equal(ScheduleBuilder.onDemand('o').repo('x').build().onDemand, true)
  assert.throws(() => ScheduleBuilder.everyDays('e', 3).repo('app').forceScan(true).build(), (err) => {
    assert.ok(err instanceof QualysCsError)
    assert.deepEqual(err.violations.map((v) => v.code), ['force_scan_interval_too_short'])
    return true
  })
  assert.throws(() => ScheduleBuilder.everyDays('e', 400).repo('app').build(), /interval_out_of_range/)
  assert.equal(ScheduleBuilder.daily('', '25:00').buildUnchecked().schedule, '25:00')
  assert.match(explain(weekly('w')), /Monday/)
  assert.deepEqual(nextRuns(weekly('w'), '2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:00:00Z'), 2),
    [new Date('2026-01-05T00:00:00Z'), new Date('2026-01-12T00:00:00Z')])
})

for (const wire of WIRES) describe(`wire ${wire}`, () => {
  let emu, client, reg, dir

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qualys-cs-node-'))
    const config = path.join(dir, 'emulator.json')
    writeFileSync(config, JSON.stringify({
      registries: [
        { registryUuid: OTHER[0], registryName: 'acr-prod', registryUri: 'https://myacr.azurecr.io', registryType: 'Azure', repositories: [{ repoName: 'app', tags: ['v1'] }] },
        { registryUuid: OTHER[1], registryName: 'twin', registryUri: 'https://twin.example' },
      ],
    }))
    emu = await Emulator.start({ configFile: config, wire })
    client = emu.client()
    reg = emu.demoRegistryId
  })
  after(async () => {
    await emu.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  beforeEach(() => emu.reset())
  afterEach(() => assertNoNullSent(emu))

  test('emulator: URL on 127.0.0.1 with a free port, demo registry and credentials', () => {
    assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.ok(emu.port > 0 && emu.url.endsWith(`:${emu.port}`))
    assert.equal(emu.wire, wire)
    assert.match(emu.demoRegistryId, UUID)
    assert.equal(client.gatewayUrl, emu.url)
    assert.equal(client.username, emu.demoUsername)
    assert.ok(emu.demoPassword.length > 0)
  })

  test('createSchedule: a wire-format object and a builder request both create, with warnings', async () => {
    // days: null and tag: null mean "absent": never sent as null (the oas2021 gateway refuses it).
    const a = await client.createSchedule(reg, onDemand('plain-object'))
    assert.match(a.scheduleUuid, UUID)
    assert.deepEqual(a.warnings, [])
    assert.equal(a.recovered, false)
    assert.equal((await stored(emu, a.scheduleUuid)).name, 'plain-object', 'the id returned is the one stored')
    // A weekly run time is no warning (both of Qualys's samples send one); days 90 is.
    const req = ScheduleBuilder.weekly('built', 'THURSDAY').at('06:55').repo('library/nginx').createdWithinDays(90).build()
    const b = await client.createSchedule(reg, req)
    assert.deepEqual(b.warnings.map((w) => w.code), ['days_undocumented'])
    const page = await client.listSchedules(reg)
    assert.equal(page.count, 2)
    assert.deepEqual(page.data.map((s) => s.name).sort(), ['built', 'plain-object'])
    const built = page.data.find((s) => s.name === 'built')
    assert.equal(built.scheduleUuid, b.scheduleUuid)
    assert.equal(built.weekDay ?? null, wire === 'full' ? 'THURSDAY' : null)
    assert.equal(built.scheduleIntervalInDays ?? null, wire === 'full' ? 7 : null)
    assert.equal(built.schedule, '06:55')
    assert.equal(built.filters[0].days, 90)
    assert.equal((await stored(emu, b.scheduleUuid)).weekDay, 'THURSDAY')
  })

  test('a listed schedule: next runs and explain where the timing is reported, not_reported where not', async () => {
    await client.createSchedule(reg, ScheduleBuilder.weekly('wk', 'THURSDAY').at('06:55').repo('app').build())
    const [listed] = (await client.listSchedules(reg)).data
    if (wire === 'full') {
      const runs = scheduleNextRuns(listed, '2026-01-01T00:00:00Z', 2)
      assert.deepEqual(runs.map((t) => new Date(t).getUTCDay()), [4, 4], 'Thursdays')
      assert.match(explain(listed), /^Runs every Thursday at 06:55 UTC/)
    } else {
      // The sparse shape: say what is missing instead of guessing.
      assert.throws(() => scheduleNextRuns(listed, '2026-01-01T00:00:00Z', 2), (e) => {
        assert.ok(e instanceof QualysCsError)
        assert.equal(e.code, 'not_reported')
        assert.deepEqual(e.fields, ['scheduleIntervalInDays', 'weekDay'])
        return true
      })
      assert.match(explain(listed), /does not report/)
    }
  })

  test('createSchedule: an invalid request is refused before sending, with every violation', async () => {
    await assert.rejects(client.createSchedule(reg, { name: ' ', onDemand: false, scheduleIntervalInDays: 400, filters: [] }), (e) => {
      assert.ok(e instanceof QualysCsError)
      assert.equal(e.code, 'validation')
      assert.deepEqual(e.violations.map((v) => v.code), ['name_required', 'interval_out_of_range', 'filters_required'])
      return true
    })
    assert.equal((await client.listSchedules(reg)).count, 0, 'nothing was created')
  })

  test('listSchedules and listSchedulesAll: pages, filter, async iteration across pages', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `s${i}`)
    for (const n of names) await client.createSchedule(reg, onDemand(n))
    const p1 = await client.listSchedules(reg, { pageSize: 3, pageNumber: 3 })
    assert.equal(p1.count, 7)
    assert.equal(p1.data.length, 1)
    emu.clearRequests()
    const seen = []
    for await (const s of client.listSchedulesAll(reg, { pageSize: 3 })) seen.push(s.name)
    assert.deepEqual(seen.sort(), names)
    // The walk fetched pages 1, 2 and 3 (3 + 3 + 1 items) and stopped at the short page.
    const journal = emu.requests()
    const pages = journal.filter((r) => r.method === 'GET' && r.path.endsWith('/schedule')).map((r) => new URLSearchParams(r.query ?? '').get('pageNumber'))
    assert.deepEqual(pages, ['1', '2', '3'])
    const filtered = await client.listSchedulesAll(reg, { filter: 'name:"s3"', pageSize: 2 }).collect()
    assert.deepEqual(filtered.map((s) => s.name), ['s3'])
    // Breaking out early stops the walk without error.
    let first
    for await (const s of client.listSchedulesAll(reg, { pageSize: 2 })) { first = s; break }
    assert.ok(names.includes(first.name))
  })

  test('getSchedule, updateSchedule, deleteSchedule', async () => {
    const { scheduleUuid: id } = await client.createSchedule(reg, weekly('upd'))
    const s = await client.getSchedule(reg, id)
    assert.equal(s.scheduleUuid, id)
    assert.equal(s.status, 'Created')
    // oas2021 answers an update 201 with an empty body: a success, never a decode error.
    const warnings = await client.updateSchedule(reg, id, ScheduleBuilder.weekly('upd', 'FRIDAY').at('03:00').repo('library/nginx').build())
    assert.deepEqual(warnings.map((w) => w.code), [])
    const after = await client.getSchedule(reg, id)
    assert.equal(after.weekDay ?? null, wire === 'full' ? 'FRIDAY' : null)
    assert.equal(after.schedule, '03:00')
    assert.equal((await stored(emu, id)).weekDay, 'FRIDAY', 'the server applied the update')
    // A change Qualys does not allow is refused before sending.
    await assert.rejects(client.updateSchedule(reg, id, ScheduleBuilder.weekly('upd', 'FRIDAY').repo('other').build()),
      (e) => e.code === 'validation' && e.violations.some((v) => v.code === 'immutable_repo'))
    await client.deleteSchedule(reg, id)
    await assert.rejects(client.getSchedule(reg, id), (e) => e.code === 'not_found')
    await assert.rejects(client.deleteSchedule(reg, id), (e) => e.code === 'not_found' && e.status === 404)
  })

  test('cancelSchedule and a running schedule (virtual clock): delete is a conflict', async () => {
    const { scheduleUuid: id } = await client.createSchedule(reg, onDemand('run'))
    emu.advanceClock(2000)
    assert.equal((await client.getSchedule(reg, id)).status, 'Running')
    await assert.rejects(client.deleteSchedule(reg, id), (e) => {
      assert.equal(e.code, 'conflict')
      assert.equal(e.status, 409)
      assert.equal(e.qualysErrorCode, '409 CONFLICT')
      assert.match(e.requestId, /\S/)
      return true
    })
    await client.cancelSchedule(reg, id)
    assert.equal((await client.getSchedule(reg, id)).status, 'Canceled')
  })

  test('bulkDeleteSchedules and bulkCancelSchedules', async () => {
    const ids = []
    for (const n of ['b1', 'b2', 'b3']) ids.push((await client.createSchedule(reg, onDemand(n))).scheduleUuid)
    const c = await client.bulkCancelSchedules(reg, { scheduleIds: [ids[0]] })
    assert.match(c.CancelJobId, UUID)
    emu.advanceClock(1000)
    const d = await client.bulkDeleteSchedules(reg, { filter: 'scheduleUuid:*' })
    assert.match(d.deletionJobId, UUID)
    emu.advanceClock(5000)
    const left = (await client.listSchedules(reg)).data
    assert.ok(left.length < 3, `bulk delete removed schedules (left: ${left.map((s) => `${s.name}:${s.status}`)})`)
    await assert.rejects(client.bulkDeleteSchedules(reg, {}), (e) => e.code === 'validation' && e.violations[0].path === '/scheduleIds')
    await assert.rejects(client.bulkCancelSchedules(reg, { scheduleIds: ['nope'] }), (e) => e.code === 'validation')
  })

  test('registries: listRegistries, listRegistriesAll across pages, getRegistry, findRegistry', async () => {
    const page = await client.listRegistries({ pageSize: 2 })
    assert.equal(page.count, 3)
    assert.equal(page.data.length, 2)
    const all = []
    for await (const r of client.listRegistriesAll({ pageSize: 1 })) all.push(r.registryUuid)
    assert.deepEqual(all.sort(), [reg, ...OTHER].sort())
    const d = await client.getRegistry(OTHER[0])
    assert.equal(d.registryType, 'Azure')
    assert.equal((await client.findRegistry('https://myacr.azurecr.io')).registryUuid, OTHER[0])
    assert.equal((await client.findRegistry(DEMO_REGISTRY_URI)).registryUuid, reg)
    assert.equal((await client.findRegistry(OTHER[1].toUpperCase())).registryUuid, OTHER[1])
    if (wire === 'full') {
      assert.equal(d.registryName, 'acr-prod')
      assert.equal((await client.findRegistry('twin')).registryUuid, OTHER[1])
    } else {
      // No registryName in the 2021 shape: a name cannot match, and the error says so.
      assert.equal(d.registryName ?? null, null)
      await assert.rejects(client.findRegistry('twin'), (e) => e.code === 'not_found' && /registryName/.test(e.message))
    }
    await assert.rejects(client.findRegistry('nope'), (e) => e.code === 'not_found')
    await assert.rejects(client.getRegistry('889ea97d-5b9c-4e34-9783-a40eae8d8feb'), (e) => e.code === 'not_found' && e.status === 404)
  })

  test('repositories: listRepositories and listRepositoriesAll across pages', async () => {
    const page = await client.listRepositories(reg, { pageSize: 3 })
    assert.equal(page.count, 4)
    assert.equal(page.data.length, 3)
    const names = (await client.listRepositoriesAll(reg, { pageSize: 3 }).collect()).map((r) => r.repoName)
    assert.deepEqual(names.sort(), ['library/alpine', 'library/nginx', 'team/api', 'team/app'])
    const nginx = page.data.concat(await client.listRepositoriesAll(reg).collect()).find((r) => r.repoName === 'library/nginx')
    assert.equal(nginx.totalImages, 3)
  })

  test('Client.fromEnv reads QUALYS_* from a given object or the process environment', async () => {
    const c = Client.fromEnv({ QUALYS_GATEWAY_URL: emu.url, QUALYS_USERNAME: emu.demoUsername, QUALYS_PASSWORD: emu.demoPassword })
    assert.equal(c.gatewayUrl, emu.url)
    assert.equal((await c.listRegistries()).count, 3)
    const saved = { ...process.env }
    try {
      process.env.QUALYS_GATEWAY_URL = emu.url
      process.env.QUALYS_USERNAME = emu.demoUsername
      process.env.QUALYS_PASSWORD = emu.demoPassword
      delete process.env.QUALYS_TOKEN
      delete process.env.QUALYS_PLATFORM
      const p = Client.fromEnv()
      assert.equal(p.username, emu.demoUsername)
      assert.equal(Client.fromEnv(process.env).gatewayUrl, emu.url)
      assert.equal((await p.listSchedules(reg)).count, 0)
    } finally {
      for (const k of ['QUALYS_GATEWAY_URL', 'QUALYS_USERNAME', 'QUALYS_PASSWORD']) {
        if (k in saved) process.env[k] = saved[k]; else delete process.env[k]
      }
    }
    assert.throws(() => Client.fromEnv({ QUALYS_PLATFORM: 'MARS1', QUALYS_TOKEN: 't' }), (e) => e.code === 'config' && e.field === 'QUALYS_PLATFORM')
  })

  test('a new Client with a token; with explicit options', async () => {
    const c = new Client({ gatewayUrl: emu.url, username: emu.demoUsername, password: emu.demoPassword, retry: { maxAttempts: 1 }, rateLimit: { maxConcurrency: 4 }, createRecovery: 'assume_unique_names', userAgentSuffix: 'node-test/1' })
    await c.createSchedule(reg, onDemand('opts'))
    assert.equal(c.tokenFetches, 1)
    assert.throws(() => new Client({ gatewayUrl: 'http://example.com', token: 't' }), (e) => e.code === 'config' && e.field === 'gatewayUrl')
  })
})
