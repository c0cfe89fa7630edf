import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { runCli } from '../cli/main.ts'
import { EnvError, parseEnv } from '../env.ts'
import { createLogger } from '../logging/logger.ts'
import { openPostgresDatabase } from '../storage/postgres-database.ts'
import { TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import { type RunningServer, startServer } from './start-server.ts'

const logger = createLogger({ level: 'silent' })
const cliPath = fileURLToPath(new URL('../../bin/ai-cost-profiler.js', import.meta.url))

// Every data directory a test made, removed after the file's tests (some tests keep theirs to the end).
const dataDirs: string[] = []
function tempDataDir(): string {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'acp-data-'))
  dataDirs.push(dataDir)
  return dataDir
}
afterAll(() => {
  for (const dataDir of dataDirs.splice(0)) rmSync(dataDir, { recursive: true, force: true })
})

describe('startServer on the embedded database', () => {
  const servers: RunningServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close()
  })

  it('shows the port PORT=0 picked in the info-level "server listening" line only, as docs/configuration.md says', async () => {
    const dataDir = tempDataDir()
    try {
      for (const level of ['info', 'warn'] as const) {
        const lines: string[] = []
        const server = await startServer(
          parseEnv({ PORT: '0', ACP_DATA_DIR: dataDir }),
          createLogger({ level, write: (line) => lines.push(line) }),
          { print: () => {} },
        )
        await server.close()
        const listening = lines
          .map((line) => JSON.parse(line))
          .filter((line) => line.msg === 'server listening')
        expect(listening, level).toEqual(
          level === 'info' ? [expect.objectContaining({ level: 'info', url: server.url })] : [],
        )
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/)
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
    const docs = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8')
    expect(docs).toContain(
      '`0` picks a free port, which only the `server listening` log line shows (its `url`); that line is at level `info`, so with `LOG_LEVEL` `warn`, `error` or `silent` nothing shows the port',
    )
  })

  it('creates project default on first run, prints its key once, and serves it', async () => {
    const dataDir = tempDataDir()
    const printed: string[] = []
    const env = parseEnv({ PORT: '0', ACP_DATA_DIR: dataDir })
    const server = await startServer(env, logger, { print: (text) => printed.push(text) })
    servers.push(server)
    const key = /(acp_[A-Za-z0-9_-]{43})/.exec(printed.join('\n'))?.[1]
    expect(key).toBeDefined()
    expect(printed.join('\n')).toContain(`curl -s ${server.url}/v1/events`)
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' })
    expect(await (await fetch(`${server.url}/ready`)).json()).toMatchObject({
      status: 'ready',
      migrations: 'current',
    })
    const summary = await fetch(`${server.url}/v1/analytics/summary`, {
      headers: { authorization: `Bearer ${key}` },
    })
    expect(summary.status).toBe(200)

    await server.close()
    servers.pop()
    const again: string[] = []
    servers.push(await startServer(env, logger, { print: (text) => again.push(text) }))
    expect(again).toEqual([])
  })

  it('runs the jobs without extra setup: the rollup refresh has run once the server answers for a moment', async () => {
    const server = await startServer(parseEnv({ PORT: '0', ACP_DATA_DIR: tempDataDir() }), logger, {
      print: () => {},
    })
    servers.push(server)
    let metrics = ''
    for (let tries = 0; tries < 500; tries++) {
      metrics = await (await fetch(`${server.url}/metrics`)).text()
      if (/^acp_rollup_last_success_timestamp_seconds \d/m.test(metrics)) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(metrics).toMatch(/^acp_rollup_last_success_timestamp_seconds \d/m)
    expect(metrics).toContain('# TYPE acp_aggregation_last_success_timestamp_seconds gauge')
  })

  it('refuses a second process on the same data folder with a clear message', async () => {
    const dataDir = tempDataDir()
    servers.push(
      await startServer(parseEnv({ PORT: '0', ACP_DATA_DIR: dataDir }), logger, { print: () => {} }),
    )
    const child = spawn(process.execPath, [cliPath, 'serve'], {
      env: { ...process.env, PORT: '0', ACP_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(exitCode).toBe(1)
    expect(stderr).toMatch(new RegExp(`data folder .* is in use by process ${process.pid}`))
  })
})

describe('startServer when it cannot listen', () => {
  it('creates no data folder when the port is taken or HOST is not of this machine', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as AddressInfo
    const dataDir = path.join(tempDataDir(), 'never-made')
    try {
      for (const address of [
        { HOST: '127.0.0.1', PORT: String(port) },
        { HOST: '203.0.113.7', PORT: '4000' },
      ]) {
        const env = parseEnv({ ...address, ACP_DATA_DIR: dataDir, ACP_JOBS_ENABLED: 'false' })
        await expect(startServer(env, logger, { print: () => {} })).rejects.toBeInstanceOf(EnvError)
        expect(existsSync(path.join(dataDir, 'pgdata'))).toBe(false)
      }
    } finally {
      blocker.close()
    }
  })

  it('says which host and port are taken and how to go on, and frees the data folder', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as AddressInfo
    const dataDir = tempDataDir()
    try {
      const env = parseEnv({ PORT: String(port), ACP_DATA_DIR: dataDir, ACP_JOBS_ENABLED: 'false' })
      const refused = startServer(env, logger, { print: () => {} })
      await expect(refused).rejects.toBeInstanceOf(EnvError)
      await expect(refused).rejects.toThrow(
        `Invalid configuration: PORT: cannot listen on 127.0.0.1:${port}: another process already does; stop it, or set PORT to a free port (0 picks one). See docs/configuration.md.`,
      )
      // The failed start let go of the embedded database: another start may take it.
      const started = await startServer(parseEnv({ PORT: '0', ACP_DATA_DIR: dataDir }), logger, {
        print: () => {},
      })
      await started.close()
    } finally {
      blocker.close()
    }
  })

  for (const dialect of ['pglite', 'postgres'] as const) {
    it(`stores no first-run key when it cannot listen, so the next start makes one and prints it [${dialect}]`, async () => {
      const blocker = createServer()
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
      const { port } = blocker.address() as AddressInfo
      const schema = `test_first_run_${process.pid}`
      const database =
        dialect === 'pglite'
          ? { ACP_DATA_DIR: tempDataDir() }
          : { DATABASE_URL: `${TEST_POSTGRES_URL}?options=-c%20search_path%3D${schema}` }
      const admin =
        dialect === 'postgres'
          ? await openPostgresDatabase({ connectionString: TEST_POSTGRES_URL, schema })
          : undefined
      const printed: string[] = []
      const print = (text: string) => void printed.push(text)
      try {
        const busy = parseEnv({ ...database, PORT: String(port), ACP_JOBS_ENABLED: 'false' })
        await expect(startServer(busy, logger, { print })).rejects.toBeInstanceOf(EnvError)
        expect(printed).toEqual([])

        const server = await startServer(
          parseEnv({ ...database, PORT: '0', ACP_JOBS_ENABLED: 'false' }),
          logger,
          {
            print,
          },
        )
        try {
          const key = /(acp_[A-Za-z0-9_-]{43})/.exec(printed.join('\n'))?.[1]
          expect(key).toBeDefined()
          const summary = await fetch(`${server.url}/v1/analytics/summary`, {
            headers: { authorization: `Bearer ${key}` },
          })
          expect(summary.status).toBe(200)
        } finally {
          await server.close()
        }
      } finally {
        blocker.close()
        await admin?.query(`DROP SCHEMA ${schema} CASCADE`)
        await admin?.close()
      }
    })
  }

  it('says Redis cannot be reached at REDIS_URL and why, before it creates the data folder', async () => {
    // A port nothing listens on: the Redis client is refused at once.
    const unused = createServer()
    await new Promise<void>((resolve) => unused.listen(0, '127.0.0.1', resolve))
    const { port } = unused.address() as AddressInfo
    await new Promise<void>((resolve) => unused.close(() => resolve()))
    const dataDir = tempDataDir()
    const env = parseEnv({
      PORT: '0',
      ACP_DATA_DIR: dataDir,
      ACP_JOBS_ENABLED: 'false',
      REDIS_URL: `redis://:secret@127.0.0.1:${port}`,
    })
    const refused = startServer(env, logger, { print: () => {} })
    await expect(refused).rejects.toBeInstanceOf(EnvError)
    await expect(refused).rejects.toThrow(
      new RegExp(
        `^Invalid configuration: REDIS_URL: cannot connect to Redis at 127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED .*\\); start Redis there, or unset REDIS_URL`,
      ),
    )
    await expect(refused).rejects.not.toThrow(/secret/)
    expect(existsSync(path.join(dataDir, 'pgdata'))).toBe(false)
    const started = await startServer(parseEnv({ PORT: '0', ACP_DATA_DIR: dataDir }), logger, {
      print: () => {},
    })
    await started.close()
  })

  it('says a HOST that is no address cannot be listened on', async () => {
    const env = parseEnv({ HOST: '999.1.1.1', PORT: '4123', ACP_DATA_DIR: tempDataDir() })
    await expect(startServer(env, logger, { print: () => {} })).rejects.toThrow(
      /^Invalid configuration: HOST: cannot listen on 999\.1\.1\.1:4123: "999\.1\.1\.1" is not an IP address or a host name that resolves; set HOST to 127\.0\.0\.1/,
    )
  })

  it('serve prints one line without a stack trace and exits with 1', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as AddressInfo
    const restoreEnv = { ...process.env }
    const printed: string[] = []
    vi.spyOn(console, 'error').mockImplementation((text: string) => void printed.push(text))
    try {
      Object.assign(process.env, { PORT: String(port), ACP_DATA_DIR: tempDataDir(), LOG_LEVEL: 'silent' })
      delete process.env.DATABASE_URL
      expect(await runCli(['serve'])).toBe(1)
      expect(printed).toHaveLength(1)
      expect(printed[0]).toMatch(
        new RegExp(`^Error: Invalid configuration: PORT: cannot listen on 127\\.0\\.0\\.1:${port}: [^\\n]+$`),
      )
    } finally {
      vi.restoreAllMocks()
      process.env = restoreEnv
      blocker.close()
    }
  })
})

