import { MAX_STORED_COST_USD } from '../ingest/fits-stored-cost.ts'
import { createJobService } from '../jobs/job-service.ts'
import type { RecomputeSummary } from '../jobs/recompute.ts'
import { addUtcDays, utcDayOf } from '../jobs/utc-days.ts'
import { CliError } from './cli-error.ts'
import { parseCommandOptions, parseDayOption, parseProjectOption, requireProject } from './command-options.ts'
import type { Command } from './main.ts'
import { runCliJob } from './run-cli-job.ts'
import { withCurrentDatabase, withMigratedDatabase } from './with-database.ts'
import { withStopSignal } from './with-stop-signal.ts'

type RecomputeModelDiff = RecomputeSummary['projects'][number]['diff'][number]

// The columns of the diff table; the first is aligned left, the others right.
const DIFF_COLUMNS: ReadonlyArray<readonly [heading: string, cell: (row: RecomputeModelDiff) => string]> = [
  ['provider/model', (row) => `${row.provider}/${row.model}`],
  ['requests', (row) => String(row.requests)],
  ['changed', (row) => String(row.changed)],
  ['cost before', (row) => row.costBeforeUsd ?? 'unpriced'],
  ['cost after', (row) => row.costAfterUsd ?? 'unpriced'],
  ['delta', (row) => (row.deltaUsd.startsWith('-') ? row.deltaUsd : `+${row.deltaUsd}`)],
  ['newly priced', (row) => String(row.newlyPriced)],
]

/**
 * The lines of a project's diff table, each column as wide as its widest cell: a fine-tuned model's name
 * passes 60 characters, and a sum of 10^9 USD 20.
 */
function diffTableLines(diff: readonly RecomputeModelDiff[]): string[] {
  const rows = [
    DIFF_COLUMNS.map(([heading]) => heading),
    ...diff.map((row) => DIFF_COLUMNS.map(([, cell]) => cell(row))),
  ]
  const widths = DIFF_COLUMNS.map((_, column) => Math.max(...rows.map((cells) => cells[column]?.length ?? 0)))
  const align = (text: string, column: number) =>
    column === 0 ? text.padEnd(widths[column] ?? 0) : text.padStart(widths[column] ?? 0)
  return rows.map((cells) => `  ${cells.map(align).join('  ')}`)
}

/**
 * `recompute --from D --to D [--model M] [--project NAME] [--dry-run] [--json]`: re-prices the calls of those
 * UTC days (both included) with today's catalogue and overrides and prints the before/after diff per model.
 * Runs as the `recompute` job, so it holds the same lease as one started with `POST /v1/jobs/recompute/run`.
 */
export const recomputeCommand: Command = async (args, { env, logger, print }) => {
  const values = parseCommandOptions('recompute', args, {
    from: { type: 'string' },
    to: { type: 'string' },
    model: { type: 'string' },
    project: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  })
  const fromDay = parseDayOption('from', values.from)
  const toDay = parseDayOption('to', values.to)
  if (fromDay > toDay) throw new CliError(`--from ${fromDay} is after --to ${toDay}.`, 2)
  const projectName = values.project === undefined ? undefined : parseProjectOption(values.project)
  const dryRun = values['dry-run'] === true

  // A dry run changes no call: it leaves the schema as it is, and refuses one this version does not expect.
  const withRunDatabase = dryRun ? withCurrentDatabase : withMigratedDatabase
  return withStopSignal((stop) =>
    withRunDatabase(env, async (db) => {
      const project = projectName === undefined ? undefined : await requireProject(db, projectName)
      const { runId, outcome, stoppedBecause } = await runCliJob({
        jobs: createJobService({ db, logger }),
        name: 'recompute',
        params: { from: fromDay, to: toDay, model: values.model, projectId: project?.id, dryRun },
        stop,
      })
      if (stoppedBecause !== undefined && outcome.status === 'failed') {
        // Calls re-priced before the stop keep their new cost: a second run finds them current, so it
        // would not re-aggregate their days; backfill rebuilds those whose calls changed. Only closed
        // days have aggregates: today's are built when it is over.
        const lastClosedDay = addUtcDays(utcDayOf(Date.now()), -1)
        const repairTo = [toDay, lastClosedDay].sort()[0]!
        const repair =
          fromDay <= repairTo
            ? `, then \`npx ai-cost-profiler backfill --from ${fromDay} --to ${repairTo}\` to bring the daily aggregates of those days up to date`
            : ''
        throw new CliError(
          dryRun
            ? `Recompute run ${runId} was ${stoppedBecause} before it finished; nothing was changed.`
            : `Recompute run ${runId} was ${stoppedBecause} before it finished; the calls it re-priced keep their new cost. Run the same command again to re-price the rest${repair}.`,
        )
      }
      if (outcome.result === undefined) throw new CliError(`Recompute run ${runId} failed: ${outcome.error}`)
      const summary = outcome.result as RecomputeSummary
      if (values.json) {
        print(JSON.stringify(summary))
        return summary.days.some((day) => day.status === 'failed') ? 1 : 0
      }
      print(
        `Recompute ${fromDay} to ${toDay}${values.model ? ` of ${values.model}` : ''}${dryRun ? ' (dry run: nothing changed)' : ''}, run ${summary.runId}`,
      )
      for (const report of summary.projects) {
        print(
          `\nProject "${report.projectName}": ${report.scanned} call(s) read, ${report.changed} re-priced`,
        )
        if (report.tooLarge > 0) {
          const listed = report.tooLargeCalls
            .map(
              (call) =>
                `${call.id} (${call.provider}/${call.model} at ${call.timestamp}: ${call.costUsd} USD)`,
            )
            .join(', ')
          print(
            `  ${report.tooLarge} call(s) ${dryRun ? 'would be' : 'were'} left unpriced: their new cost passes ${MAX_STORED_COST_USD} USD, which no real call costs. First: ${listed}. Correct the price (or the calls) and run recompute again.`,
          )
        }
        if (report.diff.length === 0) continue
        for (const line of diffTableLines(report.diff)) print(line)
      }
      if (!dryRun && summary.days.length > 0) {
        print(
          `\nRe-aggregated ${summary.days.length} closed day(s); rollups ${summary.rollupsRefreshed ? 'refreshed' : 'are refreshed by the running server within its interval'}.`,
        )
      }
      // One backfill over the days' span: the days between them that are current cost a fingerprint scan.
      const backfillOf = (days: string[]) => {
        const sorted = [...days].sort()
        return `\`npx ai-cost-profiler backfill --from ${sorted[0]} --to ${sorted.at(-1)}\``
      }
      const failed = summary.days.filter((day) => day.status === 'failed').map((day) => day.day)
      if (failed.length > 0)
        print(`Aggregation failed for ${failed.join(', ')}: run ${backfillOf(failed)} for them.`)
      const held = summary.days.filter((day) => day.status === 'skipped').map((day) => day.day)
      if (held.length > 0)
        print(
          `${held.join(', ')} were being aggregated by another run meanwhile: run ${backfillOf(held)} for them once it ends.`,
        )
      return failed.length > 0 ? 1 : 0
    }),
  )
}
