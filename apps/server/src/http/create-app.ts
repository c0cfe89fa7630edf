import { Hono } from 'hono'
import type { IngestService } from '../ingest/ingest-service.ts'
import { createJobService, type JobService } from '../jobs/job-service.ts'
import type { Logger } from '../logging/logger.ts'
import type { MessageBus } from '../messaging/message-bus.ts'
import { guardedByBreaker } from '../resilience/guarded-by-breaker.ts'
import type { Database } from '../storage/database.ts'
import type { Migration } from '../storage/migrator.ts'
import { ApiError } from './api-error.ts'
import { createErrorHandler } from './handle-error.ts'
import { type AuthVariables, authenticate } from './middleware/authenticate.ts'
import { analyticsRoutes } from './routes/analytics-routes.ts'
import { dailyCostsRoutes } from './routes/daily-costs-routes.ts'
import { eventsRoutes } from './routes/events-routes.ts'
import { healthDataRoutes } from './routes/health-data-routes.ts'
import { healthRoutes } from './routes/health-routes.ts'
import { jobsRoutes } from './routes/jobs-routes.ts'
import { metricsRoutes } from './routes/metrics-routes.ts'
import { priceOverridesRoutes } from './routes/price-overrides-routes.ts'
import { retentionRoutes } from './routes/retention-routes.ts'

/** What the HTTP app needs; `createApp` builds nothing else, so tests call it in-process. */
export interface AppDependencies {
  db: Database
  ingest: IngestService
  logger: Logger
  /** Cross-process fan-out (Redis when configured); optional for single-process use and tests. */
  bus?: MessageBus
  /** Starts jobs on request; one without a schedule is made when omitted. */
  jobs?: JobService
  /** `/ready` answers 503 while aggregated data is stale (ACP_READY_FAILS_WHEN_STALE). */
  readyFailsWhenStale?: boolean
  /** The migrations the server applied at start-up, which `/ready` compares the database with. */
  migrations?: Migration[]
  /** Bytes of ingest bodies in flight before new batches get 503 SERVER_BUSY; 32 MB by default. */
  maxIngestBytesInFlight?: number
  now?: () => number
}

/**
 * The HTTP API. Every error, thrown anywhere, is rendered by one handler.
 * @example
 * const app = createApp({ db, ingest, logger })
 * const response = await app.request('/health')
 */
export function createApp(dependencies: AppDependencies) {
  const app = new Hono()
  app.onError(createErrorHandler(dependencies.logger))
  app.notFound(() => {
    throw new ApiError(404, 'NOT_FOUND', 'No such endpoint. See docs/api.md for the list.')
  })
  const jobs =
    dependencies.jobs ??
    createJobService({ db: dependencies.db, logger: dependencies.logger, now: dependencies.now })
  app.route(
    '/',
    healthRoutes({
      db: dependencies.db,
      now: dependencies.now,
      readyFailsWhenStale: dependencies.readyFailsWhenStale,
      migrations: dependencies.migrations,
    }),
  )
  app.route('/', metricsRoutes({ db: dependencies.db, metrics: jobs.metrics, now: dependencies.now }))

  const v1 = new Hono<{ Variables: AuthVariables }>()
  // An ingest request's key, when not in the cache, is looked up behind the database's breaker: with
  // the database down, each is answered 503 at once instead of waiting for a connection. Other routes'
  // look-ups are not: the breaker opens on failed writes too (a lock held on the calls table), which
  // need not stop reads.
  const ingestKeys = guardedByBreaker(dependencies.db, dependencies.ingest.breaker)
  v1.use(
    '*',
    authenticate({
      db: (method, path) => (method === 'POST' && path === '/v1/events' ? ingestKeys : dependencies.db),
      bus: dependencies.bus,
    }),
  )
  v1.route(
    '/events',
    eventsRoutes({
      db: dependencies.db,
      ingest: dependencies.ingest,
      maxBytesInFlight: dependencies.maxIngestBytesInFlight,
    }),
  )
  v1.route('/analytics', analyticsRoutes({ db: dependencies.db, now: dependencies.now }))
  v1.route('/analytics/daily', dailyCostsRoutes({ db: dependencies.db, now: dependencies.now }))
  v1.route('/health/data', healthDataRoutes({ db: dependencies.db, now: dependencies.now }))
  v1.route('/jobs', jobsRoutes({ db: dependencies.db, jobs }))
  v1.route('/retention', retentionRoutes({ db: dependencies.db }))
  v1.route(
    '/price-overrides',
    priceOverridesRoutes({ db: dependencies.db, ingest: dependencies.ingest, bus: dependencies.bus }),
  )
  app.route('/v1', v1)
  return app
}
