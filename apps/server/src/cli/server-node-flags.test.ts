import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { SERVER_NODE_FLAGS } from './server-node-flags.ts'

it('npm start runs the server with the flags the benchmark measures', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string }
  }
  const words = manifest.scripts.start.split(/\s+/)
  expect(words[0]).toBe('node')
  for (const flag of SERVER_NODE_FLAGS) expect(words).toContain(flag)
})
