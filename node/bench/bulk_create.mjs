// Bench: bulk create at concurrency 64 through qualys-cs vs a script using Node's built-in
// fetch doing the same calls, against the in-process emulator (127.0.0.1, free port); and the
// time `require('qualys-cs')` takes.
//
//   node bench/bulk_create.mjs            (BENCH_N=1000 creates per run, BENCH_CONCURRENCY=64)
//
// Runs (each creates BENCH_N schedules; the emulator is reset between runs and every run is
// checked to have created exactly BENCH_N schedules):
//   fetch           POST /auth once, then BENCH_N × POST …/schedule, 64 in flight.
//   client(same)    qualys-cs with the same calls: createRecovery 'assume_unique_names' (no
//                   lookup before each POST), limiter maxConcurrency 64.
//   client(default) qualys-cs as shipped: a name lookup before each POST (duplicate-proof
//                   retries: 2 calls per create), limiter maxConcurrency 16.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { Emulator } from '../index.js'

const N = Number(process.env.BENCH_N ?? 1000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64)
const here = path.dirname(fileURLToPath(import.meta.url))

const request = (name) => ({
  name, onDemand: false, scheduleIntervalInDays: 7, weekDay: 'MONDAY',
  filters: [{ days: null, repoTags: [{ repo: 'library/nginx', tag: null }] }],
})

/** Runs `task(i)` for i in 0..n with at most `limit` in flight. */
async function pool (n, limit, task) {
  let next = 0
  const worker = async () => { while (next < n) { const i = next++; await task(i) } }
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker))
}

async function fetchRun (emu, prefix, n) {
  const auth = await fetch(`${emu.url}/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: emu.demoUsername, password: emu.demoPassword, token: 'true' }),
  })
  if (auth.status !== 201) throw new Error(`auth: HTTP ${auth.status}`)
  const token = await auth.text()
  const url = `${emu.url}/csapi/v1.3/registry/${emu.demoRegistryId}/schedule`
  await pool(n, CONCURRENCY, async (i) => {
    const r = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(request(`${prefix}-${i}`)),
    })
    const body = await r.json()
    if (r.status !== 200 || typeof body.scheduleUuid !== 'string') throw new Error(`create: HTTP ${r.status}`)
  })
}

function clientRun (options) {
  return async (emu, prefix, n) => {
    const client = emu.client(options)
    await pool(n, CONCURRENCY, (i) => client.createSchedule(emu.demoRegistryId, request(`${prefix}-${i}`)))
  }
}

async function timed (emu, label, run) {
  emu.reset()
  await run(emu, `${label}-warm`, 64) // warm-up: connections, token, code paths
  emu.reset()
  const t0 = performance.now()
  await run(emu, label, N)
  const ms = performance.now() - t0
  const count = (await emu.client().listSchedules(emu.demoRegistryId, { pageSize: 1 })).count
  if (count !== N) throw new Error(`${label}: ${count} schedules instead of ${N}`)
  return { label, ms, perSec: (N / ms) * 1000 }
}

function requireTime () {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(path.join(here, '..', 'index.js'))});` +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))'
  const runs = Array.from({ length: 7 }, () => Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })))
  runs.sort((a, b) => a - b)
  return { median: runs[3], min: runs[0], max: runs[runs.length - 1] }
}

const emu = await Emulator.start({ rateLimit: { limit: 10_000_000, windowMs: 60_000 } })
try {
  const results = []
  results.push(await timed(emu, 'fetch', fetchRun))
  results.push(await timed(emu, 'client(same)', clientRun({ createRecovery: 'assume_unique_names', rateLimit: { maxConcurrency: CONCURRENCY } })))
  results.push(await timed(emu, 'client(default)', clientRun({})))
  const base = results[0].ms
  console.log(`bulk create: ${N} schedules, concurrency ${CONCURRENCY}, emulator in-process on ${emu.url}`)
  for (const r of results) {
    console.log(`  ${r.label.padEnd(16)} ${r.ms.toFixed(0).padStart(6)} ms  ${r.perSec.toFixed(0).padStart(6)} creates/s  ratio to fetch ${(r.ms / base).toFixed(2)}`)
  }
  const rt = requireTime()
  console.log(`require('qualys-cs'): median ${rt.median.toFixed(1)} ms (min ${rt.min.toFixed(1)}, max ${rt.max.toFixed(1)}, 7 fresh processes)`)
} finally {
  await emu.stop()
}
