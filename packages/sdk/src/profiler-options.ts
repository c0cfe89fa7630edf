import type { CallContext } from './call-context.ts'
import type { ProfilerError } from './profiler-error.ts'

/** How the SDK encodes its request bodies: plain JSON, or gzip. */
export type Compression = 'none' | 'gzip'

/** Which thread sends the events to the server: a worker thread of the SDK's own, or the host's event loop. */
export type SendThread = 'worker' | 'inline'

/** Options of `createProfiler`. Each falls back to its environment variable (if any), then to a default. */
export interface ProfilerOptions {
  /** Base URL of the AI Cost Profiler server, e.g. `https://acp.example.com` (or a `URL`). Env: `ACP_ENDPOINT`. */
  endpoint?: string | URL | undefined
  /** Project API key sent as `Authorization: Bearer`. Env: `ACP_API_KEY`. */
  apiKey?: string | undefined
  /** `false` turns the profiler off: calls are not recorded, only stripped of the per-call option. Default: on when configured. */
  enabled?: boolean | undefined
  /** Log what the profiler does to the console. Env: `ACP_DEBUG` (`1`/`true`). Default `false`. */
  debug?: boolean | undefined
  /** Receives every problem of the profiler itself (never of your calls). Default: none (debug log only). */
  onError?: ((error: ProfilerError) => void) | undefined
  /** Most events per request to the server. Default 100. */
  batchSize?: number | undefined
  /** Longest time an event waits before it is sent. Default 1000 ms. */
  flushIntervalMs?: number | undefined
  /** Most events kept in memory while the server is slow or down; the oldest are dropped beyond it. Default 10 000. */
  maxQueueSize?: number | undefined
  /**
   * `'gzip'` compresses each request body to about a tenth of its size. `'none'` sends plain JSON:
   * less CPU per event, for ten times the bytes; for a server on the same network. Env:
   * `ACP_COMPRESSION`. Default `'gzip'`.
   */
  compression?: Compression | undefined
  /**
   * `'worker'` sends from one worker thread per process, shared by its profilers: compressing a batch and
   * Node's HTTP client run there, so your event loop only serialises events and hands each batch over.
   * `'inline'` sends from your event loop (no extra thread, about 10 MB less memory), where a request
   * can hold the loop for a millisecond or more on a small, busy machine. Env: `ACP_SEND_THREAD`.
   * Default `'worker'`.
   */
  sendThread?: SendThread | undefined
  /** Time limit of one request to the server. Default 10 000 ms. */
  requestTimeoutMs?: number | undefined
  /** First retry delay after a failed request; it doubles per failure, with jitter. Default 500 ms. */
  initialBackoffMs?: number | undefined
  /** Longest retry delay (and longest `Retry-After` honoured). Default 60 000 ms. */
  maxBackoffMs?: number | undefined
  /** Consecutive failed requests after which sending pauses. Default 10. */
  breakerFailureThreshold?: number | undefined
  /** How long sending pauses before one probe request. Default 30 000 ms. */
  breakerCooldownMs?: number | undefined
  /**
   * Longest time `shutdown()` takes (waiting for the calls under way for at most half of it, then
   * sending), and `flush()` waits for the queue to drain. Default 5000 ms.
   */
  shutdownTimeoutMs?: number | undefined
  /** Try to send queued events when the process is about to exit (`beforeExit`). Default `true`. */
  flushOnExit?: boolean | undefined
  /** Context applied to every call of every wrapped client (wrap options and `withContext` override it). */
  defaultContext?: CallContext | undefined
}
