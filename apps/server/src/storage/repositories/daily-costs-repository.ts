import { sumUsd } from '@ai-cost-profiler/core'
import type { Queryable } from '../database.ts'
import { listUnsettledUtcDays } from './analytics-repository.ts'
import { LATENCY_BUCKET_BOUNDS_MS, LATENCY_BUCKET_COUNT, latencyPercentileMs } from './latency-histogram.ts'
import { USAGE_SUM_COLUMNS, type UsageTotals } from './usage-sum-columns.ts'

/** How far a day's numbers can be trusted. */
export type DayVerification = 'verified' | 'unverified' | 'stale' | 'pending'

/** One local day of a project's costs. */
export interface DailyCost extends UsageTotals {
  /** The local calendar day, `YYYY-MM-DD`. */
  date: string
  costUsd: string
  requests: number
  errors: number
  estimatedRequests: number
  unpricedRequests: number
  latencyP50Ms: number | null
  latencyP95Ms: number | null
  /** `daily-aggregate`: a verified UTC aggregate; `hourly-rollup`: rollups plus the open hour read raw. */
  source: 'daily-aggregate' | 'hourly-rollup'
  /** UTC days only (aggregates are kept per UTC day); null in other time zones. */
  verification: DayVerification | null
}

interface DayRow extends UsageTotals {
  date: string
  costUsd: string
  requests: number
  errors: number
  estimatedRequests: number
  unpricedRequests: number
  histogram: number[] | null
}

const TOTALS = (prefix: string) =>
  `COALESCE(sum(${prefix}cost_usd), 0)::numeric(38, 12)::text AS "costUsd", COALESCE(sum(${prefix}requests), 0)::float8 AS requests,
   COALESCE(sum(${prefix}errors), 0)::float8 AS errors, COALESCE(sum(${prefix}estimated_requests), 0)::float8 AS "estimatedRequests",
   COALESCE(sum(${prefix}unpriced_requests), 0)::float8 AS "unpricedRequests",
   ${USAGE_SUM_COLUMNS.map(([field, column]) => `COALESCE(sum(${prefix}${column}), 0)::float8 AS "${field}"`).join(', ')}`

// An hour belongs to the local day in which it starts. Hourly buckets cannot split an hour, so in zones whose
// offset is not whole (Asia/Kolkata +05:30, Asia/Kathmandu +05:45) a day runs from the first whole UTC hour
// starting at or after local midnight: up to 45 minutes of calls are counted in the neighbouring day.
const LOCAL_DAY = `to_char(hour_utc AT TIME ZONE $4, 'YYYY-MM-DD')`

interface RollupDayRow extends Omit<DayRow, 'histogram'> {
  /** Non-empty latency buckets of the day (1-based, as `unnest ... WITH ORDINALITY` numbers them) and counts. */
  histogramBuckets: number[] | null
  histogramCounts: number[] | null
}

async function readRollupDays(
  db: Queryable,
  input: { projectId: string; fromDay: string; toDay: string; timeZone: string; openHourUtc: string },
): Promise<DayRow[]> {
  // The local date is computed once per rollup row, and only non-empty histogram buckets are summed: most of
  // the 81 are empty, and summing every one of them for a long range would dominate the query.
  const { rows } = await db.query<RollupDayRow>(
    `WITH hours AS (
       SELECT *, ${LOCAL_DAY} AS local_date FROM llm_call_hourly_rollups
       WHERE project_id = $1 AND hour_utc <> $5::timestamptz
         AND hour_utc >= ($2::date::timestamp AT TIME ZONE $4) - interval '1 hour'
         AND hour_utc < (($3::date + 1)::timestamp AT TIME ZONE $4) + interval '1 hour'
         AND (hour_utc AT TIME ZONE $4)::date BETWEEN $2::date AND $3::date),
     totals AS (SELECT local_date AS date, ${TOTALS('')} FROM hours GROUP BY 1),
     buckets AS (SELECT local_date AS date, bucket, sum(n) AS n
                 FROM hours, unnest(latency_histogram) WITH ORDINALITY AS h(n, bucket) WHERE n > 0 GROUP BY 1, 2),
     histograms AS (SELECT date, array_agg(bucket::int ORDER BY bucket) AS buckets, array_agg(n::float8 ORDER BY bucket) AS counts
                    FROM buckets GROUP BY date)
     SELECT totals.*, histograms.buckets AS "histogramBuckets", histograms.counts AS "histogramCounts"
     FROM totals LEFT JOIN histograms USING (date) ORDER BY date`,
    [input.projectId, input.fromDay, input.toDay, input.timeZone, input.openHourUtc],
  )
  return rows.map(({ histogramBuckets, histogramCounts, ...row }) => {
    if (!histogramBuckets || !histogramCounts) return { ...row, histogram: null }
    const histogram = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
    histogramBuckets.forEach((bucket, index) => {
      histogram[bucket - 1] = histogramCounts[index] ?? 0
    })
    return { ...row, histogram }
  })
}

/** The open hour (not yet closed, so not read from rollups), summed from raw rows. */
async function readOpenHour(
  db: Queryable,
  input: { projectId: string; openHourUtc: string; timeZone: string },
): Promise<DayRow | undefined> {
  const { rows } = await db.query<DayRow & { requests: number }>(
    `WITH calls AS (
       SELECT *, 1 AS requests, (status = 'error')::int AS errors, (cost_status = 'estimated')::int AS estimated_requests,
         (cost_status = 'unpriced')::int AS unpriced_requests
       FROM llm_calls WHERE project_id = $1 AND timestamp >= $2::timestamptz AND timestamp < $2::timestamptz + interval '1 hour')
     SELECT to_char($2::timestamptz AT TIME ZONE $3, 'YYYY-MM-DD') AS date, ${TOTALS('')},
       ARRAY(SELECT COALESCE(h.n, 0)::float8 FROM generate_series(0, $5::int - 1) AS g(i)
             LEFT JOIN (SELECT width_bucket(latency_ms, $4::float8[]) AS b, count(*) AS n FROM calls
                        WHERE latency_ms IS NOT NULL GROUP BY 1) AS h ON h.b = g.i ORDER BY g.i) AS histogram
     FROM calls`,
    [input.projectId, input.openHourUtc, input.timeZone, LATENCY_BUCKET_BOUNDS_MS, LATENCY_BUCKET_COUNT],
  )
  const row = rows[0]
  return row && row.requests > 0 ? row : undefined
}

