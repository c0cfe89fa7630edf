import type { Database } from '../storage/database.ts'
import {
  releaseJobLease,
  renewJobLease,
  tryAcquireJobLease,
} from '../storage/repositories/job-leases-repository.ts'

/** A held job lease: renewed in the background until released. */
export interface JobLease {
  /** Aborted when the lease was lost (it expired and another process took it): stop between batches. */
  readonly signal: AbortSignal
  release(): Promise<void>
}

/** Options for `acquireJobLease`. */
export interface AcquireJobLeaseOptions {
  db: Database
  job: string
  holder: string
  runId: string
  /** How long the lease lasts without renewal; a crashed holder blocks others at most this long. */
  ttlMs: number
}

/**
 * Takes the database lease of a job (single flight across every server process and CLI), or returns null
 * when an unexpired lease is held elsewhere. While held, it is renewed every third of its TTL.
 */
export async function acquireJobLease(options: AcquireJobLeaseOptions): Promise<JobLease | null> {
  const { db, job, holder, ttlMs } = options
  const taken = await tryAcquireJobLease(db, { job, holder, runId: options.runId, ttlMs })
  if (!taken) return null
  const controller = new AbortController()
  let renewing: Promise<void> = Promise.resolve()
  const timer = setInterval(
    () => {
      renewing = renewJobLease(db, { job, holder, ttlMs }).then(
        (kept) => {
          if (!kept) controller.abort(new Error(`the lease of job ${job} was lost`))
        },
        // A failed renewal is retried on the next tick; the lease only lapses after a whole TTL without one.
        () => {},
      )
    },
    Math.max(1, Math.floor(ttlMs / 3)),
  )
  timer.unref()
  let released = false
  return {
    signal: controller.signal,
    async release() {
      if (released) return
      released = true
      clearInterval(timer)
      await renewing
      await releaseJobLease(db, { job, holder })
    },
  }
}
