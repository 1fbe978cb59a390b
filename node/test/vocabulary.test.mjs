// One vocabulary (issue 16): the same scenario, with the same assertions, as
// python/tests/test_vocabulary.py and the Kotlin `vocabulary` tests (bindings/uniffi/kotlin).
// The names of every language are listed in docs/vocabulary.md.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { Emulator, QualysCsError } from '../index.js'

// The second sample body of Qualys's "Create a Registry Schedule" page (valid, no warning).
const SEED_SAMPLE = {
  filters: [{ days: null, repoTags: [{ repo: 'azuretest', tag: null }] }],
  name: 'Automatic Scan Schedule',
  onDemand: false,
  schedule: '09:30',
  forceScan: true,
  registryType: 'Azure',
  scheduleIntervalInDays: 7,
  additionalFilters: { numberOfTags: 5, sortCriteria: 'createdDate' },
  weekDay: 'THURSDAY',
}
const MISSING_SCHEDULE = '00000000-0000-4000-8000-000000000000'
const sample = (changes = {}) => ({ ...structuredClone(SEED_SAMPLE), ...changes })

let emu, client
before(async () => {
  emu = await Emulator.start()
})
after(() => emu.stop())
beforeEach(() => {
  emu.reset()
  client = emu.client()
})

test('vocabulary: create the seed sample, one page vs every page', async () => {
  const reg = emu.demoRegistryId
  const first = await client.createSchedule(reg, sample())
  const second = await client.createSchedule(reg, sample({ name: 'Automatic Scan Schedule 2' }))
  assert.ok(first.scheduleUuid && second.scheduleUuid !== first.scheduleUuid)
  assert.deepEqual(first.warnings, [])

  // listSchedules: ONE page, with the paging info
  const page = await client.listSchedules(reg, { pageSize: 1 })
  assert.equal(page.data.length, 1)
  assert.equal(page.count, 2)
  assert.deepEqual(page.skipped, [])

  // listSchedulesAll: every item, page after page (for await)
  const every = []
  for await (const s of client.listSchedulesAll(reg, { pageSize: 1 })) every.push(s)
  assert.equal(every.length, 2)
  assert.deepEqual(new Set(every.map((s) => s.name)), new Set(['Automatic Scan Schedule', 'Automatic Scan Schedule 2']))
})

test('vocabulary: validation with its path, not_found, a bad enum value with a did-you-mean', async () => {
  const reg = emu.demoRegistryId

  await assert.rejects(client.createSchedule(reg, sample({ scheduleIntervalInDays: 400 })), (e) => {
    assert.ok(e instanceof QualysCsError)
    assert.equal(e.code, 'validation')
    assert.deepEqual(e.violations.map((v) => v.path), ['/scheduleIntervalInDays'])
    assert.equal(e.violations[0].code, 'interval_out_of_range')
    return true
  })

  await assert.rejects(client.getSchedule(reg, MISSING_SCHEDULE), (e) => {
    assert.ok(e instanceof QualysCsError)
    assert.equal(e.code, 'not_found')
    assert.equal(e.retryAfterMs, undefined)
    // the old names are gone
    assert.ok(!('qualysMessage' in e) && !('retryAfterSeconds' in e))
    return true
  })

  await assert.rejects(client.createSchedule(reg, sample({ weekDay: 'thursdy' })), (e) => {
    assert.ok(e instanceof QualysCsError)
    assert.equal(e.code, 'validation')
    assert.deepEqual(e.violations.map((v) => v.path), ['/weekDay'])
    // the core names the valid values; a did-you-mean for a misspelling ("thursdy") is not
    // there yet (core's WeekDay::parse_loose folds case only), so: THURSDAY is named ...
    assert.match(e.violations[0].message, /THURSDAY/)
    assert.match(e.violations[0].message, /"thursdy"/)
    return true
  })
  // ... and the did-you-mean of a wrong case
  await assert.rejects(client.createSchedule(reg, sample({ weekDay: 'thursday' })), (e) => {
    assert.deepEqual(e.violations.map((v) => v.path), ['/weekDay'])
    assert.match(e.violations[0].message, /did you mean THURSDAY/)
    return true
  })
  assert.equal((await client.listSchedules(reg)).count, 0, 'nothing invalid was sent')
})
