import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { LlmCallEventInput } from '@ai-cost-profiler/core'
import { ProfilerError } from '../../profiler-error.ts'
import type { Compression, SendThread } from '../../profiler-options.ts'
import type { ProfilerStats } from '../../profiler-stats.ts'
import type { ErrorReporter } from '../error-reporter.ts'
import { type BodySender, createBodySender } from './body-sender.ts'
import { BoundedQueue } from './bounded-queue.ts'
import { CircuitBreaker } from './circuit-breaker.ts'
import { DeferredEvent } from './deferred-event.ts'
import { retryAfterDelayMs, retryDelayMs } from './retry-delay.ts'
import { type EventRejection, type SendOutcome, sendBatch } from './send-batch.ts'
import { EVENTS_PER_TURN, yieldToEventLoop } from './yield-to-event-loop.ts'

/** Options of `EventTransport`. */
export interface EventTransportOptions {
  endpoint: string
  apiKey: string
  batchSize: number
  /** How request bodies are encoded (see `ProfilerOptions.compression`). */
  compression: Compression
  /** Where requests are sent from (see `ProfilerOptions.sendThread`). */
  sendThread: SendThread
  flushIntervalMs: number
  maxQueueSize: number
  requestTimeoutMs: number
  initialBackoffMs: number
  maxBackoffMs: number
  breakerFailureThreshold: number
  breakerCooldownMs: number
  reporter: ErrorReporter
  /** A number in [0, 1) for backoff jitter; injectable for tests. */
  random?: () => number
  /**
   * Counts the calls under way (sent, so billed, not recorded yet) that are not counted yet, as they
   * can no longer be recorded (shutdown ended, or the process exits), and returns how many.
   */
  dropCallsUnderWay?: () => number
}

// Reasons quoted in a report: enough to see what is wrong, few enough for one log line.
const REASONS_QUOTED = 3
/** How long a batch size the server refused as too large stays the ceiling of regrowth. */
const REFUSED_SIZE_MEMORY_MS = 10 * 60_000

/** The server's first reasons for refusing events, for a report: `; first: usage.x CODE: message; …`. */
function describeRejections(rejections: readonly EventRejection[]): string {
  if (rejections.length === 0) return ''
  const quoted = rejections
    .slice(0, REASONS_QUOTED)
    .map((rejection) => `${rejection.path} ${rejection.code}: ${rejection.message}`)
  const more = rejections.length > REASONS_QUOTED ? ` (and ${rejections.length - REASONS_QUOTED} more)` : ''
  return `; first: ${quoted.join('; ')}${more}`
}

/**
 * Batches events and sends them to the ingest API off the caller's path: one request at a time, at
 * most `batchSize` events each, after `flushIntervalMs` or as soon as a batch is full. Failed batches
 * go back to the front of a bounded queue and are retried with backoff (or after `Retry-After`);
 * every event gets an idempotency key when it is first sent (unless it has one), so a resend after a
 * lost answer is stored once.
 */
export class EventTransport {
  private readonly queue: BoundedQueue<LlmCallEventInput | DeferredEvent>
  private readonly breaker: CircuitBreaker
  private readonly sender: BodySender
  /** Events taken from the queue for the request being built or sent. */
  private inFlight = 0
  private sending: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private timerAtMs = Number.POSITIVE_INFINITY
  private nextAttemptAtMs = 0
  private consecutiveFailures = 0
  /** Why the last request failed, while requests keep failing: said when events are abandoned. */
  private lastFailure: string | undefined = undefined
  private closed = false
  private closing: Promise<void> | undefined
  /** Events per request now: `batchSize`, halved after a 413 and grown back after each success. */
  private batchLimit: number
  /**
   * The fewest events the server refused as too large lately: growth stays below it until
   * `refusedSizeUntilMs`, so large events do not make every other request a 413.
   */
  private refusedSize = Number.POSITIVE_INFINITY
  private refusedSizeUntilMs = 0
  /** Bumped when the sends under way are abandoned, so their late outcome is not counted again. */
  private generation = 0
  /** Set while close() drains: events are still taken, and the drain sends them. */
  private draining = false
  private abandon = new AbortController()
  private unreportedDrops = 0
  private dropReportTimer: NodeJS.Timeout | undefined
  private lastDropReportAtMs = Number.NEGATIVE_INFINITY
  private reportedLateDrops = false
  private reportedUnrecognizedEndpoint = false
  private counters = { sent: 0, duplicates: 0, dropped: 0, failedBatches: 0 }

