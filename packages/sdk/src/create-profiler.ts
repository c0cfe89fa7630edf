import { AsyncLocalStorage } from 'node:async_hooks'
import {
  exceedsJsonDepth,
  findInexactNumber,
  findUnstorableText,
  jsonTextMayHoldUnstorableText,
  MAX_METADATA_BYTES,
  MAX_METADATA_DEPTH,
} from '@ai-cost-profiler/core'
import type { CallContext } from './call-context.ts'
import type { CallTracker } from './internal/call-tracker.ts'
import { clientShapeFor } from './internal/client-shape-for.ts'
import { createClientProxy } from './internal/create-client-proxy.ts'
import { createStrippingProxy } from './internal/create-stripping-proxy.ts'
import { describeValue } from './internal/describe-value.ts'
import { detectClientKind } from './internal/detect-client-kind.ts'
import { createErrorReporter, type ErrorReporter } from './internal/error-reporter.ts'
import { installAttemptCounter } from './internal/install-attempt-counter.ts'
import { invalidContextReporter } from './internal/invalid-context-reporter.ts'
import { mergeCallContext, snapshotCallContext } from './internal/merge-call-context.ts'
import { OpenCalls } from './internal/open-calls.ts'
import { readProviderOption } from './internal/read-provider-option.ts'
import { resolveProfilerOptions } from './internal/resolve-profiler-options.ts'
import { EventTransport } from './internal/transport/event-transport.ts'
import { registerExitDropReport } from './internal/transport/exit-drop-report.ts'
import { registerExitFlush } from './internal/transport/exit-flush.ts'
import { createWrapSession } from './internal/wrap-session.ts'
import { ProfilerError } from './profiler-error.ts'
import type { ProfilerOptions } from './profiler-options.ts'
import type { ProfilerStats } from './profiler-stats.ts'

/** Options of `profiler.wrap()`: a context for every call of the client, and an optional provider slug. */
export interface WrapOptions extends CallContext {
  /**
   * Records calls under this provider slug instead of the detected one (e.g. an OpenAI-compatible
   * gateway): 1 to 64 lower-case letters, digits, `.`, `_` or `-`, such as `azure-openai`. Another value
   * is reported as `INVALID_OPTIONS` and the detected provider is used.
   */
  provider?: string
}

/** A profiler: wraps provider clients, scopes context, and delivers the recorded events. */
export interface Profiler {
  /**
   * False when the profiler is off (not configured or `enabled: false`); calls then pass through
   * unrecorded, only without the per-call context option.
   */
  readonly enabled: boolean
  /** Returns the client, of the same type, with every supported call recorded. Unsupported clients are returned as they are. */
  wrap<Client extends object>(client: Client, options?: WrapOptions): Client
  /** Runs `fn` with `context` applied to every call it makes, including across `await`s; contexts nest. */
  withContext<Result>(context: CallContext, fn: () => Result): Result
  /** Sends every queued event now; resolves when done or after `shutdownTimeoutMs`. Never rejects. */
  flush(): Promise<void>
  /**
   * Waits for the calls under way (at most half of `shutdownTimeoutMs`), then stops recording and sends
   * what is queued, all within `shutdownTimeoutMs`, and reports what could not be recorded or sent.
   * Every call returns the same promise.
   */
  shutdown(): Promise<void>
  /** Counters of events queued, sent and dropped. */
  stats(): ProfilerStats
}

const EMPTY_STATS: ProfilerStats = {
  queued: 0,
  inFlight: 0,
  sent: 0,
  duplicates: 0,
  dropped: 0,
  failedBatches: 0,
  circuitState: 'closed',
}

/** A profiler that records nothing: calls pass through, only without the per-call context option. */
function disabledProfiler(reporter: ErrorReporter): Profiler {
  return {
    enabled: false,
    wrap(client) {
      try {
        return createStrippingProxy(client, reporter)
      } catch (error) {
        reporter.reportInternal('wrapping a client', error)
        return client
      }
    },
    withContext: (_context, fn) => fn(),
    flush: async () => {},
    shutdown: async () => {},
    stats: () => ({ ...EMPTY_STATS }),
  }
}

