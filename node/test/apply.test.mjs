// Schedules as code against the emulator: Client.plan + Client.apply (progress, dry run,
// re-apply, update, replace, prune, a failed item) and the waiter on the virtual clock.
//
// Runs once per wire profile of the emulator (`full`, `oas2021`; see wire.mjs). On oas2021
// the server lists schedules without interval, weekday, forceScan, registryType and
// additionalFilters, and registries without a name: the file names the registry by URI there,
// and a re-plan shows `update` with *unknown* fields where full shows `unchanged` (a field the
// server does not report is never taken as equal).
import { test, describe, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { Emulator, QualysCsError } from '../index.js'
import { WIRES, DEMO_REGISTRY_URI, assertNoNullSent, storedSchedules } from './wire.mjs'

for (const wire of WIRES) describe(`wire ${wire}`, () => {
  let emu, client, reg
  before(async () => {
    emu = await Emulator.start({ wire })
    client = emu.client({ retry: { maxAttempts: 1 } })
    reg = emu.demoRegistryId
  })
  after(() => emu.stop())
  beforeEach(() => emu.reset())
  afterEach(() => assertNoNullSent(emu))

  // How the file names the demo registry: by name where the server reports names.
  const ref = wire === 'full' ? 'demo-registry' : DEMO_REGISTRY_URI
  const doc = (daily = '02:00', repo = 'library/alpine', registry = ref) => `
version: 1
registries:
  - registry: "${registry}"
    schedules:
      - name: a-daily
        daily: "${daily}"
        repos: [library/nginx]
      - name: b-weekly
        weekly: {day: MONDAY, at: "03:00"}
        repos: [${repo}]
`
  const count = async () => (await client.listSchedules(reg)).count

  // A re-plan of what was just applied: nothing to do on full; on oas2021 never `unchanged` for
  // a field the server does not report, only updates whose changes are all unknown.
  const assertConverged = (plan, names) => {
    assert.deepEqual(plan.items.map((i) => i.name), names)
    if (wire === 'full') {
      assert.equal(plan.empty, true, plan.text)
      assert.ok(plan.items.every((i) => i.action === 'unchanged'), plan.text)
      return
    }
    assert.equal(plan.empty, false)
    for (const i of plan.items) {
      assert.equal(i.action, 'update', plan.text)
      assert.ok(i.changes.length > 0 && i.changes.every((c) => c.unknown === true && c.from === null), plan.text)
      assert.match(i.reason, /server does not report/)
    }
    const weekly = plan.items.find((i) => i.name === 'b-weekly')
    if (weekly) assert.ok(weekly.changes.some((c) => c.field === 'weekDay'), 'the unreported weekDay is a change')
  }

  test('dry run sends nothing; apply creates with progress; re-apply is a no-op', async () => {
    const p = await client.plan(doc())
    assert.deepEqual(p.items.map((i) => [i.name, i.action, i.registryId]), [['a-daily', 'create', reg], ['b-weekly', 'create', reg]])
    assert.equal(p.summary.create, 2)
    assert.equal(p.empty, false)

    const dry = await client.apply(p, { dryRun: true })
    assert.deepEqual(dry.items.map((i) => i.outcome), ['dry_run', 'dry_run'])
    assert.deepEqual(dry.items[0].requests.map((r) => [r.method, r.path]), [['POST', `/registry/${reg}/schedule`]])
    assert.equal(dry.items[0].requests[0].body.schedule, '02:00')
    assert.equal(await count(), 0, 'the dry run sent no write')

    const progress = []
    const report = await client.apply(p, { concurrency: 2 }, (e) => progress.push(e))
    assert.equal(report.success, true)
    assert.equal(report.applied, 2)
    assert.deepEqual(report.items.map((i) => i.outcome), ['applied', 'applied'])
    assert.ok(report.items.every((i) => /^[0-9a-f-]{36}$/.test(i.scheduleId)))
    assert.equal(progress.length, 2, 'every progress call ran before the Promise resolved')
    assert.deepEqual(progress.map((e) => e.done).sort(), [1, 2])
    assert.ok(progress.every((e) => e.total === 2 && e.ok && e.action === 'create' && e.item.startsWith(`${ref}/`)))
    assert.equal(await count(), 2)
    const byName = Object.fromEntries((await storedSchedules(emu)).map((s) => [s.name, s]))
    assert.equal(byName['b-weekly'].weekDay, 'MONDAY')
    assert.equal(byName['b-weekly'].schedule, '03:00')
    assert.equal(byName['a-daily'].scheduleIntervalInDays, 1)

    const again = await client.plan(doc())
    assertConverged(again, ['a-daily', 'b-weekly'])
    const noop = await client.apply(again)
    assert.equal(noop.success, true)
    // full: nothing sent; oas2021: the same content sent again (update answers 201, empty).
    assert.deepEqual(noop.items.map((i) => i.outcome), wire === 'full' ? ['no_op', 'no_op'] : ['applied', 'applied'])
    const stillByName = Object.fromEntries((await storedSchedules(emu)).map((s) => [s.name, s]))
    assert.deepEqual(Object.keys(stillByName).sort(), ['a-daily', 'b-weekly'])
    assert.equal(stillByName['b-weekly'].scheduleUuid, byName['b-weekly'].scheduleUuid, 'updated in place, not replaced')
    assert.equal(stillByName['b-weekly'].weekDay, 'MONDAY')
  })

  test('a registry named by a name the server does not report is skipped with the reason', async () => {
    const p = await client.plan(doc('02:00', 'library/alpine', 'demo-registry'))
    if (wire === 'full') {
      assert.deepEqual(p.items.map((i) => i.action), ['create', 'create'])
    } else {
      assert.deepEqual(p.items.map((i) => i.action), ['skip', 'skip'])
      assert.ok(p.items.every((i) => /registryName/.test(i.reason)), p.text)
    }
  })

  test('a changed time updates, a changed repo replaces, prune deletes only when asked', async () => {
    await client.apply(await client.plan(doc()))
    await client.createSchedule(reg, { name: 'unmanaged', filters: [{ repoTags: [{ repo: 'team/api' }] }] })
    const p = await client.plan(doc('04:00', 'team/app'))
    assert.deepEqual(p.items.map((i) => [i.name, i.action]), [['a-daily', 'update'], ['b-weekly', 'replace']])
    const known = p.items[0].changes.filter((c) => !c.unknown)
    assert.deepEqual(known.map((c) => [c.field, c.from, c.to]), [['schedule', '02:00', '04:00']])
    assert.equal(p.items[0].changes.some((c) => c.unknown), wire === 'oas2021')
    assert.equal(p.unmanaged, 1)
    const r = await client.apply(p)
    assert.equal(r.applied, 2)
    assert.deepEqual(r.items[1].requests.map((q) => q.method), ['DELETE', 'POST'])
    const names = (await client.listSchedulesAll(reg).collect()).map((s) => s.name).sort()
    assert.deepEqual(names, ['a-daily', 'b-weekly', 'unmanaged'])

    const pruned = await client.plan(doc('04:00', 'team/app'), { prune: true })
    const same = wire === 'full' ? 'unchanged' : 'update'
    assert.deepEqual(pruned.items.map((i) => [i.name, i.action]), [['a-daily', same], ['b-weekly', same], ['unmanaged', 'delete']])
    await client.apply(pruned)
    assert.equal(await count(), 2)
  })

  test('a failed item does not stop the others and carries a QualysCsError', async () => {
    await client.apply(await client.plan(doc()))
    const p = await client.plan(doc('05:00', 'team/app')) // update a-daily, replace b-weekly
    emu.addFault({ kind: 'status', status: 500, method: 'PUT', count: 1 })
    const r = await client.apply(p)
    assert.equal(r.success, false)
    assert.equal(r.failed, 1)
    assert.deepEqual(r.items.map((i) => [i.name, i.outcome]), [['a-daily', 'failed'], ['b-weekly', 'applied']])
    const e = r.items[0].error
    assert.ok(e instanceof QualysCsError)
    assert.equal(e.code, 'server')
    assert.equal(e.status, 500)
    assert.equal(r.items[1].error, undefined)
  })

  test('document problems reject with one validation error naming the line and field', async () => {
    await assert.rejects(client.plan('registries:\n  - registry: demo-registry\n    schedules:\n      - name: x\n        daily: "25:00"\n        repos: [a]\n'), (e) => {
      assert.ok(e instanceof QualysCsError)
      assert.equal(e.code, 'validation')
      assert.deepEqual(e.violations.map((v) => [v.path, v.code]), [['/registries/0/schedules/0/daily', 'invalid_schedule_time']])
      assert.match(e.violations[0].message, /^desired state:5: /)
      return true
    })
  })

  test('waitForSchedule follows the virtual clock; a status never reached times out', async () => {
    const { scheduleUuid: id } = await client.createSchedule(reg, { name: 'w', filters: [{ repoTags: [{ repo: 'library/nginx' }] }] })
    const waiting = client.waitForSchedule(reg, id, { intervalMs: 20, timeoutMs: 10000 })
    setTimeout(() => emu.advanceClock(10_000), 100)
    const done = await waiting
    assert.equal(done.status, 'Completed')
    assert.ok(done.jobCompletionDate)

    const { scheduleUuid: other } = await client.createSchedule(reg, { name: 'x', filters: [{ repoTags: [{ repo: 'library/nginx' }] }] })
    const running = client.waitForSchedule(reg, other, { until: ['Running'], intervalMs: 10, timeoutMs: 5000 })
    setTimeout(() => emu.advanceClock(2000), 50)
    assert.equal((await running).status, 'Running')
    await assert.rejects(client.waitForSchedule(reg, other, { until: ['Paused'], intervalMs: 10, timeoutMs: 150 }),
      (e) => e instanceof QualysCsError && e.code === 'timeout' && /Running/.test(e.message))
  })

  test('a progress callback that throws does not stop the apply', async () => {
    let calls = 0
    const r = await client.apply(await client.plan(doc()), {}, () => { calls++; throw new Error('boom') })
    assert.equal(r.applied, 2)
    assert.equal(calls, 2)
    assert.equal(await count(), 2)
  })
})