describe('serve with a revoked ACP_INIT_API_KEY', () => {
  it('stops with one line saying what to do, not a stack trace', async () => {
    const restoreEnv = { ...process.env }
    const printed: string[] = []
    vi.spyOn(console, 'log').mockImplementation((text: string) => void printed.push(text))
    vi.spyOn(console, 'error').mockImplementation((text: string) => void printed.push(text))
    try {
      delete process.env.DATABASE_URL
      Object.assign(process.env, {
        PORT: '0',
        ACP_DATA_DIR: tempDataDir(),
        LOG_LEVEL: 'silent',
        ACP_JOBS_ENABLED: 'false',
        ACP_INIT_PROJECT: 'ip',
        ACP_INIT_API_KEY: 'acp_init_key_0123456789abcdef',
      })
      const server = await startServer(parseEnv(), logger, { print: () => {} })
      await server.close()
      expect(await runCli(['keys', 'list', '--project', 'ip'])).toBe(0)
      const id = /^([0-9a-f-]{36}) /.exec(printed.join('\n'))?.[1]
      expect(await runCli(['keys', 'revoke', '--project', 'ip', '--id', id!])).toBe(0)
      printed.length = 0
      expect(await runCli(['serve'])).toBe(1)
      expect(printed).toEqual([
        'Error: Invalid configuration: ACP_INIT_API_KEY: this key was revoked, and a revoked key is never accepted again; set ACP_INIT_API_KEY to a new value (at least 20 characters), or unset ACP_INIT_PROJECT and ACP_INIT_API_KEY. See docs/configuration.md.',
      ])
    } finally {
      vi.restoreAllMocks()
      process.env = restoreEnv
    }
  })
})

