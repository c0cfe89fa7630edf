import { MAX_STORED_COST_USD } from '../ingest/fits-stored-cost.ts'
import { createJobService } from '../jobs/job-service.ts'
import type { RecomputeSummary } from '../jobs/recompute.ts'
import { CliError } from './cli-error.ts'
import {
  asCliJob,
  parseCommandOptions,
  parseDayOption,
  parseProjectOption,
  requireProject,
} from './command-options.ts'
import type { Command } from './main.ts'
import { withCurrentDatabase, withMigratedDatabase } from './with-database.ts'

const pad = (text: string, width: number, alignRight = false) =>
  alignRight ? text.padStart(width) : text.padEnd(width)

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
  return withRunDatabase(env, async (db) => {
    const project = projectName === undefined ? undefined : await requireProject(db, projectName)
    const jobs = createJobService({ db, logger })
    const { runId, done } = await asCliJob(() =>
      jobs.start(
        'recompute',
        { from: fromDay, to: toDay, model: values.model, projectId: project?.id, dryRun },
        'cli',
      ),
    )
    const outcome = await done
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
      print(`\nProject "${report.projectName}": ${report.scanned} call(s) read, ${report.changed} re-priced`)
      if (report.tooLarge > 0) {
        const listed = report.tooLargeCalls
          .map(
            (call) => `${call.id} (${call.provider}/${call.model} at ${call.timestamp}: ${call.costUsd} USD)`,
          )
          .join(', ')
        print(
          `  ${report.tooLarge} call(s) ${dryRun ? 'would be' : 'were'} left unpriced: their new cost passes ${MAX_STORED_COST_USD} USD, which no real call costs. First: ${listed}. Correct the price (or the calls) and run recompute again.`,
        )
      }
      if (report.diff.length === 0) continue
      print(
        `  ${pad('provider/model', 40)} ${pad('requests', 9, true)} ${pad('changed', 8, true)} ${pad('cost before', 20, true)} ${pad('cost after', 20, true)} ${pad('delta', 21, true)} ${pad('newly priced', 13, true)}`,
      )
      for (const row of report.diff) {
        const delta = row.deltaUsd.startsWith('-') ? row.deltaUsd : `+${row.deltaUsd}`
        print(
          `  ${pad(`${row.provider}/${row.model}`, 40)} ${pad(String(row.requests), 9, true)} ${pad(String(row.changed), 8, true)} ${pad(row.costBeforeUsd, 20, true)} ${pad(row.costAfterUsd, 20, true)} ${pad(delta, 21, true)} ${pad(String(row.newlyPriced), 13, true)}`,
        )
      }
    }
    if (!dryRun && summary.days.length > 0) {
      print(
        `\nRe-aggregated ${summary.days.length} closed day(s); rollups ${summary.rollupsRefreshed ? 'refreshed' : 'are refreshed by the running server within its interval'}.`,
      )
    }
    const failed = summary.days.filter((day) => day.status === 'failed').map((day) => day.day)
    if (failed.length > 0)
      print(`Aggregation failed for ${failed.join(', ')}: run \`backfill --from D --to D\` for them.`)
    const held = summary.days.filter((day) => day.status === 'skipped').map((day) => day.day)
    if (held.length > 0)
      print(
        `${held.join(', ')} were being aggregated by another run meanwhile: run \`backfill --from D --to D\` for them once it ends.`,
      )
    return failed.length > 0 ? 1 : 0
  })
}
