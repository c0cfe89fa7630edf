import { expect, it } from 'vitest'
import { createProject } from '../jobs/__fixtures__/call-rows.ts'
import { createJobService } from '../jobs/job-service.ts'
import { createLogger } from '../logging/logger.ts'
import { createRedisMessageBus } from '../messaging/redis-message-bus.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { createIngestService, type IngestService } from './ingest-service.ts'
import { RETENTION_CUT_MOVED_CHANNEL, shareRetentionCutMoves } from './retention-cutoff-cache.ts'

const TEST_REDIS_URL = process.env.ACP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const logger = createLogger({ level: 'silent' })
// 30 days of retention cut at 2025-05-16T00:00Z.
const now = () => Date.parse('2025-06-15T10:00:00Z')

const call = (idempotencyKey: string, timestamp: string) => ({
  idempotencyKey,
  timestamp,
  provider: 'openai',
  model: 'gpt-4o-mini',
  usage: { inputTokens: 1_000, outputTokens: 100 },
})

describeEachDatabase('retention cut cache', (getDb) => {
  it('refuses calls before the new cut at once in the process that ran retention, and in every process sharing Redis', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await db.query('UPDATE projects SET retention_days = 30 WHERE id = $1', [projectId])
    const busA = await createRedisMessageBus(TEST_REDIS_URL)
    const busB = await createRedisMessageBus(TEST_REDIS_URL)
    const processes: IngestService[] = []
    try {
      const ingestA = createIngestService({ db, groupCommitMs: 1, maxFutureSkewMs: 3_600_000, now })
      const ingestB = createIngestService({ db, groupCommitMs: 1, maxFutureSkewMs: 3_600_000, now })
      processes.push(ingestA, ingestB)
      const jobs = createJobService({
        db,
        logger,
        now,
        onRetentionCutMoved: await shareRetentionCutMoves(ingestA.retentionCutoffs, busA),
      })
      await shareRetentionCutMoves(ingestB.retentionCutoffs, busB)
      const heardByB = new Promise<void>((resolve) => {
        void busB.subscribe(RETENTION_CUT_MOVED_CHANNEL, () => resolve())
      })
      // Both caches hold "no cut yet" for the next 30 s.
      for (const [index, ingest] of processes.entries()) {
        const primed = await ingest.ingest(projectId, [call(`prime-${index}`, '2025-06-15T09:00:00Z')])
        expect(primed).toMatchObject({ accepted: 1, errors: [] })
      }

      const { done } = await jobs.start('retention', { projectId }, 'api')
      expect(await done).toMatchObject({
        status: 'succeeded',
        result: [{ cutoffUtc: '2025-05-16T00:00:00.000Z', rows: { llm_calls: 0 } }],
      })
      const refused = { accepted: 0, errors: [{ index: 0, code: 'TIMESTAMP_TOO_OLD' }] }
      expect(await ingestA.ingest(projectId, [call('late-a', '2025-05-15T10:00:00Z')])).toMatchObject(refused)
      await heardByB
      expect(await ingestB.ingest(projectId, [call('late-b', '2025-05-15T10:00:00Z')])).toMatchObject(refused)
    } finally {
      for (const ingest of processes) await ingest.drain()
      await busA.close()
      await busB.close()
    }
  })
})