  constructor(private readonly options: EventTransportOptions) {
    this.batchLimit = options.batchSize
    this.queue = new BoundedQueue(options.maxQueueSize)
    this.breaker = new CircuitBreaker({
      failureThreshold: options.breakerFailureThreshold,
      cooldownMs: options.breakerCooldownMs,
    })
    this.sender = createBodySender(options.sendThread, (error) =>
      options.reporter.reportInternal(
        "the send thread could not start or failed, so events are sent from the event loop (sendThread: 'inline' says so up front)",
        error,
      ),
    )
  }

  /** Queues one event (or a record it is built from when first sent); never blocks and never throws. */
  enqueue(event: LlmCallEventInput | DeferredEvent): void {
    if (this.closed) {
      this.counters.dropped++
      // Said once: a host that keeps calling after shutdown() would otherwise get a report per call.
      if (!this.reportedLateDrops) {
        this.reportedLateDrops = true
        this.options.reporter.report(
          new ProfilerError(
            'EVENTS_DROPPED',
            'a call ended after shutdown() stopped recording: it was made after shutdown(), or was still under way when shutdown() stopped waiting for calls (after half of shutdownTimeoutMs), and is not recorded (reported once; stats().dropped counts each)',
            { droppedEvents: 1 },
          ),
        )
      }
      return
    }
    const dropped = this.queue.push(event)
    if (dropped > 0) this.drop(dropped)
    this.scheduleSend()
  }

  /** The remembered refused size, or infinity once it has expired. */
  private refusedSizeNow(): number {
    return Date.now() < this.refusedSizeUntilMs ? this.refusedSize : Number.POSITIVE_INFINITY
  }

  stats(): ProfilerStats {
    return {
      queued: this.queue.length,
      inFlight: this.inFlight,
      ...this.counters,
      circuitState: this.breaker.state,
    }
  }

  /** Sends everything queued now, waiting at most `timeoutMs`; true when nothing is left. */
  async flush(timeoutMs: number): Promise<boolean> {
    return this.drain(Date.now() + timeoutMs)
  }

  /**
   * Sends everything queued before the process exits, waiting at most `timeoutMs`; what is not sent
   * by then, the request under way included, is abandoned, counted as dropped and reported. A request
   * under way does not keep the process alive by itself (see `createBodyPoster`): this is where a process that
   * has finished its work waits for it, within the bound.
   */
  async flushBeforeExit(timeoutMs: number): Promise<void> {
    const startedAtMs = Date.now()
    const deadlineMs = startedAtMs + timeoutMs
    if (!(await this.drain(deadlineMs))) {
      this.abandonRemaining(this.unsentReason('the flush at exit', startedAtMs, deadlineMs))
    }
    this.reportDrops('the queue was full')
  }

  /**
   * For the process's `exit` event, when nothing can be sent any more (after `process.exit()` or an
   * uncaught exception): counts the events still queued or in the request under way, and the calls
   * still under way, as dropped, and returns what reports them once, with the drops still waiting for
   * their summed report. Counting and reporting are apart, so every profiler counts its losses before
   * any handler is told (one that exits the process stops the rest). Synchronous.
   */
  dropAtExit(): () => void {
    const inFlight = this.inFlight
    const queued = this.queue.clear()
    // Calls still under way (a stream left at its last chunk, whose usage is read after; a call awaited
    // elsewhere) were sent, so billed, and will never be recorded now.
    const underWay = this.options.dropCallsUnderWay?.() ?? 0
    const left = queued + inFlight + underWay
    if (left > 0) {
      // A late outcome of the request under way (none can come now) would not count its events again.
      this.generation++
      this.inFlight = 0
      this.counters.dropped += left
    }
    return () => {
      this.reportPendingDrops()
      if (left === 0) return
      this.options.reporter.report(
        new ProfilerError(
          'EVENTS_DROPPED_AT_EXIT',
          `the process exited with ${left} event(s) not sent (${queued} queued, ${inFlight} in the request under way, ${underWay} of calls still under way); they are counted as dropped${inFlight > 0 ? ' (the server may have stored those of the request under way: no answer confirmed them)' : ''}. process.exit() and uncaught exceptions end the process before events can be sent (and so does its end with flushOnExit: false): await profiler.shutdown() before calling process.exit()`,
          { droppedEvents: left },
        ),
      )
    }
  }

