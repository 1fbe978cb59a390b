// Type-checked by node/test.sh (tsc --strict, with the README examples and the seed samples):
// the shapes of dts-header.d.ts as a user's code meets them. Not run.
import {
  Client, Emulator, QualysCsError, ScheduleBuilder, nextRuns, scheduleNextRuns,
  type ClientOptions, type EmulatorOptions, type Schedule, type SchedulePage,
} from '../index.js'

export async function check (): Promise<void> {
  const options: ClientOptions = { requestTimeoutMs: 2500, retry: { maxAttempts: 3 }, createRecovery: 'snapshot' }
  const emuOptions: EmulatorOptions = { wire: 'oas2021', tokenTtlMs: 60_000, clockStart: new Date() }
  const emu = await Emulator.start(emuOptions)
  const client: Client = emu.client(options)
  const page: SchedulePage = await client.listSchedules(emu.demoRegistryId, { pageSize: 10 })
  const s: Schedule | undefined = page.data[0]
  if (s) {
    const created: Date | null = s.created
    const raw: string | null | undefined = s.createdRaw
    const runs: Date[] = scheduleNextRuns(s, new Date(), 3)
    console.log(created?.toISOString(), raw, runs.map((d) => d.getTime()))
  }
  const when: Date = emu.advanceClock(1000)
  const runs: Date[] = nextRuns(ScheduleBuilder.daily('d', '01:00').repo('a').build(), when, Date.now(), 2, 'Europe/Berlin')
  try {
    ScheduleBuilder.weekly('w', 'THURSDAY')
  } catch (e) {
    if (e instanceof QualysCsError && e.code === 'validation') console.log(e.violations[0]?.path, runs)
  }
  // @ts-expect-error a misspelt option is a type error too (and a config error at run time)
  new Client({ gatewayUrl: emu.url, requestTimeout: 5 })
  // @ts-expect-error a weekday is one of the known values
  ScheduleBuilder.weekly('w', 'thursday')
  await emu.stop()
}
