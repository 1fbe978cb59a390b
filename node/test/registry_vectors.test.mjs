// tests/vectors/registries.json (issue 17) through the package's exports: the same checks as
// the Rust runner (crates/core/tests/vectors.rs): errors and warnings as (path, code)
// multisets, each with a message and the severity of the core's registry rules, no secret in
// any message, path or redacted form, and the canonical wire form of the valid cases.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { validateRegistry, normalizeRegistryRequest, redactRegistryRequest, registryRules } from '../index.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const vectorsDir = process.env.QUALYS_CS_VECTORS ?? path.resolve(here, '../../tests/vectors')
const cases = JSON.parse(readFileSync(path.join(vectorsDir, 'registries.json'), 'utf8')).cases
const KEYS = ['name', 'description', 'input', 'errors', 'warnings', 'canonical']
const pc = (list) => list.map(({ path, code }) => `${path} ${code}`).sort()

/** Every string under a secret key (any depth), and the user-info of a `registryUri`. */
function secretsIn (v) {
  if (Array.isArray(v)) return v.flatMap(secretsIn)
  if (v === null || typeof v !== 'object') return []
  return Object.entries(v).flatMap(([k, x]) => {
    if (['password', 'accessToken', 'token'].includes(k) && typeof x === 'string' && x) return [x]
    if (k === 'registryUri' && typeof x === 'string') {
      const authority = x.split('://').slice(-1)[0].split('/')[0]
      return authority.includes('@') ? [authority.slice(0, authority.lastIndexOf('@'))] : []
    }
    return secretsIn(x)
  })
}

test('registries.json: validateRegistry() reports every error and warning; canonical forms; no secret shown', () => {
  const failures = []
  for (const c of cases) {
    try {
      const unknown = Object.keys(c).filter((k) => !KEYS.includes(k))
      assert.deepEqual(unknown, [], 'unknown keys')
      const r = validateRegistry(c.input)
      assert.deepEqual(pc(r.errors), pc(c.errors), 'errors')
      assert.deepEqual(pc(r.warnings), pc(c.warnings), 'warnings')
      assert.equal(r.valid, c.errors.length === 0, 'valid')
      const secrets = secretsIn(c.input)
      for (const v of [...r.errors, ...r.warnings]) {
        assert.ok(v.message.length > 0, 'every violation has a message')
        for (const s of secrets) assert.ok(!v.message.includes(s) && !v.path.includes(s), `${v.path} ${v.code} repeats a secret`)
      }
      if (c.canonical) {
        assert.equal(c.errors.length, 0, 'canonical is only for valid cases')
        const canonical = normalizeRegistryRequest(c.input)
        assert.deepEqual(canonical, c.canonical, 'canonical')
        assert.deepEqual(validateRegistry(canonical), r, 'the canonical form validates the same')
        const shown = JSON.stringify(redactRegistryRequest(c.input))
        for (const s of secrets) assert.ok(!shown.includes(s), 'the redacted form shows a secret')
      }
    } catch (e) { failures.push(`${c.name}: ${e.message}`) }
  }
  assert.equal(failures.length, 0, `registries.json: ${failures.length} of ${cases.length} failed:\n${failures.join('\n')}`)
  assert.ok(cases.length >= 40, 'registries.json has at least 40 cases')
  console.log(`vectors: registries.json ${cases.length} passed`)
})

test('registries.json: every registry rule is expected by a case, with the core\'s severity', () => {
  const rules = new Map(registryRules().map((r) => [r.code, r]))
  const used = new Map()
  for (const c of cases) {
    for (const [key, sev] of [['errors', 'error'], ['warnings', 'warning']]) {
      for (const v of c[key]) used.set(v.code, new Set([...(used.get(v.code) ?? []), sev]))
    }
  }
  const problems = []
  for (const [code, sevs] of used) {
    const rule = rules.get(code)
    if (!rule) problems.push(`${code} is not a registry rule`)
    else if (sevs.size !== 1 || !sevs.has(rule.severity)) problems.push(`${code} listed as ${[...sevs]}, the core says ${rule.severity}`)
  }
  for (const [code, rule] of rules) {
    if (!used.has(code)) problems.push(`no case expects ${code}`)
    if (!['doc', 'oas', 'ours'].includes(rule.source)) problems.push(`${code} has source ${rule.source}`)
  }
  assert.deepEqual(problems, [])
})

test('validateRegistry never throws; the other functions name the argument', () => {
  assert.equal(validateRegistry(undefined).valid, false)
  assert.equal(validateRegistry({ registryType: 7 }).errors[0].code, 'wrong_type')
  assert.throws(() => redactRegistryRequest({ registryType: 'V2', registryUri: 7 }), (e) => e.code === 'validation' && e.violations[0].path === '/registryUri')
  assert.throws(() => normalizeRegistryRequest(undefined), (e) => e.code === 'validation' && /request/.test(e.message))
})
