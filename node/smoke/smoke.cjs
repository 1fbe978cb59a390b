// Smoke test of the installed package through its CommonJS entry (run from a folder where
// `qualys-cs` was installed from the packed tarball).
const assert = require('node:assert/strict')
const { Emulator, QualysCsError, ScheduleBuilder, validate } = require('qualys-cs')

;(async () => {
  assert.ok(require.resolve('qualys-cs').includes('node_modules'), 'the installed package is used')
  const emu = await Emulator.start()
  try {
    const client = emu.client()
    const req = ScheduleBuilder.daily('smoke-cjs', '19:30').repo('library/nginx').build()
    assert.equal(validate(req).valid, true)
    const { scheduleUuid } = await client.createSchedule(emu.demoRegistryId, req)
    const names = []
    for await (const s of client.listSchedulesAll(emu.demoRegistryId)) names.push(s.name)
    assert.deepEqual(names, ['smoke-cjs'])
    const e = await client.getSchedule(emu.demoRegistryId, 'nope').catch((x) => x)
    assert.ok(e instanceof QualysCsError && e instanceof Error && e.code === 'validation')
    console.log(`smoke (CommonJS): ok, created ${scheduleUuid} on ${emu.url}`)
  } finally {
    await emu.stop()
  }
})().catch((e) => { console.error('smoke (CommonJS) FAILED:', e); process.exit(1) })
