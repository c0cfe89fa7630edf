import type { CallError } from '@ai-cost-profiler/core'
import type { DemoProvider } from './demo-models.ts'

/** A failure as each provider reports it, with its relative frequency. */
export interface DemoError {
  error: CallError
  weight: number
}

/** Failures per provider, with the status codes and error codes their APIs really return. */
export const DEMO_ERRORS: Readonly<Record<DemoProvider, readonly DemoError[]>> = {
  openai: [
    {
      weight: 45,
      error: {
        type: 'rate_limit',
        httpStatus: 429,
        code: 'rate_limit_exceeded',
        message: 'Rate limit reached for requests per min (RPM). Please try again in 1.2s.',
      },
    },
    {
      weight: 10,
      error: {
        type: 'context_length',
        httpStatus: 400,
        code: 'context_length_exceeded',
        message: "This model's maximum context length is 128000 tokens.",
      },
    },
    {
      weight: 15,
      error: {
        type: 'server_error',
        httpStatus: 500,
        code: 'server_error',
        message: 'The server had an error while processing your request.',
      },
    },
    {
      weight: 12,
      error: {
        type: 'overloaded',
        httpStatus: 503,
        code: 'service_unavailable',
        message: 'The engine is currently overloaded, please try again later.',
      },
    },
    {
      weight: 10,
      error: { type: 'timeout', code: 'ETIMEDOUT', message: 'Request timed out after 60000 ms.' },
    },
    {
      weight: 5,
      error: {
        type: 'invalid_request',
        httpStatus: 400,
        code: 'invalid_request_error',
        message: "Invalid 'messages[2].content': string too long.",
      },
    },
    { weight: 3, error: { type: 'connection', code: 'ECONNRESET', message: 'socket hang up' } },
  ],
  anthropic: [
    {
      weight: 30,
      error: {
        type: 'rate_limit',
        httpStatus: 429,
        code: 'rate_limit_error',
        message: 'Number of request tokens has exceeded your per-minute rate limit.',
      },
    },
    {
      weight: 35,
      error: { type: 'overloaded', httpStatus: 529, code: 'overloaded_error', message: 'Overloaded' },
    },
    {
      weight: 10,
      error: {
        type: 'context_length',
        httpStatus: 400,
        code: 'invalid_request_error',
        message: 'prompt is too long: 215339 tokens > 200000 maximum',
      },
    },
    {
      weight: 15,
      error: { type: 'server_error', httpStatus: 500, code: 'api_error', message: 'Internal server error' },
    },
    {
      weight: 10,
      error: { type: 'timeout', code: 'ETIMEDOUT', message: 'Request timed out after 600000 ms.' },
    },
  ],
  google: [
    {
      weight: 45,
      error: {
        type: 'rate_limit',
        httpStatus: 429,
        code: 'RESOURCE_EXHAUSTED',
        message: 'Resource has been exhausted (e.g. check quota).',
      },
    },
    {
      weight: 25,
      error: {
        type: 'overloaded',
        httpStatus: 503,
        code: 'UNAVAILABLE',
        message: 'The model is overloaded. Please try again later.',
      },
    },
    {
      weight: 10,
      error: {
        type: 'context_length',
        httpStatus: 400,
        code: 'INVALID_ARGUMENT',
        message: 'The input token count (1250000) exceeds the maximum number of tokens allowed (1048576).',
      },
    },
    {
      weight: 15,
      error: {
        type: 'server_error',
        httpStatus: 500,
        code: 'INTERNAL',
        message: 'An internal error has occurred.',
      },
    },
    {
      weight: 5,
      error: { type: 'timeout', httpStatus: 504, code: 'DEADLINE_EXCEEDED', message: 'Deadline exceeded.' },
    },
  ],
}
