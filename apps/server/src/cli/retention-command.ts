import { createJobService } from '../jobs/job-service.ts'
import type { RetentionProjectReport } from '../jobs/retention.ts'
import { setProjectRetentionDays } from '../storage/repositories/projects-repository.ts'
import { CliError } from './cli-error.ts'
import {
  parseCommandOptions,
  parseCountOption,
  parseProjectOption,
  requireProject,
} from './command-options.ts'
import type { Command } from './main.ts'
import { runCliJob } from './run-cli-job.ts'
import { withCurrentDatabase, withMigratedDatabase } from './with-database.ts'
import { withStopSignal } from './with-stop-signal.ts'

function describeReport(report: RetentionProjectReport, dryRun: boolean): string {
  const counts = `${report.rows.llm_calls} call(s), ${report.rows.observability_events} observability event(s), ${report.rows.conversations} conversation(s)`
  const head = `${report.projectName} (keeps ${report.retentionDays} days, cut at ${report.cutoffUtc})`
  if (dryRun)
    return `${head}: would delete ${counts}${report.postponed ? `, but not yet: ${report.postponed}` : ''}`
  return report.postponed ? `${head}: postponed, ${report.postponed}` : `${head}: deleted ${counts}`
}

/** `retention set --project NAME --days N`: how many days of raw rows the project keeps from now on. */
const setRetentionDays: Command = async (args, { env, print }) => {
  const values = parseCommandOptions('retention set', args, {
    project: { type: 'string' },
    days: { type: 'string' },
  })
  // Every option is checked before the database is opened, so wrong usage changes nothing.
  const projectName = parseProjectOption(values.project)
  if (values.days === undefined) throw new CliError('--days N is required (1 to 3650).', 2)
  const retentionDays = parseCountOption({
    option: 'days',
    text: values.days,
    fallback: 0,
    min: 1,
    max: 3650,
  })
  return withMigratedDatabase(env, async (db) => {
    const project = await requireProject(db, projectName)
    await setProjectRetentionDays(db, { projectId: project.id, retentionDays })
    print(
      `Project "${project.name}" now keeps ${retentionDays} days of raw calls (was ${project.retentionDays}). ` +
        'The nightly retention run applies it; `npx ai-cost-profiler retention --dry-run` shows what it will delete.',
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
  const values = parseCommandOptions('retention', args, {
    'dry-run': { type: 'boolean' },
    project: { type: 'string' },
  })
  const projectName = values.project === undefined ? undefined : parseProjectOption(values.project)
  const dryRun = values['dry-run'] === true
  // A dry run only counts: it leaves the schema as it is, and refuses one this version does not expect.
  const withRunDatabase = dryRun ? withCurrentDatabase : withMigratedDatabase
  return withStopSignal((stop) =>
    withRunDatabase(env, async (db) => {
      const project = projectName === undefined ? undefined : await requireProject(db, projectName)
      const { runId, outcome, stoppedBecause } = await runCliJob({
        jobs: createJobService({ db, logger }),
        name: 'retention',
        params: { dryRun, projectId: project?.id },
        stop,
      })
      if (stoppedBecause !== undefined && outcome.status === 'failed') {
        throw new CliError(
          dryRun
            ? `Retention run ${runId} was ${stoppedBecause} before it finished; nothing was deleted.`
            : `Retention run ${runId} was ${stoppedBecause} before it finished; what it deleted stays deleted. Run the same command again to finish it.`,
        )
      }
      if (outcome.status === 'failed') throw new CliError(`Retention run ${runId} failed: ${outcome.error}`)
      const reports = outcome.result as RetentionProjectReport[]
      if (reports.length === 0) print('No projects.')
      for (const report of reports) print(describeReport(report, dryRun))
      if (dryRun) print('Dry run: nothing was deleted.')
      return 0
    }),
  )
}
