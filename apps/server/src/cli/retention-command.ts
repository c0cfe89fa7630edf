import { parseArgs } from 'node:util'
import { createJobService } from '../jobs/job-service.ts'
import type { RetentionProjectReport } from '../jobs/retention.ts'
import { migrateUp } from '../storage/migrator.ts'
import { setProjectRetentionDays } from '../storage/repositories/projects-repository.ts'
import { CliError } from './cli-error.ts'
import { asCliJob, parseCountOption, requireProject } from './command-options.ts'
import type { Command } from './main.ts'
import { withDatabase } from './with-database.ts'

function describeReport(report: RetentionProjectReport, dryRun: boolean): string {
  const counts = `${report.rows.llm_calls} call(s), ${report.rows.observability_events} observability event(s), ${report.rows.conversations} conversation(s)`
  const head = `${report.projectName} (keeps ${report.retentionDays} days, cut at ${report.cutoffUtc})`
  if (dryRun)
    return `${head}: would delete ${counts}${report.postponed ? `, but not yet: ${report.postponed}` : ''}`
  return report.postponed ? `${head}: postponed, ${report.postponed}` : `${head}: deleted ${counts}`
}

/** `retention set --project NAME --days N`: how many days of raw rows the project keeps from now on. */
const setRetentionDays: Command = async (args, { env, print }) => {
  const { values } = parseArgs({ args, options: { project: { type: 'string' }, days: { type: 'string' } } })
  if (values.days === undefined) throw new CliError('--days N is required (1 to 3650).', 2)
  const retentionDays = parseCountOption({
    option: 'days',
    text: values.days,
    fallback: 0,
    min: 1,
    max: 3650,
  })
  return withDatabase(env, async (db) => {
    await migrateUp(db)
    const project = await requireProject(db, values.project)
    await setProjectRetentionDays(db, { projectId: project.id, retentionDays })
    print(
      `Project "${project.name}" now keeps ${retentionDays} days of raw calls (was ${project.retentionDays}). ` +
        'The nightly retention run applies it; `retention --dry-run` shows what it will delete.',
    )
    return 0
  })
}

/**
 * `retention [--dry-run] [--project NAME]`: deletes raw rows older than each project's retention (rollups and
 * aggregates stay); `--dry-run` only counts them. Takes the same lease as the nightly run.
 * `retention set --project NAME --days N` changes a project's retention.
 */
export const retentionCommand: Command = async (args, context) => {
  if (args[0] === 'set') return setRetentionDays(args.slice(1), context)
  const { env, logger, print } = context
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
