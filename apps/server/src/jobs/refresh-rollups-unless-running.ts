import type { JobTrigger } from '../storage/repositories/job-runs-repository.ts'
import { JobError } from './job-error.ts'
import type { JobService } from './job-service.ts'
import { ROLLUP_REFRESH_JOB } from './rollup-refresh.ts'

/**
 * Runs the rollup refresh as a job of its own and waits for it, unless a run of it holds the lease
 * already (in this process or another), which is not waited for. True when this refresh succeeded.
 */
export async function refreshRollupsUnlessRunning(
  jobs: Pick<JobService, 'start'>,
  trigger: JobTrigger,
): Promise<boolean> {
  try {
    const { done } = await jobs.start(ROLLUP_REFRESH_JOB, {}, trigger)
    return (await done).status === 'succeeded'
  } catch (error) {
    if (!JobError.isInstance(error) || error.code !== 'JOB_ALREADY_RUNNING') throw error
    return false
  }
}
