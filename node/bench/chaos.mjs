// Chaos driver for scripts/chaos.sh: COUNT on-demand creates named PREFIX-<i> on the demo
// registry of the emulator at URL, through ONE qualys-cs Client (default duplicate-proof
// create recovery, a retry policy sized for injected faults), CONCURRENCY in flight.
//
//   node node/bench/chaos.mjs URL COUNT PREFIX [CONCURRENCY]
//
// Prints `node: attempted=N ok=M failed=F ...` last; exits 1 when any create failed.
import { Client } from '../index.js'

const [url, countArg, prefix, concArg] = process.argv.slice(2)
if (!url || !countArg || !prefix) {
  console.error('usage: node node/bench/chaos.mjs URL COUNT PREFIX [CONCURRENCY]')
  process.exit(2)
}
const count = Number(countArg)
const concurrency = Number(concArg ?? 16)
const REGISTRY = 'd3e0c0de-5eed-4a11-9e57-0000000000d0'

const client = new Client({
  gatewayUrl: url,
  username: 'demo_user',
  password: 'demo-password',
  noProxy: true,
  requestTimeoutMs: 1500,
  createSettleWindowMs: 4000,
  retry: { maxAttempts: 12, baseDelayMs: 20, maxDelayMs: 500, maxElapsedMs: 60000 },
  rateLimit: { maxConcurrency: concurrency },
})

let next = 0
let ok = 0
let recovered = 0
const failures = []
const worker = async () => {
  while (next < count) {
    const i = next++
    const name = `${prefix}-${String(i).padStart(5, '0')}`
    try {
      const created = await client.createSchedule(REGISTRY, {
        name, onDemand: true, filters: [{ days: null, repoTags: [{ repo: 'library/nginx', tag: null }] }],
      })
      ok++
      if (created.recovered) recovered++
    } catch (e) {
      failures.push(`create ${name} failed: [${e.code ?? e.name}] ${e.message}`)
    }
  }
}
const started = performance.now()
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
const elapsed = (performance.now() - started) / 1000
for (const f of failures) console.error(f)
console.log(`node: attempted=${count} ok=${ok} failed=${count - ok} recovered_by_lookup=${recovered} elapsed_s=${elapsed.toFixed(2)}`)
process.exit(ok === count ? 0 : 1)
