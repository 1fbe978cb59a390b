// Writes every ```ts block of README.md to examples/readme/NN.mts, for `tsc --strict --noEmit`.
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const readme = readFileSync(path.join(here, '..', 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1])
if (blocks.length === 0) throw new Error('README.md has no ```ts block')
const out = path.join(here, 'readme')
rmSync(out, { recursive: true, force: true })
mkdirSync(out)
blocks.forEach((code, i) => {
  const name = `example-${String(i + 1).padStart(2, '0')}.mts`
  writeFileSync(path.join(out, name), `// From README.md, block ${i + 1}. Generated: do not edit.\n${code}export {}\n`)
})
console.log(`README.md: ${blocks.length} TypeScript examples written to examples/readme/`)
