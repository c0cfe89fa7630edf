import type { CallContext } from '../call-context.ts'
import type { ProfilerError } from '../profiler-error.ts'
import type { Compression, ProfilerOptions, SendThread } from '../profiler-options.ts'
import { describeValue } from './describe-value.ts'
import { snapshotCallContext } from './merge-call-context.ts'

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
  sendThread: SendThread
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
  /** What `defaultContext` held that cannot be recorded (left out of it), for one `INVALID_CONTEXT`. */
  defaultContextProblems: readonly string[]
  /** Options that were ignored because they were invalid, each with what was wrong. */
  problems: string[]
  /**
   * Problems nobody would hear of otherwise (an `onError` that is not a function), for the console,
   * once, whether or not `debug` is on.
   */
  warnings: string[]
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

// Printable without spaces, ASCII or Latin-1 letters: what an Authorization header carries as it is,
// and what the server takes as ACP_INIT_API_KEY.
const API_KEY_CHARACTERS = /^[\x21-\x7e\xa1-\xff]+$/

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}

const INVALID = Symbol('invalid')

/** A string option: trimmed, undefined when absent or blank, `INVALID` when it is not a string. */
function readStringOption(value: unknown): string | undefined | typeof INVALID {
  if (value === undefined || value === null) return undefined
  return typeof value === 'string' ? nonEmpty(value) : INVALID
}

/** A boolean option, or its default (with a problem listed) when it is something else. */
function readBooleanOption(
  name: string,
  value: unknown,
  fallback: boolean,
  fallbackText: string,
  problems: string[],
): boolean {
  if (value === undefined) return fallback
  if (typeof value === 'boolean') return value
  problems.push(`${name} must be true or false; got ${describeValue(value)}, using ${fallbackText}`)
  return fallback
}

/** An option that takes one of a few words: the first is its default. */
function readChoiceOption<Choice extends string>(option: {
  name: string
  given: unknown
  choices: readonly [Choice, ...Choice[]]
  problems: string[]
}): Choice {
  const { name, given, choices, problems } = option
  if ((choices as readonly unknown[]).includes(given)) return given as Choice
  const fallback = choices[0]
  if (given !== undefined) {
    const named = choices.map((choice) => `'${choice}'`).join(' or ')
    problems.push(`${name} must be ${named}; got ${JSON.stringify(given)}, using '${fallback}'`)
  }
  return fallback
}

/**
 * Resolves options argument → environment variable → default. Invalid values never throw: they are
 * replaced by their default (or turn the profiler off) and listed in `problems` for `onError`.
 */
