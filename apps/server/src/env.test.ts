import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ENV_VARIABLE_NAMES, EnvError, parseEnv } from './env.ts'

describe('parseEnv', () => {
  it('applies the documented defaults', () => {
    const env = parseEnv({ INIT_CWD: '/srv/app' })
    expect(env).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 4000,
      dataDir: '/srv/app/.acp-data',
    })
    expect(env.DATABASE_URL).toBeUndefined()
  })

  it('lists every problem at once', () => {
    try {
      parseEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(EnvError)
      expect((error as EnvError).problems.map((problem) => problem.split(':')[0])).toEqual([
        'PORT',
        'DATABASE_URL',
        'LOG_LEVEL',
      ])
    }
  })

  it('needs a project for an init key', () => {
    expect(() => parseEnv({ ACP_INIT_API_KEY: 'x'.repeat(30) })).toThrow(/ACP_INIT_PROJECT/)
  })

  it('documents every variable in docs/configuration.md and .env.example', () => {
    const root = new URL('../../../', import.meta.url)
    const docs = readFileSync(new URL('docs/configuration.md', root), 'utf8')
    const example = readFileSync(new URL('.env.example', root), 'utf8')
    for (const name of ENV_VARIABLE_NAMES) {
      expect(docs, name).toContain(`| \`${name}\``)
      expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'))
    }
  })

  it('keeps the rollup refresh within a minute', () => {
    expect(parseEnv({}).ACP_ROLLUP_INTERVAL_MS).toBe(20_000)
    expect(() => parseEnv({ ACP_ROLLUP_INTERVAL_MS: '120000' })).toThrow(/ACP_ROLLUP_INTERVAL_MS/)
  })
})