  /** Reports at once the drops still waiting for their summed report (whose timer holds no process). */
  reportPendingDrops(): void {
    this.reportDrops('the queue was full (the server is slow or unreachable)')
  }

  /**
   * Stops accepting events, drains within `timeoutMs`, and counts what is left as dropped, the
   * request under way included (it is abandoned, so nothing keeps the process alive after), and the
   * calls still under way, which can no longer be recorded. `shutdown` says when the shutdown began
   * and its deadline, when it did work before this drain (its report counts from then). Every call
   * waits for the same drain.
   */
  close(timeoutMs: number, shutdown?: { startedAtMs: number; deadlineMs: number }): Promise<void> {
    if (this.closing) return this.closing
    // A call that ends while the drain runs is still sent with the rest: the drain sends what is
    // queued until it is empty or the time is up. Only then does the transport close.
    this.draining = true
    this.clearTimer()
    this.closing = (async () => {
      const startedAtMs = shutdown?.startedAtMs ?? Date.now()
      const deadlineMs = shutdown?.deadlineMs ?? startedAtMs + timeoutMs
      const drained = await this.drain(Math.min(deadlineMs, Date.now() + timeoutMs))
      this.closed = true
      this.draining = false
      if (!drained) this.abandonRemaining(this.unsentReason('shutdown()', startedAtMs, deadlineMs))
      this.reportDrops('the queue was full')
      this.dropCallsUnderWay()
      this.sender.close()
    })()
    return this.closing
  }

  /**
   * Counts the calls still under way when shutdown ends as dropped, and says so once: the process may
   * exit at once (a server on SIGTERM), and their events could not be sent anyway. One of them that
   * ends later is not counted again.
   */
  private dropCallsUnderWay(): void {
    const underWay = this.options.dropCallsUnderWay?.() ?? 0
    if (underWay === 0) return
    this.counters.dropped += underWay
    this.options.reporter.report(
      new ProfilerError(
        'EVENTS_DROPPED',
        `${underWay} call(s) were still under way when shutdown() ended (it waits for them for half of shutdownTimeoutMs; a stream never read counts as under way): they are not recorded (stats().dropped counts them, as each later call)`,
        { droppedEvents: underWay },
      ),
    )
  }

  /**
   * Why `what` (shutdown or the flush at exit) left events unsent, in true figures: the time it spent,
   * and whether it reached its limit (`shutdownTimeoutMs`) or gave up before, its last attempt having
   * failed and the next not allowed in time (a backoff, a `Retry-After` or an open circuit).
   */
  private unsentReason(what: string, startedAtMs: number, deadlineMs: number): string {
    const nowMs = Date.now()
    const spentMs = nowMs - startedAtMs
    if (nowMs >= deadlineMs) {
      return `${what} reached its time limit (shutdownTimeoutMs) after ${spentMs} ms, with sending unfinished`
    }
    return `${what} gave up sending after ${spentMs} ms, before its time limit (shutdownTimeoutMs, ${deadlineMs - startedAtMs} ms): its last attempt failed and the next could not come in time (backoff, Retry-After or an open circuit)`
  }

  /** Abandons the request under way and everything queued: counted as dropped and reported. */
  private abandonRemaining(why: string): void {
    const inFlight = this.sending ? this.inFlight : 0
    if (this.sending) {
      this.generation++
      this.abandon.abort()
      this.abandon = new AbortController()
      this.inFlight = 0
    }
    const queued = this.queue.clear()
    const left = queued + inFlight
    this.counters.dropped += left
    this.options.reporter.report(
      new ProfilerError(
        'SHUTDOWN_TIMEOUT',
        `${why}${this.lastFailure === undefined ? '' : ` (the last request failed with ${this.lastFailure})`}; ${left} event(s) were dropped (${queued} queued, ${inFlight} in the request under way)`,
        { droppedEvents: left },
      ),
    )
  }

  /** Builds a deferred event; one that cannot be built is dropped (the transport never throws). */
  private build(item: DeferredEvent): LlmCallEventInput | undefined {
    try {
      return item.toEvent()
    } catch (error) {
      // Out of the request before it is counted as dropped, so a handler reading stats() sees it once.
      this.inFlight--
      this.counters.dropped++
      this.options.reporter.reportInternal('building an event', error)
      return undefined
    }
  }

