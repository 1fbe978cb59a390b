// Helpers of the end-to-end tests that run against both wire profiles of the emulator:
// `full` (today's documentation) and `oas2021` (Qualys's own 2021 OpenAPI file: schedule list
// items without scheduleIntervalInDays/weekDay/forceScan/registryType/additionalFilters,
// bare-string answers, registries without registryName, and a gateway answering 422 to a
// `null` in a typed field). Not a test file itself (node --test runs test/*.test.mjs).
import assert from 'node:assert/strict'

export const WIRES = ['full', 'oas2021']

/** The demo registry's URI: how to name it where the server reports no registryName. */
export const DEMO_REGISTRY_URI = 'https://registry.demo.example'

/** The emulator's own record of every schedule (every field, whatever the wire profile). */
export async function storedSchedules (emu) {
  return emu.schedules()
}

/** The emulator's own record of one schedule. */
export async function stored (emu, id) {
  const found = (await storedSchedules(emu)).filter((s) => s.scheduleUuid === id)
  assert.equal(found.length, 1, `the emulator stores schedule ${id} once`)
  return found[0]
}

/** JSON pointers of every null in a JSON value. */
function nulls (v, path = '') {
  if (v === null) return [path || '/']
  if (Array.isArray(v)) return v.flatMap((x, i) => nulls(x, `${path}/${i}`))
  if (typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => nulls(x, `${path}/${k}`))
  return []
}

/**
 * No create/update body the client sent holds a null, and the gateway refused none (the
 * oas2021 gateway answers 422 to a null in a typed field such as `days` or `tag`).
 */
export async function assertNoNullSent (emu) {
  const journal = emu.requests()
  for (const r of journal) {
    if (!r.path.includes('/csapi/') || !['POST', 'PUT'].includes(r.method)) continue
    assert.notEqual(r.status, 422, `the gateway refused ${r.method} ${r.path}`)
    if (r.bodyRedacted === undefined) continue // cancel: no body
    assert.deepEqual(nulls(r.bodyRedacted), [], `${r.method} ${r.path} sent nulls: ${JSON.stringify(r.bodyRedacted)}`)
  }
}
