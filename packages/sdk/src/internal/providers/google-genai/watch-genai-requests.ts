import { performance } from 'node:perf_hooks'
import type { UsageBuckets } from '@ai-cost-profiler/core'
import type { AttemptScope } from '../../attempt-scope.ts'
import type { CallTracker } from '../../call-tracker.ts'
import { isPlainObject } from '../../is-plain-object.ts'
import type { WrapSession } from '../../wrap-session.ts'
import {
  type GeminiResponseFacts,
  geminiUsage,
  mergeGeminiUsageMetadata,
  readGeminiResponse,
} from '../gemini/read-gemini-response.ts'
import { asFields } from '../read-fields.ts'

type Fetch = (input: unknown, init?: unknown) => Promise<unknown>

/** The parameters of a `@google/genai` call with a counting fetch in them, and what it watches. */
export interface WatchedGenAiCall {
  params: Record<string, unknown>
  scope: AttemptScope
  rounds: {
    /** Set to the call's tracker once it starts: the rounds of automatic function calling are its relatives. */
    tracker: CallTracker | undefined
    /**
     * Called as each model request that is not a retry goes out: a stream's observer starts the tool
     * loop's next round there (see `startNextRound`).
     */
    onRequest: (() => void) | undefined
  }
  /**
   * Records the last answered round as its own event: for a call that failed after it (a tool that
   * threw), whose own event then carries no usage.
   */
  settleLastRound(): void
}

/** One model request of a call, with the first of its attempts' start and what its answer said. */
interface Hop {
  startedAt: number
  /** When a stream's round gave its first output: set on its last hop, as the next round starts. */
  firstTokenAt?: number | undefined
  answer: Promise<HopAnswer | undefined>
}

interface HopAnswer {
  facts: GeminiResponseFacts
  /** The answer ends with a continuation token: the next request resumes it. */
  continues: boolean
  endedAt: number
}

// Where Node keeps its fetch's (undici's) global dispatcher.
const UNDICI_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1')

/**
 * What @google/genai does to a request it sends with the global fetch, and skips when a call has a
 * `fetch` of its own (as a watched call has): it lifts undici's 300 s header and body timeouts, which
 * would cut long generations short (the SDK's own `timeout` still applies). Done here for it.
 */
function withoutUndiciTimeouts(init: unknown): unknown {
  const fields = asFields(init)
  if (!fields || 'dispatcher' in fields || typeof process?.versions?.node !== 'string') return init
  const dispatcher = {
    dispatch(options: object, handler: unknown) {
      if ((globalThis as Record<symbol, unknown>)[UNDICI_GLOBAL_DISPATCHER] === undefined) new Headers()
      const global = (globalThis as Record<symbol, unknown>)[UNDICI_GLOBAL_DISPATCHER] as
        | { dispatch(options: object, handler: unknown): boolean }
        | undefined
      if (typeof global?.dispatch !== 'function') throw new Error('undici has no global dispatcher')
      return global.dispatch({ ...options, headersTimeout: 0, bodyTimeout: 0 }, handler)
    },
  }
  return { ...fields, dispatcher }
}

/**
 * True when a view of `target` can show `key` as its own property (see `viewWith`): not when `target`
 * is sealed or frozen, or holds `key` as not configurable.
 */
function canViewWith(target: Record<string, unknown>, key: string): boolean {
  return Object.isExtensible(target) && Object.getOwnPropertyDescriptor(target, key)?.configurable !== false
}

/**
 * `target` seen with `key` holding `value` (`canViewWith` must allow it). Every other read, and every
 * write, reaches `target` itself, as it would unwrapped: @google/genai writes back into the caller's
 * params (the tool loop's exchange into `params.contents`, `embedContent`'s normalised `contents`, a
 * JSON `responseSchema` moved to `responseJsonSchema` in `config`).
 */
function viewWith(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  return new Proxy(target, {
    get: (object, property, receiver) => (property === key ? value : Reflect.get(object, property, receiver)),
    has: (object, property) => property === key || Reflect.has(object, property),
    ownKeys: (object) => {
      const keys = Reflect.ownKeys(object)
      return keys.includes(key) ? keys : [...keys, key]
    },
    getOwnPropertyDescriptor: (object, property) =>
      property === key
        ? { value, writable: true, enumerable: true, configurable: true }
        : Reflect.getOwnPropertyDescriptor(object, property),
  })
}