  private drop(count: number): void {
    this.counters.dropped += count
    this.unreportedDrops += count
    this.scheduleDropReport()
  }

  /**
   * Drops are reported at most once per `flushIntervalMs`, summed, so an outage that drops an event
   * per call cannot flood `onError`; `stats().dropped` counts each one at once. Off the caller's path.
   */
  private scheduleDropReport(): void {
    // After close() starts, its end reports what is left.
    if (this.dropReportTimer || this.closed) return
    const delayMs = Math.max(0, this.lastDropReportAtMs + this.options.flushIntervalMs - Date.now())
    this.dropReportTimer = setTimeout(() => this.reportPendingDrops(), delayMs)
    // Background reporting must never keep the host process alive; the exit flush reports the rest.
    this.dropReportTimer.unref()
  }

  private reportDrops(reason: string): void {
    if (this.dropReportTimer) clearTimeout(this.dropReportTimer)
    this.dropReportTimer = undefined
    if (this.unreportedDrops === 0) return
    const count = this.unreportedDrops
    this.unreportedDrops = 0
    this.lastDropReportAtMs = Date.now()
    this.options.reporter.report(
      new ProfilerError('EVENTS_DROPPED', `${count} event(s) were dropped: ${reason}`, {
        droppedEvents: count,
      }),
    )
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.timerAtMs = Number.POSITIVE_INFINITY
  }

