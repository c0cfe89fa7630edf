import { type BackfillSummary, MAX_BACKFILL_CONCURRENCY } from '../jobs/backfill.ts'
import { createJobService } from '../jobs/job-service.ts'
import { addUtcDays, listUtcDays, utcDayOf } from '../jobs/utc-days.ts'
import { createLogger } from '../logging/logger.ts'
import { createProgressBar } from '../seed/progress-bar.ts'
import { CliError } from './cli-error.ts'
import { parseCommandOptions, parseCountOption, parseDayOption } from './command-options.ts'
import type { Command } from './main.ts'
import { runCliJob } from './run-cli-job.ts'
import { withMigratedDatabase } from './with-database.ts'
import { withStopSignal } from './with-stop-signal.ts'

/**
 * `backfill --from D --to D [--include-today] [--delay-ms N] [--batch-days N] [--concurrency N] [--json]
 * [--quiet]`: aggregates a range of closed days in batches, with a progress bar on stderr. Resumable, and safe
 * while servers run on the same PostgreSQL.
 */
export const backfillCommand: Command = async (args, { env, print }) => {
  const values = parseCommandOptions('backfill', args, {
    from: { type: 'string' },
    to: { type: 'string' },
    'include-today': { type: 'boolean' },
    'delay-ms': { type: 'string' },
    'batch-days': { type: 'string' },
    concurrency: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
  })
  const fromDay = parseDayOption('from', values.from)
  const toDay = parseDayOption('to', values.to)
  if (fromDay > toDay) throw new CliError(`--from ${fromDay} is after --to ${toDay}.`, 2)
  // --include-today opens the range to the day under way, not to days that have not begun.
  const today = utcDayOf(Date.now())
  if (toDay > today) {
    throw new CliError(
      `--to ${toDay} is after today (${today} UTC): a day that has not begun has nothing to aggregate. End the range at ${addUtcDays(today, -1)}, or at ${today} with --include-today.`,
      2,
    )
  }
  const delayMs = parseCountOption({
    option: 'delay-ms',
    text: values['delay-ms'],
    fallback: 1_000,
    min: 0,
    max: 600_000,
  })
  const batchDays = parseCountOption({
    option: 'batch-days',
    text: values['batch-days'],
    fallback: 7,
    min: 1,
    max: 366,
  })
  const concurrency = parseCountOption({
    option: 'concurrency',
    text: values.concurrency,
    fallback: 1,
    min: 1,
    max: MAX_BACKFILL_CONCURRENCY,
  })
  // Each day in flight holds one connection, and job bookkeeping needs one more.
  if (env.DATABASE_URL && concurrency + 1 > env.ACP_DB_POOL_SIZE) {
    throw new CliError(
      `--concurrency ${concurrency} needs ${concurrency + 1} database connections (one per day in flight, one for bookkeeping); ACP_DB_POOL_SIZE is ${env.ACP_DB_POOL_SIZE}: set it to ${concurrency + 1} or more.`,
      2,
    )
  }
  // Per-day job lines would drown the progress bar: only warnings and failures are logged here.
  const level = env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'silent' ? env.LOG_LEVEL : 'warn'
  const logger = createLogger({ level, write: (line) => process.stderr.write(`${line}\n`) })

  return withStopSignal((stop) =>
    withMigratedDatabase(env, async (db) => {
      const progress = values.quiet
        ? undefined
        : createProgressBar({
            total: listUtcDays(fromDay, toDay).length,
            stream: process.stderr,
            label: 'Aggregated',
            unit: 'days',
          })
      // Run as the server runs it, so job_runs holds the run itself (and marks it abandoned if this
      // process dies), not only its days.
      const { runId, outcome } = await runCliJob({
        jobs: createJobService({ db, logger }),
        name: 'backfill',
        params: {
          from: fromDay,
          to: toDay,
          includeToday: values['include-today'] === true,
          delayMs,
          batchDays,
          concurrency,
        },
        stop,
        hooks: { onProgress: (done) => progress?.update(done) },
      })
      progress?.finish()
      if (outcome.result === undefined) throw new CliError(`Backfill run ${runId} failed: ${outcome.error}`)
      const summary = outcome.result as BackfillSummary
      const peakRssBytes = process.resourceUsage().maxRSS * 1024
      const stopped = summary.stoppedBecause !== undefined
      if (values.json) {
        print(JSON.stringify({ ...summary, fromDay, toDay, peakRssBytes }))
      } else {
        print(
          stopped
            ? `Stopped after ${summary.daysRun} of ${summary.days} day(s) from ${fromDay} to ${toDay} (${summary.stoppedBecause}); ` +
                `${summary.stored} project-day(s) rebuilt. Run the same command again to resume: days already current are skipped.`
            : `Aggregated ${summary.days} day(s) from ${fromDay} to ${toDay} in ${(summary.durationMs / 1_000).toFixed(1)} s: ` +
                `${summary.stored} project-day(s) rebuilt from ${summary.rowsAggregated} raw row(s), the rest already current; ${summary.skipped} day(s) left to a run ` +
                `that held them; peak memory ${Math.round(peakRssBytes / 1_048_576)} MB.`,
        )
        if (summary.unverified > 0)
          print(`${summary.unverified} project-day(s) are unverified: see docs/operations.md.`)
        if (summary.failed.length > 0)
          print(`Failed: ${summary.failed.join(', ')}. Run the same command again to retry them.`)
      }
      return summary.failed.length > 0 || stopped ? 1 : 0
    }),
  )
}
