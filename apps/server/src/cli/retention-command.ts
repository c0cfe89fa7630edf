import { parseArgs } from 'node:util'
import { createJobService } from '../jobs/job-service.ts'
import type { RetentionProjectReport } from '../jobs/retention.ts'
import { migrateUp } from '../storage/migrator.ts'
import { CliError } from './cli-error.ts'
import { asCliJob, requireProject } from './job-command-options.ts'
import type { Command } from './main.ts'
import { withDatabase } from './with-database.ts'

function describeReport(report: RetentionProjectReport, dryRun: boolean): string {
  const verb = dryRun ? 'would delete' : 'deleted'
  const counts = `${report.rows.llm_calls} call(s), ${report.rows.observability_events} observability event(s), ${report.rows.conversations} conversation(s)`
  const head = `${report.projectName} (keeps ${report.retentionDays} days, cut at ${report.cutoffUtc})`
  return report.postponed ? `${head}: postponed, ${report.postponed}` : `${head}: ${verb} ${counts}`
}

/**
 * `retention [--dry-run] [--project NAME]`: deletes raw rows older than each project's retention (rollups and
 * aggregates stay); `--dry-run` only counts them. Takes the same lease as the nightly run.
 */
export const retentionCommand: Command = async (args, { env, logger, print }) => {
  const { values } = parseArgs({
    args,
    options: { 'dry-run': { type: 'boolean' }, project: { type: 'string' } },
  })
  const dryRun = values['dry-run'] === true
  return withDatabase(env, async (db) => {
    await migrateUp(db)
    const project = values.project === undefined ? undefined : await requireProject(db, values.project)
    const jobs = createJobService({ db, logger })
    const { runId, done } = await asCliJob(() =>
      jobs.start('retention', { dryRun, projectId: project?.id }, 'cli'),
    )
    const outcome = await done
    if (outcome.status === 'failed') throw new CliError(`Retention run ${runId} failed: ${outcome.error}`)
    const reports = outcome.result as RetentionProjectReport[]
    if (reports.length === 0) print('No projects.')
    for (const report of reports) print(describeReport(report, dryRun))
    if (dryRun) print('Dry run: nothing was deleted.')
    return 0
  })
}
