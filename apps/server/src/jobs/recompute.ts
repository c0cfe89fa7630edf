import { randomUUID } from 'node:crypto'
import {
  addDecimals,
  computeCost,
  formatUsd,
  namesSameModel,
  type PriceOverride,
  parseDecimal,
  ZERO,
} from '@ai-cost-profiler/core'
import { fitsStoredCost, MAX_STORED_COST_USD } from '../ingest/fits-stored-cost.ts'
import type { Logger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import type { JobTrigger } from '../storage/repositories/job-runs-repository.ts'
import { listPriceOverrides, toPriceOverride } from '../storage/repositories/price-overrides-repository.ts'
import {
  applyRepricing,
  type CallToReprice,
  finishRecomputeRun,
  insertRecomputeRun,
  listCallsToReprice,
  listStoredModels,
  type RecomputeModelDiff,
  type Repricing,
  type RepricingCursor,
} from '../storage/repositories/recompute-repository.ts'
import { listProjectRetention } from '../storage/repositories/retention-repository.ts'
import { markHours } from '../storage/repositories/rollups-repository.ts'
import { type DayRunSummary, runDailyAggregation } from './daily-aggregation.ts'
import { JobError } from './job-error.ts'
import type { JobMetrics } from './job-metrics.ts'
import type { JobService } from './job-service.ts'
import { refreshRollupsUnlessRunning } from './refresh-rollups-unless-running.ts'
import { utcDayOf } from './utc-days.ts'

/** Name of the recompute job (its lease keeps two recomputes from running at once). */
export const RECOMPUTE_JOB = 'recompute'

/** Options for `runRecompute`. */
export interface RecomputeOptions {
  db: Database
  logger: Logger
  metrics: JobMetrics
  /** Starts the rollup refresh once prices changed (it may already be running in a server: then it is left to it). */
  jobs: JobService
  fromUtc: string
  toUtc: string
  /** Only calls of this model. */
  model?: string
  /** Only this project (every project when omitted). */
  projectId?: string
  /** Compute and report the diff; change nothing. */
  dryRun?: boolean
  /** How the recompute was started; its rollup refresh and re-aggregation are recorded with it. Default `cli`. */
  trigger?: JobTrigger
  /** Groups the `recompute_runs` and `job_runs` rows of this recompute. Default: a new id. */
  runId?: string
  /** Calls read and written per chunk. Default 2,000. */
  chunkRows?: number
  now?: () => number
  signal?: AbortSignal
}

/** A call whose new price would cost more than one call may be stored with. */
export interface TooLargeCall {
  id: string
  timestamp: string
  provider: string
  model: string
  /** The refused cost. */
  costUsd: string
}

/** How many refused calls a report names; the count covers them all. */
const TOO_LARGE_CALLS_LISTED = 5

/** The recompute of one project. */
export interface RecomputeProjectReport {
  projectId: string
  projectName: string
  scanned: number
  changed: number
  /** Calls whose new cost passed `MAX_STORED_COST_USD`: they are left unpriced. */
  tooLarge: number
  /** The first `TOO_LARGE_CALLS_LISTED` of them, in (timestamp, id) order. */
  tooLargeCalls: TooLargeCall[]
  diff: RecomputeModelDiff[]
}

/** What a recompute did. */
export interface RecomputeSummary {
  runId: string
  dryRun: boolean
  projects: RecomputeProjectReport[]
  /** UTC days re-aggregated because their calls changed (closed days only). */
  days: DayRunSummary[]
  /** False when a server was refreshing rollups already; it picks the changed hours up within its interval. */
  rollupsRefreshed: boolean
  durationMs: number
}

interface ModelTotals {
  provider: string
  model: string
  requests: number
  changed: number
  before: ReturnType<typeof parseDecimal>
  after: ReturnType<typeof parseDecimal>
  /** Calls with a known cost before and after: a sum of none is unknown, not $0. */
  pricedBefore: number
  pricedAfter: number
  newlyPriced: number
}

function repriceCall(call: CallToReprice, overrides: readonly PriceOverride[]): Repricing {
  const cost = computeCost({
    provider: call.provider,
    model: call.model,
    timestamp: call.timestamp,
    serviceTier: call.serviceTier,
    usageEstimated: call.usageEstimated,
    overrides,
    usage: {
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      cacheReadInputTokens: call.cacheReadInputTokens,
      cacheWriteInputTokens: call.cacheWriteInputTokens,
      cacheWrite1hInputTokens: call.cacheWrite1hInputTokens,
      reasoningTokens: call.reasoningTokens,
      inputAudioTokens: call.inputAudioTokens,
      outputAudioTokens: call.outputAudioTokens,
      inputImageTokens: call.inputImageTokens,
      outputImageTokens: call.outputImageTokens,
    },
  })
  return {
    timestamp: call.timestamp,
    id: call.id,
    costUsd: cost.costUsd,
    costStatus: cost.costStatus,
    costBreakdown: cost.breakdown ? JSON.stringify(cost.breakdown) : null,
    priceEntryId: cost.priceEntryId,
    priceSource: cost.priceSource,
  }
}

/**
 * A call whose new cost passed the cap becomes unpriced rather than keeping its previous cost: that cost
 * came from prices the current ones contradict, so keeping it (and its status) would store a number known
 * to be wrong, while an unpriced call stores none, is counted in `unpricedRequests`, and is priced by the
 * next recompute once the price or the token counts are corrected. Ingest refuses such a call outright.
 */
const unpriced = (call: CallToReprice): Repricing => ({
  timestamp: call.timestamp,
  id: call.id,
  costUsd: null,
  costStatus: 'unpriced',
  costBreakdown: null,
  priceEntryId: null,
  priceSource: null,
})

const samePrice = (call: CallToReprice, next: Repricing) =>
  call.costStatus === next.costStatus &&
  call.priceEntryId === next.priceEntryId &&
  call.priceSource === next.priceSource &&
  (call.costUsd === null
    ? next.costUsd === null
    : next.costUsd !== null && formatUsd(parseDecimal(call.costUsd)) === next.costUsd)

async function recomputeProject(
  options: RecomputeOptions,
  project: { projectId: string; projectName: string },
  runId: string,
  touchedDays: Set<string>,
): Promise<RecomputeProjectReport> {
  const { db } = options
  const dryRun = options.dryRun === true
  const recordId = await insertRecomputeRun(db, {
    projectId: project.projectId,
    runId,
    fromUtc: options.fromUtc,
    toUtc: options.toUtc,
    model: options.model,
    dryRun,
  })
  const overrides = (await listPriceOverrides(db, project.projectId)).map(toPriceOverride)
  const byModel = new Map<string, ModelTotals>()
  let scanned = 0
  let changed = 0
  let tooLarge = 0
  const tooLargeCalls: TooLargeCall[] = []
  let after: RepricingCursor | undefined
  try {
    // The model is matched as prices are (a snapshot, an alias or another case of it is the same model,
    // priced by the same override): the ids stored in the range that name it, then an SQL filter on them.
    const { model } = options
    const models =
      model === undefined
        ? undefined
        : (
            await listStoredModels(db, {
              projectId: project.projectId,
              fromUtc: options.fromUtc,
              toUtc: options.toUtc,
            })
          )
            .filter((stored) => namesSameModel(stored.provider, stored.model, model))
            .map((stored) => stored.model)
    // No stored id names the model: nothing to walk.
    while (models?.length !== 0) {
      options.signal?.throwIfAborted()
      const calls = await listCallsToReprice(db, {
        projectId: project.projectId,
        fromUtc: options.fromUtc,
        toUtc: options.toUtc,
        models,
        after,
        limit: options.chunkRows ?? 2_000,
      })
      if (calls.length === 0) break
      const last = calls.at(-1)!
      after = { timestamp: last.timestamp, id: last.id }
      const updates: Repricing[] = []
      const hours = new Set<string>()
      for (const call of calls) {
        let next = repriceCall(call, overrides)
        if (next.costUsd !== null && !fitsStoredCost(next.costUsd)) {
          tooLarge++
          if (tooLargeCalls.length < TOO_LARGE_CALLS_LISTED) {
            const { id, timestamp, provider, model } = call
            tooLargeCalls.push({ id, timestamp, provider, model, costUsd: next.costUsd })
          }
          next = unpriced(call)
        }
        const key = `${call.provider}\u0000${call.model}`
        let totals = byModel.get(key)
        if (!totals) {
          totals = {
            provider: call.provider,
            model: call.model,
            requests: 0,
            changed: 0,
            before: ZERO,
            after: ZERO,
            pricedBefore: 0,
            pricedAfter: 0,
            newlyPriced: 0,
          }
          byModel.set(key, totals)
        }
        totals.requests++
        totals.before = addDecimals(totals.before, parseDecimal(call.costUsd ?? '0'))
        totals.after = addDecimals(totals.after, parseDecimal(next.costUsd ?? '0'))
        if (call.costUsd !== null) totals.pricedBefore++
        if (next.costUsd !== null) totals.pricedAfter++
        if (samePrice(call, next)) continue
        totals.changed++
        if (call.costStatus === 'unpriced' && next.costStatus !== 'unpriced') totals.newlyPriced++
        updates.push(next)
        hours.add(`${call.timestamp.slice(0, 13)}:00:00Z`)
        touchedDays.add(call.timestamp.slice(0, 10))
      }
      scanned += calls.length
      changed += updates.length
      if (!dryRun && updates.length > 0) {
        await db.transaction(async (tx) => {
          await applyRepricing(tx, { projectId: project.projectId, rows: updates })
          await markHours(tx, { projectId: project.projectId, hoursUtc: [...hours] })
        })
      }
    }
  } catch (error) {
    const diff = toDiff(byModel)
    await finishRecomputeRun(db, {
      projectId: project.projectId,
      id: recordId,
      status: 'failed',
      scanned,
      changed,
      diff,
      error: String(error),
    })
    throw error
  }
  const diff = toDiff(byModel)
  await finishRecomputeRun(db, {
    projectId: project.projectId,
    id: recordId,
    status: 'succeeded',
    scanned,
    changed,
    diff,
  })
  if (tooLarge > 0) {
    options.logger.warn('recompute_cost_too_large', {
      runId,
      projectId: project.projectId,
      dryRun,
      tooLarge,
      maxCostUsd: MAX_STORED_COST_USD,
      calls: tooLargeCalls,
    })
  }
  return { ...project, scanned, changed, tooLarge, tooLargeCalls, diff }
}

function toDiff(byModel: Map<string, ModelTotals>): RecomputeModelDiff[] {
  return [...byModel.values()]
    .sort((a, b) =>
      a.provider === b.provider ? (a.model < b.model ? -1 : 1) : a.provider < b.provider ? -1 : 1,
    )
    .map((totals) => ({
      provider: totals.provider,
      model: totals.model,
      requests: totals.requests,
      changed: totals.changed,
      costBeforeUsd: totals.pricedBefore === 0 ? null : formatUsd(totals.before),
      costAfterUsd: totals.pricedAfter === 0 ? null : formatUsd(totals.after),
      deltaUsd: formatUsd(
        addDecimals(totals.after, { coefficient: -totals.before.coefficient, scale: totals.before.scale }),
      ),
      newlyPriced: totals.newlyPriced,
    }))
}

/**
 * Re-prices stored calls in [fromUtc, toUtc) with the current catalogue and each project's overrides, in
 * keyset chunks; writes the changed prices (unless a dry run), refreshes the rollups of touched hours and
 * re-aggregates touched closed days. Each project's before/after diff per model is returned and stored in
 * `recompute_runs`. A call whose new cost passes `MAX_STORED_COST_USD` becomes unpriced and is counted in
 * its project's `tooLarge`.
 * @example
 * const summary = await runRecompute({ db, logger, metrics, jobs, fromUtc: '2025-01-01T00:00:00Z', toUtc: '2025-02-01T00:00:00Z' })
 */
export async function runRecompute(options: RecomputeOptions): Promise<RecomputeSummary> {
  const startedMs = performance.now()
  if (Date.parse(options.toUtc) <= Date.parse(options.fromUtc)) {
    throw new JobError('INVALID_JOB_PARAMS', 'The end of the range must come after its start.')
  }
  const runId = options.runId ?? randomUUID()
  const trigger = options.trigger ?? 'cli'
  const touchedDays = new Set<string>()
  const projects: RecomputeProjectReport[] = []
  for (const project of await listProjectRetention(options.db, { projectId: options.projectId })) {
    projects.push(await recomputeProject(options, project, runId, touchedDays))
  }
  options.logger.info('recompute_repriced', {
    runId,
    dryRun: options.dryRun === true,
    scanned: projects.reduce((sum, project) => sum + project.scanned, 0),
    changed: projects.reduce((sum, project) => sum + project.changed, 0),
    tooLarge: projects.reduce((sum, project) => sum + project.tooLarge, 0),
  })
  let rollupsRefreshed = false
  let days: DayRunSummary[] = []
  if (!options.dryRun && touchedDays.size > 0) {
    rollupsRefreshed = await refreshRollupsUnlessRunning(options.jobs, trigger)
    const today = utcDayOf((options.now ?? Date.now)())
    days = await runDailyAggregation({
      db: options.db,
      logger: options.logger,
      metrics: options.metrics,
      runId,
      trigger,
      days: [...touchedDays].filter((day) => day < today).sort(),
      now: options.now,
      signal: options.signal,
    })
  }
  return {
    runId,
    dryRun: options.dryRun === true,
    projects,
    days,
    rollupsRefreshed,
    durationMs: performance.now() - startedMs,
  }
}
