import { Hono } from 'hono'
import { z } from 'zod'
import type { Database } from '../../storage/database.ts'
import { setProjectRetentionDays } from '../../storage/repositories/projects-repository.ts'
import { findProjectRetention } from '../../storage/repositories/retention-repository.ts'
import { plainIssueMessage } from '../../validation/plain-issue-message.ts'
import { ApiError } from '../api-error.ts'
import { type AuthVariables, requireScope } from '../middleware/authenticate.ts'
import { readJsonBody } from '../read-json-body.ts'

const retentionBody = z.strictObject({
  retentionDays: z
    .int('must be a whole number of days')
    .min(1, 'must be at least 1')
    .max(3650, 'must be at most 3650'),
})

async function describe(db: Database, projectId: string) {
  const retention = await findProjectRetention(db, projectId)
  if (!retention) throw new ApiError(404, 'NOT_FOUND', 'The project of this key no longer exists.')
  return {
    // The id the jobs API takes to act on this project alone (`"projectId"` of retention, recompute).
    projectId,
    retentionDays: retention.retentionDays,
    rawDeletedBefore: retention.rawDeletedBefore,
    lastRunAt: retention.lastRunAt,
  }
}

/**
 * `GET /v1/retention` (read) and `PUT /v1/retention` (admin): how many days of raw calls the key's project
 * keeps, and how far the nightly retention run has deleted. Rollups and daily aggregates are never deleted.
 */
export function retentionRoutes(options: { db: Database }) {
  const app = new Hono<{ Variables: AuthVariables }>()

  app.get('/', requireScope('read'), async (c) => c.json(await describe(options.db, c.get('auth').projectId)))

  app.put('/', requireScope('admin'), async (c) => {
    const parsed = retentionBody.safeParse(await readJsonBody(c.req.raw, { maxBytes: 1_024 }), {
      error: plainIssueMessage,
    })
    if (!parsed.success) {
      const details = parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }))
      throw new ApiError(
        400,
        'INVALID_RETENTION',
        `Invalid retention: ${details.map((detail) => `${detail.path || '(body)'} ${detail.message}`).join('; ')}. Send { "retentionDays": 1 to 3650 }.`,
        { details },
      )
    }
    const projectId = c.get('auth').projectId
    await setProjectRetentionDays(options.db, { projectId, retentionDays: parsed.data.retentionDays })
    return c.json(await describe(options.db, projectId))
  })

  return app
}