interface AggregateDayRow extends UsageTotals {
  date: string
  status: 'verified' | 'unverified'
  costUsd: string
  requests: number
  errors: number
  estimatedRequests: number
  unpricedRequests: number
}

async function readAggregateDays(
  db: Queryable,
  input: { projectId: string; fromDay: string; toDay: string },
): Promise<AggregateDayRow[]> {
  const { rows } = await db.query<AggregateDayRow>(
    `SELECT to_char(d.day, 'YYYY-MM-DD') AS date, d.status, ${TOTALS('a.')}
     FROM daily_aggregate_days d LEFT JOIN llm_call_daily_aggregates a ON a.project_id = d.project_id AND a.day = d.day
     WHERE d.project_id = $1 AND d.day BETWEEN $2::date AND $3::date GROUP BY d.day, d.status ORDER BY d.day`,
    [input.projectId, input.fromDay, input.toDay],
  )
  return rows
}

function addRows(a: DayRow, b: DayRow): DayRow {
  const sum = { ...a }
  for (const key of [
    'requests',
    'errors',
    'estimatedRequests',
    'unpricedRequests',
    ...USAGE_SUM_COLUMNS.map(([field]) => field),
  ] as const) {
    sum[key] = a[key] + b[key]
  }
  sum.costUsd = sumUsd([a.costUsd, b.costUsd])
  const histogram = a.histogram ?? b.histogram
  sum.histogram =
    a.histogram && b.histogram
      ? a.histogram.map((count, index) => count + (b.histogram?.[index] ?? 0))
      : histogram
  return sum
}

/** Options for `listDailyCosts`. */
export interface ListDailyCostsInput {
  projectId: string
  /** First and last local day, both included. */
  fromDay: string
  toDay: string
  /** An IANA zone name, validated by the caller. */
  timeZone: string
  /** The current time: the hour containing it is still open and is read raw. */
  nowUtc: string
}

/** True for every name of UTC (`UTC`, `Etc/UTC`, `GMT`, `Zulu`, `utc`, …): their days are UTC days. */
function isUtcZone(timeZone: string): boolean {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone === 'UTC'
  } catch {
    return false
  }
}

/**
 * A project's costs per local day, from the hourly rollups (closed hours) and the raw rows of the open hour;
 * never a raw scan of a closed period. For UTC, each day is matched against its daily aggregate: a verified
 * aggregate that agrees with the rollups is served as `verified`; otherwise the day says why it is not.
 */
export async function listDailyCosts(db: Queryable, input: ListDailyCostsInput): Promise<DailyCost[]> {
  const openHourMs = Math.floor(Date.parse(input.nowUtc) / 3_600_000) * 3_600_000
  const openHourUtc = new Date(openHourMs).toISOString()
  const days = new Map<string, DayRow>()
  for (const row of await readRollupDays(db, { ...input, openHourUtc })) days.set(row.date, row)
  const open = await readOpenHour(db, { projectId: input.projectId, openHourUtc, timeZone: input.timeZone })
  if (open && open.date >= input.fromDay && open.date <= input.toDay) {
    const seen = days.get(open.date)
    days.set(open.date, seen ? addRows(seen, open) : open)
  }
  const isUtc = isUtcZone(input.timeZone)
  const aggregates = isUtc ? await readAggregateDays(db, input) : []
  // Days with calls the rollups do not reflect yet (a late call before the next refresh): an aggregate
  // that agrees with their rollups is behind the calls too.
  const unsettled = aggregates.length > 0 ? await listUnsettledUtcDays(db, input) : new Set<string>()
  const aggregateByDay = new Map(aggregates.map((row) => [row.date, row]))
  for (const aggregate of aggregates) {
    // A day aggregated before its rollups existed (rollups came later, or were lost) is served from the aggregate.
    if (!days.has(aggregate.date) && aggregate.status === 'verified')
      days.set(aggregate.date, { ...aggregate, histogram: null })
  }

  return [...days.values()]
    .sort((a, b) => (a.date < b.date ? -1 : 1))
    .map(({ histogram, ...row }) => {
      const aggregate = aggregateByDay.get(row.date)
      let verification: DayVerification | null = null
      let source: DailyCost['source'] = 'hourly-rollup'
      let totals: Omit<DayRow, 'histogram'> = row
      if (isUtc) {
        const agrees =
          aggregate !== undefined && aggregate.costUsd === row.costUsd && aggregate.requests === row.requests
        if (!aggregate) verification = 'pending'
        else if (aggregate.status === 'unverified') verification = 'unverified'
        else if (!agrees || unsettled.has(row.date)) verification = 'stale'
        else {
          verification = 'verified'
          source = 'daily-aggregate'
          const { status: _status, ...aggregateTotals } = aggregate
          totals = aggregateTotals
        }
      }
      return {
        ...totals,
        latencyP50Ms: histogram ? latencyPercentileMs(histogram, 0.5) : null,
        latencyP95Ms: histogram ? latencyPercentileMs(histogram, 0.95) : null,
        source,
        verification,
      }
    })
}
