import { afterEach, describe, expect, it } from 'vitest'
import { openPostgresDatabase } from '../../storage/postgres-database.ts'
import { startFreezingProxy } from '../../testing/freezing-proxy.ts'
import { healthRoutes } from './health-routes.ts'

const opened: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const resource of opened.splice(0)) await resource.close()
})

describe('GET /ready', () => {
  it('answers 503 when the database stops answering on an open connection, not never', async () => {
    const proxy = await startFreezingProxy()
    opened.push(proxy)
    const db = await openPostgresDatabase({ connectionString: proxy.url, poolSize: 1 })
    opened.push(db)
    const app = healthRoutes({ db })
    proxy.freeze()
    // The pool's one connection is open and idle: the probe's statement goes out and gets no answer.
    const response = await app.request('/ready')
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('5')
    expect(await response.json()).toMatchObject({ status: 'not_ready', database: 'unreachable' })
    expect((await app.request('/health')).status).toBe(200)
  })
})
