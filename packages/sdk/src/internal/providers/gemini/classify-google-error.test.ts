import { ApiError } from '@google/genai'
import { GoogleGenerativeAIError, GoogleGenerativeAIFetchError } from '@google/generative-ai'
import { describe, expect, it } from 'vitest'
import { classifyGoogleError, readTimeoutMs } from './classify-google-error.ts'

const streamReadFailure = () => new GoogleGenerativeAIError('Error reading from the stream')

describe('classifyGoogleError', () => {
  it('takes an abort the caller did not make for the SDK timeout, and one it made for an abort', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError')
    expect(classifyGoogleError(abort, undefined)).toMatchObject({ type: 'timeout' })
    const controller = new AbortController()
    controller.abort()
    expect(classifyGoogleError(abort, controller.signal)).toMatchObject({ type: 'aborted' })
  })

  it('records a 499 CANCELLED the server answered as its failure, not a timeout', () => {
    const cancelled = new ApiError({
      status: 499,
      message: JSON.stringify({
        error: { code: 499, message: 'The operation was cancelled.', status: 'CANCELLED' },
      }),
    })
    expect(classifyGoogleError(cancelled, undefined)).toMatchObject({
      type: 'server_error',
      httpStatus: 499,
      code: 'CANCELLED',
    })
    const fetchError = new GoogleGenerativeAIFetchError('[499 Client Closed Request] cancelled', 499, '')
    expect(classifyGoogleError(fetchError, undefined)).toMatchObject({
      type: 'server_error',
      httpStatus: 499,
    })
  })

  it('tells a stream cut by the SDK timeout from one cut by the connection', () => {
    expect(classifyGoogleError(streamReadFailure(), undefined, true)).toMatchObject({ type: 'timeout' })
    expect(classifyGoogleError(streamReadFailure(), undefined, false)).toMatchObject({ type: 'connection' })
    const controller = new AbortController()
    controller.abort()
    expect(classifyGoogleError(streamReadFailure(), controller.signal, true)).toMatchObject({
      type: 'aborted',
    })
  })
})

describe('readTimeoutMs', () => {
  it('reads a non-negative timeout and ignores anything else', () => {
    expect(readTimeoutMs({ timeout: 300 })).toBe(300)
    expect(readTimeoutMs({ timeout: 0 })).toBe(0)
    expect(readTimeoutMs({ timeout: -1 })).toBeUndefined()
    expect(readTimeoutMs({ timeout: '300' })).toBeUndefined()
    expect(readTimeoutMs(undefined)).toBeUndefined()
  })
})
