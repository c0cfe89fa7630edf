import { randomBytes } from 'node:crypto'
import { createApp } from '../http/create-app.ts'
import { createIngestService } from '../ingest/ingest-service.ts'
import { type ApiKeyScope, generateApiKey } from '../keys/api-key.ts'
import { createLogger } from '../logging/logger.ts'
import type { MessageBus } from '../messaging/message-bus.ts'
import type { Database } from '../storage/database.ts'
import { insertApiKey } from '../storage/repositories/api-keys-repository.ts'
import { ensureProject } from '../storage/repositories/projects-repository.ts'

/** A fresh project with a key of the given scopes on `db`, and the app in-process. */
export async function createTestApp(
  db: Database,
  options: {
    scopes?: ApiKeyScope[]
    now?: () => number
    bus?: MessageBus
    maxIngestBytesInFlight?: number
  } = {},
) {
  const { project } = await ensureProject(db, `p-${randomBytes(4).toString('hex')}`)
  const key = generateApiKey()
  await insertApiKey(db, {
    projectId: project.id,
    key,
    origin: 'generated',
    scopes: options.scopes ?? ['ingest', 'read'],
  })
  const ingest = createIngestService({ db, groupCommitMs: 1, maxFutureSkewMs: 3_600_000, now: options.now })
  const app = createApp({
    db,
    ingest,
    logger: createLogger({ level: 'silent' }),
    now: options.now,
    bus: options.bus,
    maxIngestBytesInFlight: options.maxIngestBytesInFlight,
  })
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
  return {
    app,
    key,
    project,
    ingest,
    headers,
    /** POSTs `{ events }` and returns status and parsed body. */
    async postEvents(events: unknown[], extraHeaders: Record<string, string> = {}) {
      const response = await app.request('/v1/events', {
        method: 'POST',
        headers: { ...headers, ...extraHeaders },
        body: JSON.stringify({ events }),
      })
      return { status: response.status, body: (await response.json()) as Record<string, unknown>, response }
    },
    async get(path: string) {
      const response = await app.request(path, { headers })
      return { status: response.status, body: (await response.json()) as Record<string, unknown>, response }
    },
  }
}
