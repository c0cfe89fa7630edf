import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { SERVER_NODE_FLAGS } from './server-node-flags.ts'

it('npm start runs the server with the flags the benchmark measures', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string }
  }
  const words = manifest.scripts.start.split(/\s+/)
  // `exec`: the shell npm starts the script in becomes node, so a signal sent to npm reaches the server.
  expect(words.slice(0, 2)).toEqual(['exec', 'node'])
  for (const flag of SERVER_NODE_FLAGS) expect(words).toContain(flag)
})