function asFetch(value: unknown): Fetch | undefined {
  return typeof value === 'function' ? (value as Fetch) : undefined
}

/** True when @google/genai runs its own tool loop for these params (callable tools, not disabled). */
function runsToolLoop(config: Record<string, unknown>): boolean {
  if (asFields(config.automaticFunctionCalling)?.disable === true) return false
  const tools = config.tools
  return Array.isArray(tools) && tools.some((tool) => typeof asFields(tool)?.callTool === 'function')
}

/** What one answer says: a JSON response, or the last chunk of a server-sent event stream that carries usage, with the answer's headers. */
async function readHopAnswer(response: Response): Promise<HopAnswer | undefined> {
  const text = await response.text()
  let last: unknown
  let usageMetadata: Readonly<Record<string, unknown>> | undefined
  if (text.trimStart().startsWith('{')) last = JSON.parse(text)
  else {
    for (const line of text.split('\n')) {
      if (!line.startsWith('data:')) continue
      const chunk = JSON.parse(line.slice(5))
      const chunkUsage = asFields(asFields(chunk)?.usageMetadata)
      usageMetadata = mergeGeminiUsageMetadata(usageMetadata, chunkUsage)
      if (chunkUsage !== undefined || last === undefined) last = chunk
    }
  }
  if (last === undefined) return undefined
  const candidates = asFields(last)?.candidates
  const first = Array.isArray(candidates) ? asFields(candidates[0]) : undefined
  // The served tier may be in a header only (`x-gemini-service-tier`): read as the call's own response
  // carries it, in `sdkHttpResponse`, so every round takes its tier by the same rule.
  const headers = Object.fromEntries(response.headers)
  return {
    facts: readGeminiResponse({
      ...asFields(last),
      ...(usageMetadata ? { usageMetadata } : {}),
      sdkHttpResponse: { headers },
    }),
    continues: typeof first?.continuationToken === 'string' && first.continuationToken !== '',
    endedAt: performance.now(),
  }
}

function addUsage(sum: UsageBuckets | undefined, usage: UsageBuckets | undefined): UsageBuckets | undefined {
  if (!usage) return sum
  if (!sum) return { ...usage }
  const total: Record<string, number> = { ...sum }
  for (const [key, value] of Object.entries(usage)) total[key] = (total[key] ?? 0) + (value ?? 0)
  return total as UsageBuckets
}

/**
 * Watches the HTTP requests of one `@google/genai` call through the `fetch` its per-call
 * `config.httpOptions` may carry, which the SDK prefers to the client's. The counting fetch calls the
 * fetch the call would have used: the call's own, else the client's
 * (`apiClient.clientOptions.httpOptions.fetch`), else the global `fetch` at the time of the request.
 * Only calls that can send more than one request are watched: with `retryOptions` (the call's or the
 * client's) or callable tools; the others are left exactly as they are. When the client's options
 * cannot be read, the call is left unwatched too, rather than risk passing its requests by the
 * client's own fetch. The call gets a view of the caller's params and config with that fetch in them:
 * the profiler changes neither, and what @google/genai writes into them reaches them as unwrapped.
 *
 * Retries (`retryOptions`): only a request after a failed one (an error status or a thrown fetch)
 * counts as one. Automatic function calling: @google/genai sends a model request per round of its tool
 * loop inside the one call, and the call's response carries the last round's usage only; every other
 * round is recorded as an event of its own (the call's context, its own usage and time), read from a
 * copy of its answer. A request that resumes an answer with its continuation token belongs to the
 * same round, and its usage is added to it, as @google/genai adds it up.
 */
