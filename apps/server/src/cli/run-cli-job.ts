import type { JobHooks, JobName, JobOutcome, JobParams, JobService } from '../jobs/job-service.ts'
import { CliError } from './cli-error.ts'
import { asCliJob } from './command-options.ts'

/** A job a CLI command ran, and how it ended. */
export interface CliJobRun {
  runId: string
  outcome: JobOutcome
  /** Why `stop` stopped the run ("interrupted by SIGINT"); absent when it was not asked to stop. */
  stoppedBecause?: string
}

function describeStop(stop: AbortSignal): string {
  return stop.reason instanceof Error ? stop.reason.message : 'stopped'
}

/**
 * Runs the job `name` for a CLI command and waits for its end. `stop` (see `withStopSignal`) stops the run
 * as a server shutdown does (`JobService.stop`): between its steps, recorded as failed, its lease released.
 * A job that cannot start is a CLI error.
 * @example
 * const { outcome } = await runCliJob({ jobs, name: 'retention', params: { dryRun: true }, stop })
 */
export async function runCliJob<Name extends JobName>(input: {
  jobs: JobService
  name: Name
  params: JobParams[Name]
  stop: AbortSignal
  hooks?: JobHooks
}): Promise<CliJobRun> {
  const { jobs, stop } = input
  // The runs record why they stopped ("interrupted by SIGINT"), not a server's shutdown.
  const stopJobs = () => void jobs.stop(new Error(describeStop(stop)))
  stop.addEventListener('abort', stopJobs, { once: true })
  try {
    const notStarted = () =>
      new CliError(`The ${input.name} job was ${describeStop(stop)} before it started; nothing was done.`)
    if (stop.aborted) throw notStarted()
    const { runId, done } = await asCliJob(async () => {
      try {
        return await jobs.start(input.name, input.params, 'cli', input.hooks)
      } catch (error) {
        // A stop while the run was starting refuses it as a shutting-down server would.
        if (stop.aborted) throw notStarted()
        throw error
      }
    })
    const outcome = await done
    return { runId, outcome, ...(stop.aborted ? { stoppedBecause: describeStop(stop) } : {}) }
  } finally {
    stop.removeEventListener('abort', stopJobs)
  }
}
