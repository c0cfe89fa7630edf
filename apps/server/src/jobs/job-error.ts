const marker = Symbol.for('ai-cost-profiler.server.job-error')

/** Stable codes of job failures a caller can act on. */
export type JobErrorCode = 'JOB_ALREADY_RUNNING' | 'UNKNOWN_JOB' | 'INVALID_JOB_PARAMS' | 'JOBS_STOPPED'

/** A job could not start (or was refused); the HTTP layer and the CLI map it by `code`. */
export class JobError extends Error {
  readonly code: JobErrorCode
  /** For JOB_ALREADY_RUNNING: the run that holds the job. */
  readonly runningRunId: string | undefined
  readonly [marker] = true

  constructor(code: JobErrorCode, message: string, options: { runningRunId?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'JobError'
    this.code = code
    this.runningRunId = options.runningRunId
  }

  /** True for any JobError. */
  static isInstance(value: unknown): value is JobError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
  }
}