export function resolveProfilerOptions(
  options: ProfilerOptions | undefined,
  env: Environment,
): ResolvedProfilerOptions {
  const problems: string[] = []
  const warnings: string[] = []
  let given: ProfilerOptions = {}
  // Said in the reason too when it leaves the profiler unconfigured: `createProfiler(url)` is a likely slip.
  let optionsNotAnObject = ''
  if (typeof options === 'object' && options !== null) given = options
  else if (options !== undefined && options !== null) {
    optionsNotAnObject = ` (createProfiler() was given ${describeValue(options)}, not an options object)`
    problems.push(
      `createProfiler() takes an options object such as { endpoint, apiKey }; got ${describeValue(options)}, so only the environment variables are used`,
    )
  }
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

  const compression = readChoiceOption({
    name: 'compression',
    given: given.compression ?? nonEmpty(env.ACP_COMPRESSION)?.toLowerCase(),
    choices: ['gzip', 'none'] as const,
    problems,
  })
  const sendThread = readChoiceOption({
    name: 'sendThread',
    given: given.sendThread ?? nonEmpty(env.ACP_SEND_THREAD)?.toLowerCase(),
    choices: ['worker', 'inline'] as const,
    problems,
  })

  // A URL object stands for its address; any other type is a mistake that turns the profiler off.
  const endpointOption: unknown = given.endpoint
  const endpointGiven = readStringOption(endpointOption instanceof URL ? endpointOption.href : endpointOption)
  const apiKeyGiven = readStringOption(given.apiKey)
  const wronglyTyped: string[] = []
  if (endpointGiven === INVALID) {
    wronglyTyped.push('endpoint')
    problems.push(
      `endpoint must be a string or a URL, such as 'https://acp.example.com'; got ${describeValue(endpointOption)}`,
    )
  }
  if (apiKeyGiven === INVALID) {
    wronglyTyped.push('apiKey')
    problems.push(
      `apiKey must be a string, the project API key (e.g. process.env.ACP_API_KEY); got ${describeValue(given.apiKey)}`,
    )
  }
  const endpoint = (endpointGiven === INVALID ? undefined : endpointGiven) ?? nonEmpty(env.ACP_ENDPOINT)
  const apiKey = (apiKeyGiven === INVALID ? undefined : apiKeyGiven) ?? nonEmpty(env.ACP_API_KEY)

  const onErrorGiven: unknown = given.onError
  if (onErrorGiven !== undefined && onErrorGiven !== null && typeof onErrorGiven !== 'function') {
    const problem = `onError must be a function that receives a ProfilerError; got ${describeValue(onErrorGiven)}, so the profiler's problems reach no handler`
    problems.push(problem)
    warnings.push(problem)
  }
  const defaultContextGiven: unknown = given.defaultContext
  let defaultContext: CallContext = {}
  let defaultContextProblems: readonly string[] = []
  if (
    typeof defaultContextGiven === 'object' &&
    defaultContextGiven !== null &&
    !Array.isArray(defaultContextGiven)
  ) {
    defaultContext = snapshotCallContext(defaultContextGiven as CallContext, (found) => {
      defaultContextProblems = found
    })
  } else if (defaultContextGiven !== undefined && defaultContextGiven !== null) {
    problems.push(
      `defaultContext must be an object such as { feature: 'support-chat' }; got ${describeValue(defaultContextGiven)}, using none`,
    )
  }
  const debug = readBooleanOption('debug', given.debug, readFlag(env.ACP_DEBUG), 'ACP_DEBUG', problems)
  const flushOnExit = readBooleanOption('flushOnExit', given.flushOnExit, true, 'true', problems)
  const enabledGiven = readBooleanOption('enabled', given.enabled, true, 'on when configured', problems)

  let disabledReason: string | undefined
  if (!enabledGiven) {
    disabledReason = 'the enabled option is false'
  } else if (wronglyTyped.length > 0) {
    disabledReason = `the ${wronglyTyped.join(' and ')} option${wronglyTyped.length > 1 ? 's are' : ' is'} not of the right type (see INVALID_OPTIONS)`
  } else if (!endpoint || !apiKey) {
    disabledReason = `no ${endpoint ? '' : 'endpoint (ACP_ENDPOINT)'}${!endpoint && !apiKey ? ' and no ' : ''}${apiKey ? '' : 'API key (ACP_API_KEY)'} is configured${optionsNotAnObject}`
  } else if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    disabledReason = `the endpoint "${endpoint}" is not an http(s) URL`
    problems.push(`endpoint must be an http(s) URL such as https://acp.example.com; got "${endpoint}"`)
  } else if (/[?#]/.test(endpoint)) {
    // Events go to `${endpoint}/v1/events`: after a query or a fragment that path would be lost.
    disabledReason = `the endpoint "${endpoint}" has a query string or a fragment`
    problems.push(
      `endpoint must be the server's base URL, without a query string or fragment, such as https://acp.example.com; got "${endpoint}"`,
    )
  } else if (!API_KEY_CHARACTERS.test(apiKey)) {
    // Sent in the Authorization header, such a key would fail every request until the breaker opened.
    disabledReason = 'the API key holds characters an HTTP header cannot carry'
    problems.push(
      'apiKey holds a space, a line break, a control character or a character past Latin-1 (U+00FF), which an HTTP header cannot carry; pass the key exactly as `keys create` printed it (acp_…) or as ACP_INIT_API_KEY set it',
    )
  }

  return {
    enabled: disabledReason === undefined,
    disabledReason,
    // Trailing slashes are dropped so `${endpoint}/v1/events` never has a double slash.
    endpoint: (endpoint ?? '').replace(/\/+$/, ''),
    apiKey: apiKey ?? '',
    debug,
    onError:
      typeof onErrorGiven === 'function' ? (onErrorGiven as ResolvedProfilerOptions['onError']) : undefined,
    ...numbers,
    compression,
    sendThread,
    flushOnExit,
    defaultContext,
    defaultContextProblems,
    problems,
    warnings,
  }
}
