// The package itself: both entry points export the same API, the generated types describe every
// field the core emits, and the error class is declared as an Error.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import * as esm from '../index.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const cjs = createRequire(import.meta.url)('../index.js')
const dts = readFileSync(path.join(here, '../index.d.ts'), 'utf8')

/** `export interface Name { ... }` → property names. */
function interfaceProps (name) {
  const m = dts.match(new RegExp(`export interface ${name}(?:<\\w+>)?(?: extends (\\w+)(?:<\\w+>)?)? (?:\\{\\}|\\{([\\s\\S]*?)\\n\\})`))
  assert.ok(m, `index.d.ts declares interface ${name}`)
  const own = [...(m[2] ?? '').matchAll(/^ {2}(\w+)\??:/gm)].map((x) => x[1])
  return new Set([...(m[1] ? interfaceProps(m[1]) : []), ...own])
}

function covered (name, objects) {
  const props = interfaceProps(name)
  for (const o of objects) {
    for (const k of Object.keys(o)) assert.ok(props.has(k), `interface ${name} lacks ${k} (the core emits it)`)
  }
  return props
}

let emu, client
before(async () => { emu = await cjs.Emulator.start(); client = emu.client() })
after(() => emu.stop())

test('the ESM entry exports exactly the runtime values index.d.ts declares, the same objects as CommonJS', () => {
  const declared = new Set([...dts.matchAll(/^export declare (?:class|function) (\w+)/gm)].map((m) => m[1]))
  const esmNames = new Set(Object.keys(esm).filter((k) => k !== 'default'))
  assert.deepEqual([...esmNames].sort(), [...declared].sort())
  for (const k of esmNames) assert.equal(esm[k], cjs[k], k)
  assert.equal(esm.default, cjs)
  assert.match(dts, /export interface QualysCsError extends Error \{/)
  assert.match(cjs.nativeVersion(), /^\d+\.\d+\.\d+/)
  // JSDoc of items declared through macros reads as text (not as Rust raw strings r"…")
  assert.doesNotMatch(dts, /\* r"|\\$/m)
})

test('the generated interfaces name every field of live answers and requests', async () => {
  const reg = emu.demoRegistryId
  const req = cjs.ScheduleBuilder.everyDays('typed', 14).repoTags('library/nginx', ['latest']).createdWithinDays(7).forceScan(true).latestTags(2).registryType('V2').build()
  covered('ScheduleRequest', [req])
  covered('Filter', req.filters)
  covered('RepoTag', req.filters[0].repoTags)
  covered('AdditionalFilters', [req.additionalFilters])
  const created = await client.createSchedule(reg, req)
  covered('Created', [created])
  const page = await client.listSchedules(reg)
  covered('SchedulePage', [page])
  const props = covered('Schedule', page.data)
  for (const k of ['scheduleUuid', 'status', 'jobScanningCompletionDate', 'additionalFilters']) assert.ok(props.has(k))
  covered('Registry', (await client.listRegistries()).data)
  covered('RegistryDetails', [await client.getRegistry(reg)])
  covered('Repository', (await client.listRepositories(reg)).data)
  covered('BulkCancelResponse', [await client.bulkCancelSchedules(reg, { scheduleIds: [created.scheduleUuid] })])
  covered('BulkDeleteResponse', [await client.bulkDeleteSchedules(reg, { filter: 'scheduleUuid:*' })])
  covered('ValidationReport', [cjs.validate(req)])
  covered('Violation', cjs.validate({ name: '', filters: [] }).errors)
  covered('LocalConversion', [cjs.localToUtc('02:00', 'MONDAY', 'Europe/Berlin', '2026-01-10T00:00:00Z')])
  const doc = { registries: [{ registry: reg, schedules: [{ name: 'n', daily: '01:00', repos: ['a'] }] }] }
  const p = cjs.plan(doc, [{ registry: { registryUuid: reg }, schedules: page.data }], { prune: true })
  covered('Plan', [p])
  covered('PlanItem', p.items)
  covered('PlanSummary', [p.summary])
  const progress = []
  const report = await client.apply(await client.plan(doc), { dryRun: true }, (pr) => progress.push(pr))
  assert.equal(progress.length, report.items.length)
  covered('ApplyProgress', progress)
  covered('ApplyReport', [report])
  covered('ItemResult', report.items)
  covered('PlannedRequest', report.items.flatMap((i) => i.requests))
  const e = await client.getSchedule(reg, '889ea97d-5b9c-4e34-9783-a40eae8d8feb').catch((x) => x)
  const classBody = dts.match(/export interface QualysCsError extends Error \{([\s\S]*?)\n\}/)[1]
  for (const k of Object.keys(e)) assert.ok(classBody.includes(`  ${k}`), `QualysCsError declares ${k}`)
})

test('every schedule field of the documented answer (vector) is typed', () => {
  const vectors = JSON.parse(readFileSync(path.join(here, '../../tests/vectors/responses.json'), 'utf8'))
  const c = vectors.cases.find((x) => x.name === 'schedule_page_documented_fields')
  covered('Schedule', cjs.decodeResponse('schedule_page', c.body).data)
  covered('JobError', c.expect.data[0].errors)
})

test('the native module loads in a worker thread too, with its own error class', async () => {
  const code = `
    const { parentPort } = require('node:worker_threads')
    const q = require(${JSON.stringify(path.join(here, '../index.js'))})
    let e
    try { q.normalizeRequest({ name: 1, filters: [] }) } catch (x) { e = x }
    parentPort.postMessage({ isClass: e instanceof q.QualysCsError, isError: e instanceof Error, code: e.code, path: e.violations[0].path })`
  const msg = await new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true })
    w.once('message', resolve)
    w.once('error', reject)
  })
  assert.deepEqual(msg, { isClass: true, isError: true, code: 'validation', path: '/name' })
})
