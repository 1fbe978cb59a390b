// Registries as code through the Node client (issue 17), on both wire shapes: create, update,
// remote validate, connectors, delete, bulk delete; a password never appears in inspect,
// toString, JSON of a result or an error, nor in the emulator's journal.
import { describe, test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { Emulator, QualysCsError, redactRegistryRequest } from '../index.js'
import { WIRES } from './wire.mjs'

const PASSWORD = 'Regi5try-Pa55-9f2c41'
const NEW_PASSWORD = 'Rotated-Pa55-77ab10'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const priv = (password = PASSWORD, uri = 'https://registry.acme.example') => (
  { registryType: 'V2_PRIVATE', registryUri: uri, credential: { username: 'ci-bot', password } })

async function rejection (p) {
  try { await p } catch (e) { return e }
  assert.fail('expected a rejection')
}

const shownAll = (...values) => values.map((v) => `${inspect(v, { depth: 8 })} ${String(v)} ${JSON.stringify(v)}`).join('\n')

for (const wire of WIRES) describe(`wire ${wire}`, () => {
  let emu, client
  before(async () => { emu = await Emulator.start({ wire }); client = emu.client() })
  after(async () => { await emu.stop() })
  beforeEach(() => emu.reset())

  test('registry lifecycle: the password is in no inspect, toString, result, error or journal', async () => {
    const created = await client.createRegistry(priv())
    assert.match(created.registryUuid, UUID)
    assert.equal(created.recovered, false)
    const id = created.registryUuid
    assert.equal((await client.getRegistry(id)).registryUri, 'https://registry.acme.example')
    const dup = await rejection(client.createRegistry(priv()))
    assert.ok(dup instanceof QualysCsError)
    assert.equal((await client.validateRegistry(priv())).valid, false)
    assert.equal((await client.validateRegistry(priv(PASSWORD, 'https://fresh.acme.example'))).valid, true)
    assert.deepEqual(await client.updateRegistry(id, priv(NEW_PASSWORD)), [])
    // Local rules first: a request with errors is never sent.
    emu.clearRequests()
    const bad = await rejection(client.createRegistry({ registryType: 'V2_PRIVATE', registryUri: 'ftp://x', credential: { password: PASSWORD } }))
    assert.equal(bad.code, 'validation')
    assert.ok(bad.violations.some((v) => v.path === '/registryUri'))
    assert.deepEqual(emu.requests().filter((r) => r.method === 'POST' && r.path.includes('/registry')), [])
    await client.deleteRegistry(id)
    assert.equal((await rejection(client.getRegistry(id))).code, 'not_found')

    const redacted = redactRegistryRequest(priv())
    assert.equal(redacted.credential.password, '***')
    const shown = shownAll(created, client, dup, bad, redacted, dup.message, bad.message)
    const journal = JSON.stringify(emu.requests())
    for (const s of [PASSWORD, NEW_PASSWORD]) {
      assert.ok(!shown.includes(s), 'a secret is shown')
      assert.ok(!journal.includes(s), 'a secret is in the journal')
    }
  })

  test('bulkDeleteRegistries and listConnectors; wrong arguments are validation errors naming them', async () => {
    const ids = []
    for (const i of [0, 1]) {
      ids.push((await client.createRegistry({ registryType: 'DockerHub', registryUri: `https://hub${i}.acme.example`, credential: { username: 'u', password: PASSWORD } })).registryUuid)
    }
    assert.ok((await client.bulkDeleteRegistries(ids)).deletionJobId)
    const left = (await client.listRegistries({ pageSize: 100 })).data.map((r) => r.registryUuid)
    assert.deepEqual(left.filter((id) => ids.includes(id)), [])
    const none = await rejection(client.bulkDeleteRegistries([]))
    assert.equal(none.violations[0].path, '/registryIds')
    for (const kind of ['acr', 'aws', 'gcp']) assert.ok((await client.listConnectors(kind)).length > 0, kind)
    assert.ok((await client.listConnectors('aws'))[0].arn)
    const wrongKind = await rejection(client.listConnectors('azure-ish'))
    assert.equal(wrongKind.violations[0].path, '/kind')
    const wrongId = await rejection(client.deleteRegistry(42))
    assert.equal(wrongId.code, 'validation')
    assert.ok(!/rust|String/.test(wrongId.message), wrongId.message)
    assert.ok(!JSON.stringify(emu.requests()).includes(PASSWORD))
  })
})