  private schedule(delayMs: number): void {
    // While close() drains, the drain sends.
    if (this.closed || this.draining) return
    const atMs = Date.now() + delayMs
    if (this.timer && this.timerAtMs <= atMs) return
    this.clearTimer()
    this.timerAtMs = atMs
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAtMs = Number.POSITIVE_INFINITY
      this.pump()
    }, delayMs)
    // Background delivery must never keep the host process alive.
    this.timer.unref()
  }

  /**
   * Arms the send timer: at once for a full batch, after `flushIntervalMs` for a partial one, and
   * never before sending may resume (backoff, `Retry-After`, open circuit), so calls made during an
   * outage do not each wake the transport.
   */
  private scheduleSend(): void {
    if (this.queue.length === 0) return
    // A full batch goes at once; a partial one waits for the interval, so a busy client sends full
    // batches instead of a stream of small requests that cost the host CPU for every one.
    const full = this.queue.length >= this.batchLimit
    // One request at a time: the one under way arms the timer again when it settles.
    if (full && this.sending) return
    const nowMs = Date.now()
    const waitMs = full ? 0 : this.options.flushIntervalMs
    this.schedule(Math.max(waitMs, this.blockedUntilMs(nowMs) - nowMs))
  }

  /** When the next request may start (backoff, `Retry-After` or an open circuit), or 0 for now. */
  private blockedUntilMs(nowMs: number): number {
    const until = Math.max(this.nextAttemptAtMs, this.breaker.blockedUntilMs(nowMs))
    return until > nowMs ? until : 0
  }

  private pump(): void {
    if (this.sending || this.queue.length === 0 || this.closed) return
    const nowMs = Date.now()
    const blockedUntilMs = this.blockedUntilMs(nowMs)
    if (blockedUntilMs > 0) {
      this.schedule(blockedUntilMs - nowMs)
      return
    }
    this.startSend()
  }

  private startSend(): Promise<void> {
    const taken = this.queue.take(this.batchLimit)
    this.inFlight = taken.length
    const sending = this.buildAndSend(taken, this.generation)
      // Nothing in it is expected to throw; if something does, the batch is lost, counted and reported,
      // and the host never sees an unhandled rejection.
      .catch((error: unknown) => {
        this.inFlight = 0
        this.drop(taken.length)
        this.options.reporter.reportInternal('sending a batch', error)
      })
      .finally(() => {
        this.inFlight = 0
        this.sending = undefined
        this.scheduleSend()
      })
    this.sending = sending
    return sending
  }

  /** Builds the taken events a few at a time (see `EVENTS_PER_TURN`), then sends them. */
  private async buildAndSend(
    taken: ReadonlyArray<LlmCallEventInput | DeferredEvent>,
    generation: number,
  ): Promise<void> {
    const batch: LlmCallEventInput[] = []
    for (let index = 0; index < taken.length; index++) {
      if (index > 0 && index % EVENTS_PER_TURN === 0) await yieldToEventLoop()
      // Abandoned while it was being built: already counted (an event failing to build now is not again).
      if (generation !== this.generation) return
      const item = taken[index]!
      // Built here rather than when the call ends: off the caller's path. A failed batch goes back built.
      const event = item instanceof DeferredEvent ? this.build(item) : item
      if (event === undefined) continue
      // Given here too, and kept when a failed batch is resent.
      event.idempotencyKey ??= randomUUID()
      batch.push(event)
    }
    await this.sendAndSettle(batch, generation)
  }

  private async sendAndSettle(batch: readonly LlmCallEventInput[], generation: number): Promise<void> {
    let outcome: SendOutcome
    try {
      outcome = await sendBatch({
        endpoint: this.options.endpoint,
        apiKey: this.options.apiKey,
        events: batch,
        compression: this.options.compression,
        sender: this.sender,
        timeoutMs: this.options.requestTimeoutMs,
        maxRetryAfterMs: this.options.maxBackoffMs,
        signal: this.abandon.signal,
      })
    } catch (error) {
      outcome = { kind: 'retry', httpStatus: undefined, retryAfterMs: undefined, message: String(error) }
    }
    // Abandoned at a deadline: its events were counted as dropped then.
    if (generation !== this.generation) return
    // From here on the batch is counted where it settles (sent, dropped, back in the queue), and reports
    // go to onError as that happens: it leaves inFlight first, so a handler reading stats() never sees
    // it twice.
    this.inFlight = 0
    const { reporter } = this.options
    if (outcome.kind === 'rejected' && outcome.httpStatus === 413 && batch.length > 1) {
      // Too large for the server (its limits are in events and bytes): sent again in halves.
      this.batchLimit = Math.ceil(batch.length / 2)
      this.refusedSize = Math.min(this.refusedSizeNow(), batch.length)
      this.refusedSizeUntilMs = Date.now() + REFUSED_SIZE_MEMORY_MS
      const dropped = this.queue.unshift(batch)
      if (dropped > 0) this.drop(dropped)
      reporter.debug(
        `the server refused ${batch.length} events as too large; sending ${this.batchLimit} per request`,
      )
      return
    }
    if (outcome.kind === 'retry') {
      this.handleFailure(batch, outcome)
      return
    }
    this.consecutiveFailures = 0
    this.lastFailure = undefined
    this.nextAttemptAtMs = 0
    // The server answered: it is reachable, whatever it thought of the batch.
    this.breaker.recordSuccess()
    if (outcome.kind === 'rejected') {
      this.counters.dropped += batch.length
      reporter.report(
        new ProfilerError(
          'EVENTS_REJECTED',
          `the server refused a batch of ${batch.length} event(s) with HTTP ${outcome.httpStatus}: ${outcome.message}${describeRejections(outcome.rejections)}`,
          { droppedEvents: batch.length, httpStatus: outcome.httpStatus },
        ),
      )
      return
    }
    if (outcome.kind === 'unrecognized') {
      this.counters.dropped += batch.length
      // Every batch gets the same answer: said once, counted each time (like calls after shutdown).
      if (this.reportedUnrecognizedEndpoint) {
        reporter.debug(`${batch.length} event(s) dropped: ${outcome.message}`)
        return
      }
      this.reportedUnrecognizedEndpoint = true
      reporter.report(
        new ProfilerError(
          'EVENTS_REJECTED',
          `${batch.length} event(s) were not stored: ${outcome.message} (reported once; stats().dropped counts every event lost this way)`,
          { droppedEvents: batch.length, httpStatus: outcome.httpStatus },
        ),
      )
      return
    }
    this.counters.sent += outcome.accepted
    this.counters.duplicates += outcome.duplicates
    this.growBatchLimit()
    if (outcome.kind === 'inconsistent') {
      this.counters.dropped += outcome.refused
      // Every such batch is reported: its events are counted, but the server did not confirm how.
      reporter.report(
        new ProfilerError(
          'EVENTS_UNCONFIRMED',
          `${outcome.message}${describeRejections(outcome.rejections)}`,
          { droppedEvents: outcome.refused, httpStatus: outcome.httpStatus },
        ),
      )
      return
    }
    reporter.debug(
      `sent ${batch.length} event(s): ${outcome.accepted} stored, ${outcome.duplicates} already stored`,
    )
    if (outcome.rejections.length > 0) {
      const refused = new Set(outcome.rejections.map((rejection) => rejection.index)).size
      this.counters.dropped += refused
      reporter.report(
        new ProfilerError(
          'EVENTS_REJECTED',
          `the server refused ${refused} event(s)${describeRejections(outcome.rejections)}`,
          { droppedEvents: refused, httpStatus: 207 },
        ),
      )
    }
  }

  /**
   * After a batch the server took: the limit doubles back up; after a refusal as too large, it grows
   * halfway to the refused size instead, so it settles below it in a few steps.
   */
  private growBatchLimit(): void {
    const refused = this.refusedSizeNow()
    const grown = Number.isFinite(refused) ? Math.floor((this.batchLimit + refused) / 2) : this.batchLimit * 2
    this.batchLimit = Math.max(this.batchLimit, Math.min(this.options.batchSize, refused - 1, grown))
  }

  private handleFailure(
    batch: readonly LlmCallEventInput[],
    outcome: Extract<SendOutcome, { kind: 'retry' }>,
  ): void {
    const { reporter } = this.options
    const nowMs = Date.now()
    this.counters.failedBatches++
    this.consecutiveFailures++
    this.lastFailure = `${outcome.httpStatus ?? 'network'}: ${outcome.message}`
    // Back to the front, so order is kept and a full queue sheds the oldest events first.
    const dropped = this.queue.unshift(batch)
    if (dropped > 0) this.drop(dropped)
    const delayOptions = {
      initialBackoffMs: this.options.initialBackoffMs,
      maxBackoffMs: this.options.maxBackoffMs,
      random: this.options.random,
      retryAfterMs: outcome.retryAfterMs,
    }
    const delayMs = retryDelayMs(this.consecutiveFailures, delayOptions)
    this.nextAttemptAtMs = nowMs + delayMs
    reporter.debug(
      `sending ${batch.length} event(s) failed (${outcome.httpStatus ?? 'network'}: ${outcome.message}); retrying in ${delayMs} ms`,
    )
    if (this.breaker.recordFailure(nowMs)) {
      // An open circuit pauses for its cool-down (or a longer Retry-After), not for the backoff: the
      // cool-down is what keeps it from retrying hot.
      this.nextAttemptAtMs =
        outcome.retryAfterMs === undefined ? 0 : nowMs + retryAfterDelayMs(outcome.retryAfterMs, delayOptions)
      const pauseMs = Math.max(this.options.breakerCooldownMs, this.nextAttemptAtMs - nowMs)
      reporter.report(
        new ProfilerError(
          'CIRCUIT_OPEN',
          `${this.consecutiveFailures} consecutive requests to ${this.options.endpoint} failed (last: ${outcome.httpStatus ?? 'network'} ${outcome.message}); pausing for ${pauseMs} ms`,
          { httpStatus: outcome.httpStatus },
        ),
      )
    }
  }

  /**
   * Sends until the queue is empty or the deadline passes. When waiting out a backoff, a `Retry-After`
   * or an open circuit would pass the deadline, one last request goes at once instead: at a flush,
   * shutdown or exit, waiting means losing the events unsent, and the server may well be back.
   */
  private async drain(deadlineMs: number): Promise<boolean> {
    let lastAttemptTaken = false
    while (true) {
      if (this.sending) {
        const remainingMs = deadlineMs - Date.now()
        if (remainingMs <= 0) return false
        // A plain timer, cleared after: aborting a timers/promises sleep builds a DOMException with its
        // stack, about 24 µs on the host's loop at the end of every flush.
        let timer: NodeJS.Timeout | undefined
        await Promise.race([
          this.sending,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, remainingMs)
          }),
        ])
        clearTimeout(timer)
        continue
      }
      if (this.queue.length === 0) return true
      const nowMs = Date.now()
      if (nowMs >= deadlineMs) return false
      const blockedUntilMs = this.blockedUntilMs(nowMs)
      if (blockedUntilMs >= deadlineMs) {
        if (lastAttemptTaken) return false
        lastAttemptTaken = true
        this.options.reporter.debug(
          `sending may resume in ${blockedUntilMs - nowMs} ms, after the ${deadlineMs - nowMs} ms left to send in: trying once now`,
        )
        this.startSend()
        continue
      }
      if (blockedUntilMs > 0) {
        await sleep(blockedUntilMs - nowMs)
        continue
      }
      this.startSend()
    }
  }
}
