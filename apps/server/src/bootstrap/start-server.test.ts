import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { parseEnv } from '../env.ts'
import { createLogger } from '../logging/logger.ts'
import { TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import { type RunningServer, startServer } from './start-server.ts'

const logger = createLogger({ level: 'silent' })
const cliPath = fileURLToPath(new URL('../../bin/ai-cost-profiler.js', import.meta.url))

function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'acp-data-'))
}

describe('startServer on the embedded database', () => {
  const servers: RunningServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close()
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
