import { gzipSync } from 'node:zlib'
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
      // JSON travels as UTF-8; another charset would be read wrongly.
      'application/json; charset=latin1',
      'application/json; charset="iso-8859-1"',
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

describe('readJsonBody encodings', () => {
  const gzipped = (text: string) => gzipSync(Buffer.from(text))
  const send = (headers: Record<string, string>, body: Uint8Array) =>
    readJsonBody(new Request('http://localhost/', { method: 'POST', headers, body }), { maxBytes: 100 })

  it('inflates gzip, under its old name too, and takes an empty Content-Encoding as none', async () => {
    for (const encoding of ['gzip', 'x-gzip', ' GZIP ']) {
      expect(
        await send({ 'content-type': 'application/json', 'content-encoding': encoding }, gzipped('{"a":1}')),
      ).toEqual({
        a: 1,
      })
    }
    expect(
      await send({ 'content-type': 'application/json', 'content-encoding': '' }, Buffer.from('{"a":2}')),
    ).toEqual({
      a: 2,
    })
  })

  it('refuses a body that inflates past the limit with 413, and other encodings with 415', async () => {
    const bomb = gzipped(`{"a":"${'x'.repeat(10_000)}"}`)
    expect(
      await failure(send({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, bomb)),
    ).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    })
    const refused = await send(
      { 'content-type': 'application/json', 'content-encoding': 'br' },
      Buffer.from('{}'),
    ).catch((error: unknown) => error)
    expect(refused).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_CONTENT_ENCODING',
      message: 'Content-Encoding "br" is not supported; send gzip or leave the header out.',
    })
  })

  it('says a body labelled gzip that is not, or is cut short or damaged, is not valid gzip', async () => {
    const whole = gzipped(`{"events":[${'{"a":1},'.repeat(5)}{}]}`)
    for (const body of [
      Buffer.from('{"events":[{"model":"gpt-4o-mini"}]}'), // JSON sent with the header by mistake
      whole.subarray(0, whole.length - 6), // cut short: its last bytes are no size
      Buffer.concat([whole.subarray(0, 12), Buffer.alloc(8, 0xff)]), // states 4 GiB, holds garbage
    ]) {
      expect(
        await failure(send({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, body)),
      ).toEqual({
        status: 400,
        code: 'INVALID_GZIP',
      })
    }
  })

  it('says a body that starts with a byte-order mark should be sent without it', async () => {
    const body = `\uFEFF${JSON.stringify({ events: [] })}`
    const error = await readJsonBody(post({ 'content-type': 'application/json' }, body), {
      maxBytes: 1_000,
    }).catch((thrown: unknown) => thrown)
    expect(error).toMatchObject({
      status: 400,
      code: 'INVALID_JSON',
      message: expect.stringMatching(/byte-order mark/),
    })
  })

  it('refuses bytes that are not UTF-8 instead of storing replacement characters', async () => {
    const latin1 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]) // {"a":"é"} in Latin-1
    expect(await failure(send({ 'content-type': 'application/json' }, latin1))).toEqual({
      status: 400,
      code: 'INVALID_JSON',
    })
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
