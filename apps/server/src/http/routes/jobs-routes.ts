import { Hono } from 'hono'
import { z } from 'zod'
import { JobError } from '../../jobs/job-error.ts'
import { isJobName, JOB_NAMES, type JobService, parseJobParams } from '../../jobs/job-service.ts'
import type { Database } from '../../storage/database.ts'
import { listJobRunsByRunId } from '../../storage/repositories/job-runs-repository.ts'
import { ApiError } from '../api-error.ts'
import { type AuthVariables, requireScope } from '../middleware/authenticate.ts'
import { readOptionalJsonBody } from '../read-json-body.ts'

const MAX_BODY_BYTES = 16_384

function toApiError(error: unknown): unknown {
  if (!JobError.isInstance(error)) return error
  if (error.code === 'JOB_ALREADY_RUNNING') {
    return new ApiError(
      409,
      error.code,
      `${error.message} Wait for it to finish (see its run), then try again.`,
      {
        body: { runningRunId: error.runningRunId ?? null },
      },
    )
  }
  if (error.code === 'JOBS_STOPPED')
    return new ApiError(503, error.code, error.message, { retryAfterSeconds: 30 })
  return new ApiError(400, error.code, error.message)
}

/**
 * `POST /v1/jobs/{name}/run` starts a job (202 with its run id; 409 while a run of it holds the lease) and
 * `GET /v1/jobs/runs/{runId}` shows what a run did. Jobs span the whole installation; an admin key is needed.
 */
export function jobsRoutes(options: { db: Database; jobs: JobService }) {
  const app = new Hono<{ Variables: AuthVariables }>()

  app.post('/:name/run', requireScope('admin'), async (c) => {
    const name = c.req.param('name')
    if (!isJobName(name)) {
      throw new ApiError(404, 'UNKNOWN_JOB', `No job named "${name}". Jobs: ${JOB_NAMES.join(', ')}.`)
    }
    // No body at all (curl -X POST, Content-Length: 0) means no parameters.
    const body = await readOptionalJsonBody(c.req.raw, { maxBytes: MAX_BODY_BYTES })
    try {
      const { runId } = await options.jobs.start(name, parseJobParams(name, body), 'api')
      return c.json({ runId, job: name, status: 'started', runUrl: `/v1/jobs/runs/${runId}` }, 202)
    } catch (error) {
      throw toApiError(error)
    }
  })

  app.get('/runs/:runId', requireScope('admin'), async (c) => {
    const runId = z.uuid().safeParse(c.req.param('runId'))
    const runs = runId.success ? await listJobRunsByRunId(options.db, runId.data) : []
    if (runs.length === 0) {
      throw new ApiError(
        404,
        'RUN_NOT_FOUND',
        'No job run with that id. Scheduled rollup refreshes are not recorded; other runs are.',
      )
    }
    return c.json({ runId: runId.data, runs })
  })

  return app
}
