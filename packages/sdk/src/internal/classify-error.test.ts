import { callErrorSchema } from '@ai-cost-profiler/core'
import Anthropic from '@anthropic-ai/sdk'
import { ApiError } from '@google/genai'
import { GoogleGenerativeAIAbortError, GoogleGenerativeAIFetchError } from '@google/generative-ai'
import { ClientError, GoogleApiError, GoogleAuthError, GoogleGenerativeAIError } from '@google-cloud/vertexai'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { classifyError } from './classify-error.ts'

const headers = new Headers()

describe('classifyError', () => {
  it.each([
    [
      'OpenAI 429',
      OpenAI.APIError.generate(
        429,
        { error: { code: 'rate_limit_exceeded', type: 'tokens' } },
        undefined,
        headers,
      ),
      { type: 'rate_limit', httpStatus: 429, code: 'rate_limit_exceeded' },
    ],
    [
      'OpenAI insufficient quota',
      OpenAI.APIError.generate(
        429,
        { error: { code: 'insufficient_quota', type: 'insufficient_quota' } },
        undefined,
        headers,
      ),
      { type: 'rate_limit', code: 'insufficient_quota' },
    ],
    [
      'OpenAI context length',
      OpenAI.APIError.generate(
        400,
        { error: { code: 'context_length_exceeded', message: 'maximum context length is 128000 tokens' } },
        undefined,
        headers,
      ),
      { type: 'context_length', httpStatus: 400 },
    ],
    [
      'OpenAI 403',
      OpenAI.APIError.generate(
        403,
        { error: { code: 'unsupported_country_region_territory' } },
        undefined,
        headers,
      ),
      { type: 'permission', httpStatus: 403 },
    ],
    [
      'OpenAI 404',
      OpenAI.APIError.generate(404, { error: { code: 'model_not_found' } }, undefined, headers),
      { type: 'not_found' },
    ],
    [
      'OpenAI 500',
      OpenAI.APIError.generate(500, { error: { message: 'boom' } }, undefined, headers),
      { type: 'server_error', httpStatus: 500 },
    ],
    [
      'OpenAI 503',
      OpenAI.APIError.generate(503, { error: { message: 'engine overloaded' } }, undefined, headers),
      { type: 'overloaded' },
    ],
    ['OpenAI 504', OpenAI.APIError.generate(504, undefined, 'gateway timeout', headers), { type: 'timeout' }],
    [
      'OpenAI 422',
      OpenAI.APIError.generate(422, { error: { message: 'bad' } }, undefined, headers),
      { type: 'invalid_request' },
    ],
    ['OpenAI user abort', new OpenAI.APIUserAbortError(), { type: 'aborted' }],
    ['OpenAI timeout', new OpenAI.APIConnectionTimeoutError(), { type: 'timeout' }],
    [
      'OpenAI connection',
      new OpenAI.APIConnectionError({ message: 'Connection error.' }),
      { type: 'connection' },
    ],
    [
      'Anthropic 529',
      Anthropic.APIError.generate(
        529,
        { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
        undefined,
        headers,
      ),
      { type: 'overloaded', httpStatus: 529, code: 'overloaded_error' },
    ],
    [
      'Anthropic prompt too long',
      Anthropic.APIError.generate(
        400,
        {
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: 'prompt is too long: 215847 tokens > 200000 maximum',
          },
        },
        undefined,
        headers,
      ),
      { type: 'context_length' },
    ],
    [
      'Anthropic stream overload (no status)',
      new Anthropic.APIError(
        undefined,
        { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
        undefined,
        undefined,
      ),
      { type: 'overloaded' },
    ],
    [
      'Anthropic stream api_error (no status)',
      new Anthropic.APIError(
        undefined,
        { type: 'error', error: { type: 'api_error', message: 'Internal' } },
        undefined,
        undefined,
      ),
      { type: 'server_error', code: 'api_error' },
    ],
    [
      '@google/genai 429',
      new ApiError({
        status: 429,
        message: JSON.stringify({ error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } }),
      }),
      { type: 'rate_limit', code: 'RESOURCE_EXHAUSTED' },
    ],
    [
      '@google/generative-ai 503',
      new GoogleGenerativeAIFetchError(
        'Error fetching from x: [503 Service Unavailable] The model is overloaded.',
        503,
        'Service Unavailable',
      ),
      { type: 'overloaded', httpStatus: 503, code: 'UNAVAILABLE' },
    ],
    ['@google/generative-ai abort', new GoogleGenerativeAIAbortError('Request aborted'), { type: 'aborted' }],
    [
      'Vertex AI 429',
      new ClientError(
        'got status: 429 Too Many Requests. {}',
        new GoogleApiError('Quota exceeded', 429, 'RESOURCE_EXHAUSTED', []),
      ),
      { type: 'rate_limit', httpStatus: 429, code: 'RESOURCE_EXHAUSTED' },
    ],
    [
      'Vertex AI 500',
      new GoogleGenerativeAIError(
        'got status: 500 Internal Server Error. {"error":{"code":500,"status":"INTERNAL"}}',
      ),
      { type: 'server_error', httpStatus: 500, code: 'INTERNAL' },
    ],
    ['DOM abort', new DOMException('This operation was aborted', 'AbortError'), { type: 'aborted' }],
    ['DOM timeout', new DOMException('The operation timed out', 'TimeoutError'), { type: 'timeout' }],
    [
      'undici refused',
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      { type: 'connection' },
    ],
    [
      'undici connect timeout',
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_CONNECT_TIMEOUT' } }),
      { type: 'timeout' },
    ],
    [
      'Vertex AI wrapping a refused connection',
      Object.assign(new GoogleGenerativeAIError('exception posting request to model'), {
        stackTrace: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      }),
      { type: 'connection' },
    ],
    [
      'Vertex AI wrapping a refused TLS certificate',
      Object.assign(new GoogleGenerativeAIError('exception posting request to model'), {
        stackTrace: Object.assign(new TypeError('fetch failed'), {
          cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
        }),
      }),
      { type: 'connection' },
    ],
    [
      'Vertex AI wrapping a failed fetch whose cause has no code',
      Object.assign(new GoogleGenerativeAIError('exception posting request to model'), {
        stackTrace: new TypeError('fetch failed', { cause: new Error('other side closed') }),
      }),
      { type: 'connection' },
    ],
    [
      'an expired certificate behind a proxy',
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'CERT_HAS_EXPIRED' } }),
      { type: 'connection' },
    ],
    [
      'Vertex AI context length, in its own words',
      new ApiError({
        status: 400,
        message: JSON.stringify({
          error: {
            code: 400,
            message:
              'Unable to submit request because the input token count is 1251952 but model only supports up to 1048576. Reduce the input token count and try again.',
            status: 'INVALID_ARGUMENT',
          },
        }),
      }),
      { type: 'context_length', httpStatus: 400, code: 'INVALID_ARGUMENT' },
    ],
    [
      '@google/genai with a bad API key (400 INVALID_ARGUMENT, reason API_KEY_INVALID)',
      new ApiError({
        status: 400,
        message: JSON.stringify({
          error: {
            code: 400,
            message: 'API key not valid. Please pass a valid API key.',
            status: 'INVALID_ARGUMENT',
            details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
          },
        }),
      }),
      { type: 'authentication', httpStatus: 400, code: 'INVALID_ARGUMENT' },
    ],
    [
      '@google/generative-ai with a bad API key',
      new GoogleGenerativeAIFetchError(
        'Error fetching from x: [400 Bad Request] API key not valid. Please pass a valid API key. [{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]',
        400,
        'Bad Request',
        [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
      ),
      { type: 'authentication', httpStatus: 400, code: 'API_KEY_INVALID' },
    ],
    [
      'OpenAI Responses stream error event with code too_many_requests',
      new OpenAI.APIError(
        undefined,
        { type: 'too_many_requests', code: 'too_many_requests', message: 'Too Many Requests' },
        'Too Many Requests',
        undefined,
      ),
      { type: 'rate_limit', code: 'too_many_requests' },
    ],
    [
      '@google/generative-ai keeping only the message of a failed fetch',
      new GoogleGenerativeAIError('Error fetching from http://127.0.0.1:1/v1beta/models/m: fetch failed'),
      { type: 'connection' },
    ],
    [
      'Anthropic context limit with max_tokens',
      Anthropic.APIError.generate(
        400,
        {
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: 'input length and `max_tokens` exceed context limit: 178959 + 64000 > 200000',
          },
        },
        undefined,
        headers,
      ),
      { type: 'context_length', httpStatus: 400 },
    ],
    [
      'Vertex AI without an access token: the token endpoint refused the credentials',
      Object.assign(new GoogleAuthError('Unable to authenticate your request', new Error('invalid_grant')), {
        status: 400,
      }),
      { type: 'authentication' },
    ],
    [
      'Vertex AI without an access token: the token endpoint could not be reached',
      new GoogleAuthError(
        'Unable to authenticate your request',
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }),
      ),
      { type: 'connection' },
    ],
    [
      'Vertex AI without an access token: the token endpoint did not answer in time',
      new GoogleAuthError(
        'Unable to authenticate your request',
        Object.assign(new Error('Unable to get token'), {
          cause: new Error('network timeout at: https://oauth2.googleapis.com/token'),
        }),
      ),
      { type: 'timeout' },
    ],
    ['a plain error', new Error('something else'), { type: 'unknown', message: 'something else' }],
    ['a thrown string', 'nope', { type: 'unknown', message: 'nope' }],
  ])('%s', (_name, error, expected) => {
    const classified = classifyError(error)
    expect(classified).toMatchObject(expected)
    expect(callErrorSchema.safeParse(classified).success).toBe(true)
  })

  it("keeps the token endpoint's status out of a Vertex AI call that got no access token", () => {
    const refused = Object.assign(new GoogleAuthError('Unable to authenticate your request'), { status: 400 })
    expect(classifyError(refused)).not.toHaveProperty('httpStatus')
  })

  it('bounds the message length', () => {
    expect(classifyError(new Error('x'.repeat(10_000))).message).toHaveLength(2000)
  })

  it('cuts an over-long message or code at the limit in characters, never inside an emoji', () => {
    const classified = classifyError({ message: `${'x'.repeat(1999)}😀😀`, code: `${'c'.repeat(255)}😀😀` })
    // The server counts an emoji as one character.
    expect(classified.message).toBe(`${'x'.repeat(1999)}😀`)
    expect(classified.code).toBe(`${'c'.repeat(255)}😀`)
  })

  it('never throws, even for an error whose fields throw when read', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no reading me')
        },
      },
    )
    expect(classifyError(hostile)).toEqual({ type: 'unknown' })
  })
})
