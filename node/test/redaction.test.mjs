// Secrets never show: util.inspect, JSON.stringify and String() of clients and errors.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { Client, Emulator } from '../index.js'

const PASSWORD = 'Pw-7f3a9-never-print'
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.tok-4c1d-never-print.sig'
let emu
before(async () => { emu = await Emulator.start({ users: [{ username: 'carol', password: PASSWORD }] }) })
after(() => emu.stop())

function noSecret (value, label) {
  const views = [inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? '', String(value)]
  if (value instanceof Error) views.push(value.message, value.stack ?? '')
  for (const v of views) {
    assert.ok(!v.includes(PASSWORD), `${label} shows the password: ${v}`)
    assert.ok(!v.includes(TOKEN) && !v.includes('never-print'), `${label} shows a secret: ${v}`)
  }
  return views
}

test('a client with a password: inspect shows *** and the user, never the password', async () => {
  const c = emu.client({ username: 'carol', password: PASSWORD })
  await c.listRegistries() // logged in: a token exists now
  const [inspected, json] = noSecret(c, 'client')
  assert.match(inspected, /password: \*\*\*/)
  assert.match(inspected, /carol/)
  assert.deepEqual(JSON.parse(json), { gatewayUrl: emu.url, username: 'carol' })
  assert.deepEqual(Object.keys(c), [])
})

test('a client with a token: never shown', () => {
  const c = new Client({ gatewayUrl: emu.url, token: TOKEN })
  const [inspected] = noSecret(c, 'token client')
  assert.match(inspected, /token: \*\*\*/)
  noSecret(Client.fromEnv({ QUALYS_GATEWAY_URL: emu.url, QUALYS_TOKEN: TOKEN }), 'fromEnv client')
})

test('errors carry no secret: refused password, refused token, configuration errors', async () => {
  const wrong = emu.client({ username: 'carol', password: PASSWORD + 'x', retry: { maxAttempts: 1 } })
  noSecret(await wrong.listRegistries().catch((e) => e), 'auth error')
  const badToken = new Client({ gatewayUrl: emu.url, token: TOKEN, retry: { maxAttempts: 1 } })
  const e = await badToken.listRegistries().catch((x) => x)
  assert.equal(e.code, 'auth')
  noSecret(e, 'token auth error')
  let cfg
  try { new Client({ gatewayUrl: `ftp://u:${PASSWORD}@example.com`, token: TOKEN }) } catch (x) { cfg = x }
  assert.equal(cfg.code, 'config')
  noSecret(cfg, 'config error')
  noSecret(new Client({ gatewayUrl: emu.url, proxy: `http://user:${PASSWORD}@127.0.0.1:9`, token: TOKEN }), 'client with proxy credentials')
})
