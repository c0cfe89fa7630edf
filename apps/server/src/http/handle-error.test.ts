import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../logging/logger.ts'
import { createErrorHandler } from './handle-error.ts'

/** An app whose one route throws `error`, and the log lines its error handler wrote. */
function appThrowing(error: Error) {
  const lines: Array<Record<string, unknown>> = []
  const app = new Hono()
  app.get('/', () => {
    throw error
  })
  app.onError(
    createErrorHandler(createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) })),
  )
  return { app, lines }
}

describe('createErrorHandler', () => {
  it('logs a schema the server does not match in one error line, with the reason and no stack trace', async () => {
    const missing = Object.assign(new Error('column "usage_estimated" does not exist'), { code: '42703' })
    const { app, lines } = appThrowing(missing)
    expect((await app.request('/')).status).toBe(503)
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'request failed',
        code: 'SCHEMA_NOT_CURRENT',
        reason: 'column "usage_estimated" does not exist',
      }),
    ])
    expect(JSON.stringify(lines)).not.toContain('    at ')
  })

  it('logs an unexpected failure as an error, with its stack for whoever debugs it', async () => {
    const { app, lines } = appThrowing(new Error('boom'))
    const response = await app.request('/')
    expect(response.status).toBe(500)
    expect(JSON.stringify(await response.json())).not.toContain('boom')
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'request failed',
        err: expect.stringContaining('Error: boom\n'),
      }),
    ])
  })
})