/**
 * Creates a profiler. Options fall back to `ACP_ENDPOINT`, `ACP_API_KEY` and `ACP_DEBUG`, read now
 * (never at import). Without an endpoint and API key it is disabled: it warns once and passes calls
 * through unrecorded. It never throws; problems go to `onError`.
 *
 * @example
 * ```ts
 * import OpenAI from 'openai'
 * import { createProfiler } from '@ai-cost-profiler/sdk'
 *
 * const profiler = createProfiler({ endpoint: 'https://acp.example.com', apiKey: process.env.ACP_API_KEY })
 * const openai = profiler.wrap(new OpenAI(), { feature: 'support-chat' })
 *
 * await profiler.withContext({ userId: 'user-42', conversationId: 'conv-7' }, async () => {
 *   await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
 * })
 * await profiler.shutdown()
 * ```
 */
export function createProfiler(options?: ProfilerOptions): Profiler {
  let resolved: ReturnType<typeof resolveProfilerOptions>
  try {
    resolved = resolveProfilerOptions(options, process.env)
  } catch (error) {
    // Options that throw when read (a getter, a revoked proxy): nothing of them can be trusted, onError included.
    const reason = `its options could not be read (${error instanceof Error ? error.message : String(error)})`
    console.warn(`[ai-cost-profiler] disabled: ${reason}; LLM calls are not recorded`)
    return disabledProfiler(createErrorReporter({ debug: false, onError: undefined }))
  }
  const reporter = createErrorReporter({ debug: resolved.debug, onError: resolved.onError })
  for (const warning of resolved.warnings) console.warn(`[ai-cost-profiler] ${warning}`)
  for (const problem of resolved.problems) reporter.report(new ProfilerError('INVALID_OPTIONS', problem))
  if (resolved.defaultContextProblems.length > 0) {
    invalidContextReporter(reporter, 'the defaultContext option')(resolved.defaultContextProblems)
  }

  if (!resolved.enabled) {
    if (options?.enabled !== false) {
      console.warn(`[ai-cost-profiler] disabled: ${resolved.disabledReason}; LLM calls are not recorded`)
      reporter.report(
        new ProfilerError('PROFILER_DISABLED', `the profiler is disabled: ${resolved.disabledReason}`),
      )
    }
    return disabledProfiler(reporter)
  }

  const openCalls = new OpenCalls()
  const transport = new EventTransport({
    ...resolved,
    reporter,
    dropCallsUnderWay: () => openCalls.markDropped(),
  })
  const contextStorage = new AsyncLocalStorage<CallContext>()
  const wrapped = new WeakMap<object, { client: object; options: WrapOptions | undefined }>()
  let recordedCount = 0
  // A process ended by process.exit() or an uncaught exception loses what is still queued or under way:
  // counted and reported rather than silent, after shutdown() too (a call made after it). Held weakly.
  registerExitDropReport(transport)
  let unregisterExitFlush: (() => void) | undefined
  if (resolved.flushOnExit) {
    let flushedAtCount = -1
    unregisterExitFlush = registerExitFlush(async () => {
      // Calls still finishing (a stream whose request was aborted, waiting to hear of its end) are
      // recorded first. Their timers hold no process, so one that does is set while they take (each is
      // bounded: at most a second).
      if (finishing.size > 0) {
        const hold = setInterval(() => undefined, 1_000)
        try {
          await finishingCalls()
        } finally {
          clearInterval(hold)
        }
      }
      // Drops waiting for their summed report are reported even when nothing is left to send.
      transport.reportPendingDrops()
      // Only when something was recorded since the last exit flush; otherwise beforeExit would loop. A
      // request under way does not hold the process (see createBodyPoster): its events are waited for here.
      const { queued, inFlight } = transport.stats()
      if ((queued === 0 && inFlight === 0) || flushedAtCount === recordedCount) return
      flushedAtCount = recordedCount
      await transport.flushBeforeExit(resolved.shutdownTimeoutMs)
    })
  }

  /**
   * Freezes a call's metadata as JSON as it is when the call ends: the caller may change the objects
   * later (even into a cycle), and the event is serialised only when it is sent. Returns why metadata
   * that cannot be sent is left out.
   */
  const snapshotMetadata = (
    call: CallTracker,
    metadata: Readonly<Record<string, unknown>>,
  ): string | undefined => {
    if (exceedsJsonDepth(metadata, MAX_METADATA_DEPTH)) {
      return `nests objects and arrays more than ${MAX_METADATA_DEPTH} levels deep`
    }
    let json: string | undefined
    try {
      json = JSON.stringify(metadata)
    } catch (error) {
      return `cannot be serialised as JSON (${error instanceof Error ? error.message : String(error)})`
    }
    if (json === undefined) return
    if (Buffer.byteLength(json, 'utf8') > MAX_METADATA_BYTES) {
      return `is larger than ${MAX_METADATA_BYTES} bytes of JSON`
    }
    const frozen = JSON.parse(json) as Record<string, unknown>
    const unstorable = jsonTextMayHoldUnstorableText(json) ? findUnstorableText(frozen) : undefined
    if (unstorable !== undefined) {
      return `holds a NUL character or an unpaired surrogate at ${unstorable || 'its top level'}, which cannot be stored`
    }
    const inexact = findInexactNumber(frozen)
    if (inexact !== undefined) {
      return `holds a number at ${inexact} past ±9007199254740991 (2^53 - 1), which the server refuses (send such ids as strings)`
    }
    call.freezeMetadata(frozen)
  }

  // Each context a user hands in is checked as it is merged (see mergeCallContext); what it held that
  // cannot be recorded is reported once, naming where it came from.
  const reportInvalidCallContext = invalidContextReporter(reporter, "a call's per-call context (acp option)")
  const reportInvalidScopedContext = invalidContextReporter(reporter, 'the context of withContext()')

  // Every shutdown() call waits for the same one.
  let shuttingDown: Promise<void> | undefined

  /** Queues a finished call; its event is built when it is first sent (see `CallTracker`). */
  const enqueue = (call: CallTracker) => {
    // Counted as dropped while under way, when shutdown() ended or the process exits: not again.
    if (openCalls.countedAsDropped(call)) return
    recordedCount++
    let metadataProblem: string | undefined
    try {
      const { metadata } = call.context
      metadataProblem = metadata ? snapshotMetadata(call, metadata) : undefined
      // The server would refuse the whole event; the call's cost matters more than its metadata.
      if (metadataProblem !== undefined) call.withoutMetadata = true
      transport.enqueue(call)
    } catch (error) {
      reporter.reportInternal('queueing an event', error)
    }
    // Said once the call is queued, so a handler reading stats() finds it there.
    if (metadataProblem !== undefined) {
      reporter.report(
        new ProfilerError(
          'INVALID_CONTEXT',
          `a call's metadata ${metadataProblem}; the call was recorded without it`,
        ),
      )
    }
  }

  // Calls still finishing after their caller got its answer (each bounded, see `trackFinishing`).
  const finishing = new Set<Promise<void>>()
  const trackFinishing = (work: Promise<void>) => {
    finishing.add(work)
    // Handled either way: a failure of the profiler's own work must never be an unhandled rejection.
    const settled = () => finishing.delete(work)
    void work.then(settled, settled)
  }
  const finishingCalls = async () => {
    if (finishing.size > 0) await Promise.allSettled([...finishing])
  }

  const wrap = <Client extends object>(client: Client, wrapOptions?: WrapOptions): Client => {
    try {
      const previous = wrapped.get(client)
      if (previous && detectClientKind(previous.client)) {
        // Wrapping a client this profiler already wrapped (or a model a wrapped client handed out)
        // refines its options instead of counting twice.
        return wrap(previous.client as Client, { ...previous.options, ...wrapOptions })
      }
      const kind = detectClientKind(client)
      if (!kind) {
        reporter.report(
          new ProfilerError(
            'UNSUPPORTED_CLIENT',
            `wrap() received ${describeValue(client)}, which is not a supported provider client; it is returned unwrapped`,
          ),
        )
        return client
      }
      const stainless = kind === 'openai' || kind === 'anthropic'
      const countsAttempts = stainless && installAttemptCounter(client)
      if (stainless && !countsAttempts) {
        reporter.debug(`cannot count retries of this ${kind} client: it has no replaceable fetch`)
      }
      const { provider: providerGiven, ...context } = wrapOptions ?? {}
      const provider = readProviderOption(providerGiven, reporter)
      // The caller's options are read now, once: clients derived later (withOptions(), a second wrap())
      // get these, whatever the caller's object holds by then.
      const ownContext = snapshotCallContext(
        context,
        invalidContextReporter(reporter, 'the options of wrap()'),
      )
      const options: WrapOptions = provider === undefined ? ownContext : { ...ownContext, provider }
      // Merged once: most calls add no context of their own and share it (events copy what they keep).
      const wrapContext = mergeCallContext([resolved.defaultContext, ownContext])
      const session = createWrapSession({
        reporter,
        providerOverride: provider,
        resolveContext: (callContext) => {
          const scoped = contextStorage.getStore()
          if (scoped === undefined && callContext === undefined) return wrapContext
          return mergeCallContext([wrapContext, scoped, callContext], reportInvalidCallContext)
        },
        onFinish: enqueue,
        onStart: (call) => openCalls.started(call),
        onEnd: (call) => openCalls.ended(call),
        trackFinishing,
        runInCallContext: (callContext, fn) =>
          contextStorage.run(
            mergeCallContext([contextStorage.getStore(), callContext], reportInvalidCallContext),
            fn,
          ),
        scopedContext: () => contextStorage.getStore(),
      })
      let proxy: Client | undefined
      const shape = clientShapeFor(kind, {
        session,
        client,
        countsAttempts,
        root: () => proxy ?? client,
        rewrap: (derived) => wrap(derived, options),
      })
      proxy = createClientProxy(client, shape, new WeakMap(), (real, made) => {
        wrapped.set(made, { client: real, options })
      })
      return proxy
    } catch (error) {
      reporter.reportInternal('wrapping a client', error)
      return client
    }
  }

  return {
    enabled: true,
    wrap,
    withContext(context, fn) {
      let merged: CallContext
      try {
        merged = mergeCallContext([contextStorage.getStore(), context], reportInvalidScopedContext)
      } catch (error) {
        reporter.reportInternal('merging a context', error)
        return fn()
      }
      return contextStorage.run(merged, fn)
    },
    async flush() {
      try {
        await finishingCalls()
        await transport.flush(resolved.shutdownTimeoutMs)
      } catch (error) {
        reporter.reportInternal('flushing', error)
      }
    },
    shutdown() {
      shuttingDown ??= (async () => {
        unregisterExitFlush?.()
        try {
          const timeoutMs = resolved.shutdownTimeoutMs
          const startedAtMs = Date.now()
          const deadline = startedAtMs + timeoutMs
          // Calls under way (a server's requests still finishing on SIGTERM) are billed: they are waited
          // for while what is queued is sent, for at most half the bound, so their events always have the
          // other half to be sent. A call never consumed (a stream never read) counts as under way.
          await Promise.all([
            openCalls.noneUnderWayBy(Date.now() + timeoutMs / 2),
            transport.flush(timeoutMs / 2),
          ])
          await finishingCalls()
          await transport.close(Math.max(0, deadline - Date.now()), { startedAtMs, deadlineMs: deadline })
        } catch (error) {
          reporter.reportInternal('shutting down', error)
        }
        // The exit report stays: a call made after shutdown() and under way at process.exit() is lost too.
      })()
      return shuttingDown
    },
    stats: () => transport.stats(),
  }
}