describe('startServer on PostgreSQL with headless init', () => {
  it('creates the init project and key, and keeps them across restarts', async () => {
    const schema = `test_init_${process.pid}`
    const url = `${TEST_POSTGRES_URL}?options=-c%20search_path%3D${schema}`
    const admin = await import('../storage/postgres-database.ts').then((m) =>
      m.openPostgresDatabase({ connectionString: TEST_POSTGRES_URL, schema }),
    )
    try {
      const env = parseEnv({
        PORT: '0',
        DATABASE_URL: url,
        ACP_INIT_PROJECT: 'ci-project',
        ACP_INIT_API_KEY: 'acp_test_key_for_headless_start_1234',
      })
      for (let run = 0; run < 2; run++) {
        const printed: string[] = []
        const server = await startServer(env, logger, { print: (text) => printed.push(text) })
        try {
          expect(printed).toEqual([])
          const response = await fetch(`${server.url}/v1/events`, {
            headers: { authorization: 'Bearer acp_test_key_for_headless_start_1234' },
          })
          expect(response.status).toBe(200)
        } finally {
          await server.close()
        }
      }
      const { rows } = await admin.query<{ count: number }>('SELECT count(*)::int AS count FROM projects')
      expect(rows[0]?.count).toBe(1)
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`)
      await admin.close()
    }
  })
})
