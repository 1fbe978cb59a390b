// Smoke test of the installed package through its ESM entry (run from a folder where
// `qualys-cs` was installed from the packed tarball).
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import qualys, { Emulator, QualysCsError, ScheduleBuilder } from 'qualys-cs'

const entry = fileURLToPath(import.meta.resolve('qualys-cs'))
assert.ok(entry.includes('node_modules') && entry.endsWith('index.mjs'), `the ESM entry is used: ${entry}`)
assert.equal(qualys.Emulator, Emulator)
const emu = await Emulator.start()
try {
  const client = emu.client()
  const req = ScheduleBuilder.weekly('smoke-esm', 'FRIDAY').repo('library/alpine').build()
  const { scheduleUuid } = await client.createSchedule(emu.demoRegistryId, req)
  assert.equal((await client.getSchedule(emu.demoRegistryId, scheduleUuid)).name, 'smoke-esm')
  await assert.rejects(client.createSchedule(emu.demoRegistryId, { name: '', filters: [] }), QualysCsError)
  console.log(`smoke (ESM): ok, created ${scheduleUuid} on ${emu.url}`)
} finally {
  await emu.stop()
}
