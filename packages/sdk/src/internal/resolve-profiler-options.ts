import type { CallContext } from '../call-context.ts'
import type { ProfilerError } from '../profiler-error.ts'
import type { Compression, ProfilerOptions } from '../profiler-options.ts'

/** Profiler options after argument → environment → default resolution. */
export interface ResolvedProfilerOptions {
  enabled: boolean
  /** Why the profiler is off, when it is. */
  disabledReason: string | undefined
  endpoint: string
  apiKey: string
  debug: boolean
  onError: ((error: ProfilerError) => void) | undefined
  batchSize: number
  compression: Compression
  flushIntervalMs: number
  maxQueueSize: number
  requestTimeoutMs: number
  initialBackoffMs: number
  maxBackoffMs: number
  breakerFailureThreshold: number
  breakerCooldownMs: number
  shutdownTimeoutMs: number
  flushOnExit: boolean
  defaultContext: CallContext
  /** Options that were ignored because they were invalid, each with what was wrong. */
  problems: string[]
}

type Environment = Readonly<Record<string, string | undefined>>

const NUMERIC_DEFAULTS = {
  // The ingest API takes at most 1,000 events per request.
  batchSize: { value: 100, min: 1, max: 1_000 },
  flushIntervalMs: { value: 1000, min: 1, max: 3_600_000 },
  maxQueueSize: { value: 10_000, min: 1, max: 10_000_000 },
  requestTimeoutMs: { value: 10_000, min: 1, max: 600_000 },
  initialBackoffMs: { value: 500, min: 1, max: 3_600_000 },
  maxBackoffMs: { value: 60_000, min: 1, max: 3_600_000 },
  breakerFailureThreshold: { value: 10, min: 1, max: 1000 },
  breakerCooldownMs: { value: 30_000, min: 1, max: 3_600_000 },
  shutdownTimeoutMs: { value: 5000, min: 0, max: 600_000 },
} as const

type NumericOption = keyof typeof NUMERIC_DEFAULTS

function readFlag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase())
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}

/**
 * Resolves options argument → environment variable → default. Invalid values never throw: they are
 * replaced by their default (or turn the profiler off) and listed in `problems` for `onError`.
 */
export function resolveProfilerOptions(
  options: ProfilerOptions | undefined,
  env: Environment,
): ResolvedProfilerOptions {
  const given = options ?? {}
  const problems: string[] = []
  const numbers = {} as Record<NumericOption, number>
  for (const [name, limits] of Object.entries(NUMERIC_DEFAULTS) as Array<
    [NumericOption, (typeof NUMERIC_DEFAULTS)[NumericOption]]
  >) {
    const value = given[name]
    if (value === undefined) {
      numbers[name] = limits.value
    } else if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < limits.min ||
      value > limits.max
    ) {
      problems.push(`${name} must be a number from ${limits.min} to ${limits.max}; using ${limits.value}`)
      numbers[name] = limits.value
    } else {
      numbers[name] = Math.floor(value)
    }
  }

  const compressionGiven = given.compression ?? nonEmpty(env.ACP_COMPRESSION)?.toLowerCase()
  let compression: Compression = 'gzip'
  if (compressionGiven === 'gzip' || compressionGiven === 'none') compression = compressionGiven
  else if (compressionGiven !== undefined)
    problems.push(
      `compression must be 'gzip' or 'none'; got ${JSON.stringify(compressionGiven)}, using 'gzip'`,
    )

  const endpoint = nonEmpty(given.endpoint) ?? nonEmpty(env.ACP_ENDPOINT)
  const apiKey = nonEmpty(given.apiKey) ?? nonEmpty(env.ACP_API_KEY)
  let disabledReason: string | undefined
  if (given.enabled === false) {
    disabledReason = 'the enabled option is false'
  } else if (!endpoint || !apiKey) {
    disabledReason = `no ${endpoint ? '' : 'endpoint (ACP_ENDPOINT)'}${!endpoint && !apiKey ? ' and no ' : ''}${apiKey ? '' : 'API key (ACP_API_KEY)'} is configured`
  } else if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    disabledReason = `the endpoint "${endpoint}" is not an http(s) URL`
    problems.push(`endpoint must be an http(s) URL such as https://acp.example.com; got "${endpoint}"`)
  }

  return {
    enabled: disabledReason === undefined,
    disabledReason,
    // Trailing slashes are dropped so `${endpoint}/v1/events` never has a double slash.
    endpoint: (endpoint ?? '').replace(/\/+$/, ''),
    apiKey: apiKey ?? '',
    debug: given.debug ?? readFlag(env.ACP_DEBUG),
    onError: typeof given.onError === 'function' ? given.onError : undefined,
    ...numbers,
    compression,
    flushOnExit: given.flushOnExit ?? true,
    defaultContext: given.defaultContext ?? {},
    problems,
  }
}
