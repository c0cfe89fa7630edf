import type { Queryable } from '../../../apps/server/src/storage/database.ts'

/** Options for `seedRawCalls`. */
export interface SeedRawCallsOptions {
  db: Queryable
  projectId: string
  eventCount: number
  /** Calls are spread evenly over this many UTC days, the last one ending at `toUtc`. */
  days: number
  toUtc: string
  /** Rows per INSERT statement (each its own commit). */
  rowsPerStatement: number
  onProgress?: (doneEvents: number) => void
}

/**
 * Writes `eventCount` synthetic calls straight into `llm_calls` with `generate_series`, so ten million rows
 * take minutes rather than the hours an HTTP load would: 3 providers × 2 models × 6 features, 2% errors,
 * 1% unpriced, latencies from 50 ms to 20 s, exact 12-place costs. Deterministic for a given count. The day
 * comes from g / 7, not g, so every day mixes all providers, models and features whatever the day count.
 */
export async function seedRawCalls(options: SeedRawCallsOptions): Promise<{ durationMs: number }> {
  const startedMs = performance.now()
  const fromMs = Date.parse(options.toUtc) - options.days * 86_400_000
  for (let first = 0; first < options.eventCount; first += options.rowsPerStatement) {
    const last = Math.min(options.eventCount, first + options.rowsPerStatement) - 1
    await options.db.query(
      `INSERT INTO llm_calls (project_id, timestamp, provider, model, feature, input_tokens, output_tokens,
         cache_read_input_tokens, reasoning_tokens, latency_ms, status, cost_usd, cost_status, price_entry_id, price_source)
       SELECT $1::uuid,
         $2::timestamptz + ((g / 7) % $3) * interval '1 day' + ((g * 7919) % 86400) * interval '1 second',
         (ARRAY['openai', 'anthropic', 'google'])[1 + g % 3],
         (ARRAY['model-a', 'model-b'])[1 + (g / 3) % 2],
         CASE WHEN g % 6 = 0 THEN NULL ELSE 'feature-' || (g % 6) END,
         1000 + g % 4000, 100 + g % 900, (g % 4) * 200, (g % 3) * 50,
         50 + ((g * 104729) % 20000)::float8,
         CASE WHEN g % 50 = 0 THEN 'error' ELSE 'success' END,
         CASE WHEN g % 100 = 7 THEN NULL ELSE ((1000 + g % 4000) * 0.15 + (100 + g % 900) * 0.6 + (g % 13) * 0.000001) / 1000000 END,
         CASE WHEN g % 100 = 7 THEN 'unpriced' ELSE 'priced' END,
         CASE WHEN g % 100 = 7 THEN NULL ELSE 'bench-price' END,
         CASE WHEN g % 100 = 7 THEN NULL ELSE 'catalogue' END
       FROM generate_series($4::bigint, $5::bigint) AS g`,
      [options.projectId, new Date(fromMs).toISOString(), options.days, first, last],
    )
    options.onProgress?.(last + 1)
  }
  await options.db.query('ANALYZE llm_calls')
  return { durationMs: performance.now() - startedMs }
}
