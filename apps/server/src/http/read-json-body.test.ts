import { describe, expect, it } from 'vitest'
import { ApiError } from './api-error.ts'
import { readJsonBody, readOptionalJsonBody } from './read-json-body.ts'

const post = (headers: Record<string, string>, body?: string) =>
  new Request('http://localhost/', { method: 'POST', headers, ...(body === undefined ? {} : { body }) })

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`)
  return { status: error.status, code: error.code }
}

describe('readJsonBody', () => {
  it('takes application/json, with parameters or in any case', async () => {
    for (const contentType of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON ;charset=UTF-8',
    ]) {
      expect(await readJsonBody(post({ 'content-type': contentType }, '{"a":1}'), { maxBytes: 100 })).toEqual(
        {
          a: 1,
        },
      )
    }
  })

  it('refuses media types that only start like application/json with 415', async () => {
    for (const contentType of [
      'application/json-patch+json',
      'application/json.foo',
      'application/jsonx',
      'text/plain',
    ]) {
      expect(
        await failure(readJsonBody(post({ 'content-type': contentType }, '{}'), { maxBytes: 100 })),
      ).toEqual({
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      })
    }
  })
})

describe('readOptionalJsonBody', () => {
  it('reads no body, or an empty one, as no value whatever its Content-Type', async () => {
    expect(await readOptionalJsonBody(post({}), { maxBytes: 100 })).toBeUndefined()
    expect(await readOptionalJsonBody(post({ 'content-length': '0' }, ''), { maxBytes: 100 })).toBeUndefined()
    expect(
      await readOptionalJsonBody(post({ 'content-type': 'application/json' }, ''), { maxBytes: 100 }),
    ).toBeUndefined()
  })

  it('holds a body with bytes to the rules of readJsonBody', async () => {
    expect(
      await readOptionalJsonBody(post({ 'content-type': 'application/json' }, '{"dryRun":true}'), {
        maxBytes: 100,
      }),
    ).toEqual({
      dryRun: true,
    })
    expect(
      await failure(readOptionalJsonBody(post({ 'content-type': 'text/plain' }, '{}'), { maxBytes: 100 })),
    ).toEqual({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    })
    expect(
      await failure(
        readOptionalJsonBody(post({ 'content-type': 'application/json' }, '{'), { maxBytes: 100 }),
      ),
    ).toEqual({
      status: 400,
      code: 'INVALID_JSON',
    })
    expect(
      await failure(
        readOptionalJsonBody(post({ 'content-type': 'application/json' }, 'x'.repeat(101)), {
          maxBytes: 100,
        }),
      ),
    ).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    })
  })
})
