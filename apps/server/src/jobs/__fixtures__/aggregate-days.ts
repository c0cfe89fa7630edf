import { randomUUID } from 'node:crypto'
import { createLogger } from '../../logging/logger.ts'
import type { Database } from '../../storage/database.ts'
import type { JobTrigger } from '../../storage/repositories/job-runs-repository.ts'
import { runDailyAggregation } from '../daily-aggregation.ts'
import { JobMetrics } from '../job-metrics.ts'

/** Runs the daily aggregation of `days` as the CLI would (or as `trigger` says), silently, with the clock at `now()`. */
export function aggregateDays(db: Database, days: string[], now: () => number, trigger: JobTrigger = 'cli') {
  return runDailyAggregation({
    db,
    logger: createLogger({ level: 'silent' }),
    metrics: new JobMetrics(),
    runId: randomUUID(),
    trigger,
    days,
    now,
  })
}