export function watchGenAiRequests(
  params: unknown,
  models: object,
  session: WrapSession,
): WatchedGenAiCall | undefined {
  if (!isPlainObject(params)) return undefined
  const config = params.config ?? {}
  if (!isPlainObject(config)) return undefined
  const httpOptions = config.httpOptions ?? {}
  if (!isPlainObject(httpOptions)) return undefined
  // Sealed or frozen params cannot be seen through with the fetch in them, and a copy would take
  // @google/genai's writes that fail on them unwrapped: such a call is left exactly as it is.
  if (!canViewWith(params, 'config') || !canViewWith(config, 'httpOptions')) return undefined
  const clientOptions = asFields(asFields(asFields(models)?.apiClient)?.clientOptions)
  if (!clientOptions) return undefined
  const watchRounds = runsToolLoop(config)
  // Only a call that may send more than one request is watched: the others are left exactly as they are.
  const retries =
    asFields(httpOptions.retryOptions) !== undefined ||
    asFields(asFields(clientOptions.httpOptions)?.retryOptions) !== undefined
  if (!watchRounds && !retries) return undefined
  const chosen = asFetch(httpOptions.fetch) ?? asFetch(asFields(clientOptions.httpOptions)?.fetch)

  const scope: AttemptScope = { attempts: 0, parent: undefined }
  const rounds: WatchedGenAiCall['rounds'] = { tracker: undefined, onRequest: undefined }
  let lastFailed = false
  let current: Hop | undefined
  let roundHops: Hop[] = []
  let recorded: Promise<void> = Promise.resolve()

  // The hop before a new one either ends a round that is not the last (recorded now) or is resumed.
  const settle = (hop: Hop) => {
    recorded = recorded.then(() =>
      recordRound(hop).catch((error: unknown) =>
        session.reporter.reportInternal('recording a round of a Gemini tool loop', error),
      ),
    )
    session.trackFinishing(recorded)
  }

  const recordRound = async (hop: Hop) => {
    const answer = await hop.answer
    roundHops.push(hop)
    if (answer?.continues) return
    const hops = roundHops
    roundHops = []
    const answers = await Promise.all(hops.map((item) => item.answer))
    const known = answers.filter((item): item is HopAnswer => item !== undefined)
    const lastAnswer = known.at(-1)
    if (!rounds.tracker || !lastAnswer) return
    const usage = known.reduce<UsageBuckets | undefined>(
      (sum, item) => addUsage(sum, geminiUsage(item.facts.usageMetadata)),
      undefined,
    )
    rounds.tracker.startRelated(hops[0]!.startedAt, hops.at(-1)!.firstTokenAt).finish({
      status: 'success',
      model: lastAnswer.facts.model,
      usage,
      serviceTier: lastAnswer.facts.serviceTier,
      endedAt: lastAnswer.endedAt,
    })
  }

  const countingFetch: Fetch = async (input, init) => {
    const retry = lastFailed
    if (scope.attempts === 0 || retry) scope.attempts++
    lastFailed = false
    if (watchRounds && !retry) {
      const startedAt = performance.now()
      const previous = current
      current = { startedAt, answer: Promise.resolve(undefined) }
      if (previous) {
        // A request that resumes an answer (with its continuation token) is in the same round. Any other
        // starts the next one, and the call's own event, which carries the last round, starts over there.
        // The answer before was read whole by @google/genai before it asked again, so its copy is at hand.
        if ((await previous.answer)?.continues !== true) {
          previous.firstTokenAt = rounds.tracker?.startNextRound(startedAt)
        }
        settle(previous)
      }
      rounds.onRequest?.()
    }
    const hop = current
    try {
      const response = await (chosen === undefined
        ? (globalThis.fetch as Fetch)(input, withoutUndiciTimeouts(init))
        : chosen(input, init))
      lastFailed = asFields(response)?.ok === false
      if (hop && !lastFailed && response instanceof Response) {
        hop.answer = readHopAnswer(response.clone()).catch(() => undefined)
      }
      return response
    } catch (error) {
      lastFailed = true
      throw error
    }
  }
  return {
    params: viewWith(
      params,
      'config',
      viewWith(config, 'httpOptions', { ...httpOptions, fetch: countingFetch }),
    ),
    scope,
    rounds,
    settleLastRound: () => {
      if (current) settle(current)
      current = undefined
    },
  }
}
