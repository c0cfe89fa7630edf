import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ENV_VARIABLE_NAMES, EnvError, parseEnv, unknownSettings } from './env.ts'

function problemsOf(source: Record<string, string>): string[] {
  try {
    parseEnv(source)
  } catch (error) {
    if (error instanceof EnvError) return error.problems
    throw error
  }
  return []
}

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

  it('names the ACP_ variables neither the server nor the SDK reads, so a misspelt one is not ignored silently', () => {
    expect(
      unknownSettings({
        ACP_GROUP_COMMIT_MSS: '5',
        ACP_GROUP_COMMIT_MS: '5',
        ACP_ENDPOINT: 'http://127.0.0.1:4000',
        ACP_API_KEY: 'acp_key',
        ACP_TEST_DATABASE_URL: 'postgres://127.0.0.1/test',
        ACP_DATA_DIR: '/data',
        ACP_DATADIR: '/data',
        PORT: '4000',
      }),
    ).toEqual(['ACP_DATADIR', 'ACP_GROUP_COMMIT_MSS'])
  })

  it('needs a project for an init key', () => {
    expect(() => parseEnv({ ACP_INIT_API_KEY: 'x'.repeat(30) })).toThrow(/ACP_INIT_PROJECT/)
  })

  it('needs a key for an init project, which could take no events without one', () => {
    expect(problemsOf({ ACP_INIT_PROJECT: 'shop' })).toEqual([
      expect.stringMatching(/^ACP_INIT_PROJECT: needs ACP_INIT_API_KEY, the key to create for it/),
    ])
  })

  it('lists the missing init project with the other problems, not on the next run', () => {
    const problems = problemsOf({ PORT: 'abc', ACP_INIT_API_KEY: 'acp_init_key_0123456789' })
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['PORT', 'ACP_INIT_API_KEY'])
    expect(problems[1]).toMatch(/needs ACP_INIT_PROJECT/)
  })

  it('reads an empty or blank variable as unset, so its default applies', () => {
    const env = parseEnv({
      PORT: '',
      HOST: ' ',
      ACP_DB_POOL_SIZE: '',
      ACP_GROUP_COMMIT_MS: '',
      ACP_MAX_FUTURE_SKEW_MS: '  ',
      ACP_ROLLUP_INTERVAL_MS: '',
      LOG_LEVEL: '',
      ACP_JOBS_ENABLED: '',
      ACP_INIT_PROJECT: '',
      ACP_INIT_API_KEY: '',
    })
    expect(env).toMatchObject({
      PORT: 4000,
      HOST: '127.0.0.1',
      ACP_DB_POOL_SIZE: 10,
      ACP_GROUP_COMMIT_MS: 2,
      ACP_MAX_FUTURE_SKEW_MS: 3_600_000,
      ACP_ROLLUP_INTERVAL_MS: 20_000,
      LOG_LEVEL: 'info',
      ACP_JOBS_ENABLED: true,
    })
    expect(env.ACP_INIT_PROJECT).toBeUndefined()
  })

  it('takes whole numbers in decimal digits only', () => {
    expect(parseEnv({ PORT: '0' }).PORT).toBe(0)
    expect(parseEnv({ PORT: ' 4001 ' }).PORT).toBe(4001)
    for (const port of ['0x10', '1e3', '16.0', '-1', '+80', '0b1', 'abc', '65536']) {
      expect(problemsOf({ PORT: port }), port).toEqual([
        expect.stringMatching(/^PORT: must be a whole number from 0 to 65535/),
      ])
    }
  })

  it('says a single problem on one line', () => {
    expect(() => parseEnv({ PORT: '0x10' })).toThrow(
      new EnvError(['PORT: must be a whole number from 0 to 65535, written in decimal digits']),
    )
    expect(new EnvError(['PORT: x']).message).toBe(
      'Invalid configuration: PORT: x. See docs/configuration.md.',
    )
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

  it('refuses an init key no Authorization header could carry, with the other problems and what a key looks like', () => {
    const rule =
      'ACP_INIT_API_KEY: must be printable characters without spaces, ASCII (letters, digits and punctuation such as - _ . ~) or Latin-1, as it is sent in an "Authorization: Bearer <key>" header; e.g. the output of `openssl rand -hex 32`'
    for (const key of [
      'has space in the key 1234567',
      'ключ-ключ-ключ-ключ-ключ',
      'tab\there-0123456789abc',
      'no\u00a0break-space-0123456789',
      'c1\u0085control-0123456789abc',
    ]) {
      expect(problemsOf({ PORT: 'abc', ACP_INIT_PROJECT: 'shop', ACP_INIT_API_KEY: key }), key).toEqual([
        expect.stringMatching(/^PORT: /),
        rule,
      ])
    }
    // Too short and malformed: both said at once.
    expect(problemsOf({ ACP_INIT_PROJECT: 'shop', ACP_INIT_API_KEY: 'short key' })).toEqual([
      'ACP_INIT_API_KEY: must be at least 20 characters',
      rule,
    ])
    const key = 'Abc-_.~+/=!0123456789xyz'
    expect(parseEnv({ ACP_INIT_PROJECT: 'shop', ACP_INIT_API_KEY: ` ${key} ` }).ACP_INIT_API_KEY).toBe(key)
    // Latin-1 letters read back as sent (an earlier release took such keys: they still start).
    const latin1 = 'clé-secrète-0123456789abcdef'
    expect(parseEnv({ ACP_INIT_PROJECT: 'shop', ACP_INIT_API_KEY: latin1 }).ACP_INIT_API_KEY).toBe(latin1)
  })

  it('names 1 and 0 with true and false for a boolean, as docs/configuration.md does', () => {
    expect(problemsOf({ ACP_JOBS_ENABLED: 'yes', ACP_READY_FAILS_WHEN_STALE: 'maybe' })).toEqual([
      'ACP_JOBS_ENABLED: must be true or false (or 1 or 0)',
      'ACP_READY_FAILS_WHEN_STALE: must be true or false (or 1 or 0)',
    ])
    expect(parseEnv({ ACP_JOBS_ENABLED: '0', ACP_READY_FAILS_WHEN_STALE: '1' })).toMatchObject({
      ACP_JOBS_ENABLED: false,
      ACP_READY_FAILS_WHEN_STALE: true,
    })
  })

  it('says the whole project name rule, the first character included', () => {
    expect(problemsOf({ ACP_INIT_PROJECT: '-abc', ACP_INIT_API_KEY: 'acp_init_key_0123456789' })).toEqual([
      'ACP_INIT_PROJECT: must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit',
    ])
  })

  it('refuses a DATABASE_URL that is no URL, listed with the other problems', () => {
    for (const url of ['postgres://u@127.0.0.1:99999/x', 'postgres://u@h:abc/x', 'postgresql://[::1/x']) {
      expect(problemsOf({ PORT: 'eighty', DATABASE_URL: url }), url).toEqual([
        expect.stringMatching(/^PORT: /),
        'DATABASE_URL: must be a URL such as postgres://USER:PASSWORD@HOST:5432/DATABASE: a port from 0 to 65535, an IPv6 address in brackets ([::1]), special characters of the user and password percent-encoded',
      ])
    }
    // The forms the PostgreSQL client reads: a socket folder instead of a host, a space in the password, IPv6.
    for (const url of [
      'postgres://app@/acp?host=/var/run/postgresql',
      'postgres:///acp',
      'postgres://app:two words@db.internal/acp',
      'postgresql://app:p%40ss@[::1]:6432/acp?sslmode=disable',
    ]) {
      expect(parseEnv({ DATABASE_URL: url }).DATABASE_URL, url).toBe(url)
    }
  })

  it('trims LOG_LEVEL like every other variable', () => {
    expect(parseEnv({ LOG_LEVEL: 'info ' }).LOG_LEVEL).toBe('info')
    expect(parseEnv({ LOG_LEVEL: '\tdebug' }).LOG_LEVEL).toBe('debug')
  })

  it('keeps the rollup refresh within a minute', () => {
    expect(parseEnv({}).ACP_ROLLUP_INTERVAL_MS).toBe(20_000)
    expect(() => parseEnv({ ACP_ROLLUP_INTERVAL_MS: '120000' })).toThrow(/ACP_ROLLUP_INTERVAL_MS/)
  })
})
