import type { CallError, LlmCallEvent, ServiceTier, UsageBuckets } from '@ai-cost-profiler/core'
import { base, en, Faker } from '@faker-js/faker'
import { DEMO_ERRORS } from './demo-errors.ts'
import { DEMO_FEATURES, type DemoFeature } from './demo-features.ts'
import { DEMO_MODELS, type DemoModel, type DemoProvider } from './demo-models.ts'
import { demoTrafficShape } from './demo-traffic-shape.ts'

/** Options for `generateDemoEvents`. */
export interface GenerateDemoEventsOptions {
  eventCount: number
  /** Events fall in the `days` days before `nowMs`. */
  days: number
  nowMs: number
  /**
   * Seeds the random source: the same options yield the same events. Idempotency keys depend only on
   * the seed value and the position, so a re-run with the same seed value stores nothing twice.
   */
  seedValue: number
}

interface Session {
  feature: DemoFeature
  model: DemoModel
  userId: string
  tags: string[]
  metadata: Record<string, unknown> | undefined
  lastTimestampMs: number
  conversation:
    | {
        id: string
        remainingMessages: number
        /** Tokens of the conversation so far: the prefix the next turn resends. */
        historyTokens: number
        /** Anthropic cache lifetime this conversation asks for. */
        cacheTtl: '5m' | '1h'
      }
    | undefined
  trace: { traceId: string; rootSpanId: string } | undefined
}

interface Incident {
  provider: DemoProvider
  fromMs: number
  toMs: number
  errorRate: number
  errorType: CallError['type']
}

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
const USER_COUNT = 600
const PROMPT_TEMPLATES_PER_FEATURE = 40
const BASE_ERROR_RATE = 0.022
const INCOMPLETE_STREAM_RATE = 0.006
const RETRIED_SUCCESS_RATE = 0.03
// Anthropic keeps a 5-minute cache entry alive for 5 minutes after its last use; OpenAI and Gemini
// keep implicit prefixes for a few minutes too.
const CACHE_LIFETIME_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000 } as const
// OpenAI caches prompt prefixes of at least 1,024 tokens, in steps of 128.
const OPENAI_MIN_CACHED_TOKENS = 1_024
const OPENAI_CACHE_STEP_TOKENS = 128
// Long-context price tiers start above 200k prompt tokens.
const LONG_CONTEXT_TOKENS = 200_000

const TEAMS: Readonly<Record<string, string>> = {
  'support-chat': 'support',
  'code-assistant': 'devtools',
  'doc-qa': 'knowledge',
  'research-agent': 'labs',
  'ticket-summary': 'support',
  'intent-classifier': 'support',
  'email-draft': 'growth',
}

/**
 * Yields realistic LLM call events for a demo project: three providers and their real models,
 * features, users, multi-turn conversations, errors as each provider reports them, retries, prompt
 * caching (including Anthropic's 5-minute and 1-hour cache writes), reasoning tokens, streaming
 * with time to first token, batch / flex / priority tiers and a daily and weekly traffic rhythm.
 * Events are already in validated form (defaults applied); tests check them with `validateEventBatch`.
 * @example
 * for (const event of generateDemoEvents({ eventCount: 1000, days: 30, nowMs: Date.now(), seedValue: 42 })) {
 *   console.log(event.model, event.usage.inputTokens)
 * }
 */
export function* generateDemoEvents(options: GenerateDemoEventsOptions): Generator<LlmCallEvent> {
  const faker = new Faker({ locale: [en, base] })
  faker.seed(options.seedValue)
  const windowStartMs = options.nowMs - options.days * DAY_MS
  const windowMs = options.nowMs - windowStartMs

  const unit = () => faker.number.float()
  const chance = (probability: number) => unit() < probability
  const between = (min: number, max: number) => faker.number.int({ min, max })
  // Ids are drawn a whole random integer at a time: faker's string helpers draw per character, which
  // made them a visible share of seeding a million events.
  const hex = (length: number) => {
    let digits = ''
    while (digits.length < length) digits += faker.number.int(0xffffffff).toString(16).padStart(8, '0')
    return digits.slice(0, length)
  }
  const base36 = (length: number) =>
    faker.number
      .int(36 ** length - 1)
      .toString(36)
      .padStart(length, '0')
  const normal = () => Math.sqrt(-2 * Math.log(1 - unit())) * Math.cos(2 * Math.PI * unit())
  const logNormal = (median: number, sigma: number) => median * Math.exp(sigma * normal())

  const users = Array.from({ length: USER_COUNT }, () => faker.internet.username().toLowerCase())
  const promptHashes = new Map(
    DEMO_FEATURES.map((feature) => [
      feature.name,
      Array.from({ length: PROMPT_TEMPLATES_PER_FEATURE }, () => `sha256:${hex(64)}`),
    ]),
  )
  const appVersions = Array.from({ length: 6 }, () => faker.system.semver())
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1']
  const featureChoices = DEMO_FEATURES.map((feature) => ({ weight: feature.sessionWeight, value: feature }))
  const modelChoices = new Map(
    DEMO_FEATURES.map((feature) => [
      feature.name,
      feature.models.map(({ key, weight }) => ({ weight, value: DEMO_MODELS[key] })),
    ]),
  )
  const errorChoices = Object.fromEntries(
    Object.entries(DEMO_ERRORS).map(([provider, errors]) => [
      provider,
      errors.map(({ weight, error }) => ({ weight, value: error })),
    ]),
  ) as Record<DemoProvider, Array<{ weight: number; value: CallError }>>
  // Outages make the error charts tell a story: one Anthropic overload and one Gemini quota day.
  const incidents: Incident[] = [
    { provider: 'anthropic', errorRate: 0.35, errorType: 'overloaded', ...incidentWindow(90) },
    { provider: 'google', errorRate: 0.2, errorType: 'rate_limit', ...incidentWindow(240) },
  ]

  function incidentWindow(durationMinutes: number): { fromMs: number; toMs: number } {
    const fromMs = windowStartMs + Math.floor(unit() * Math.max(windowMs - durationMinutes * 60_000, 0))
    return { fromMs, toMs: fromMs + durationMinutes * 60_000 }
  }

  // Events come hour by hour, each hour's share following the traffic shape and a growth trend, so
  // they arrive in (nearly) time order as live traffic does: indexes on time grow at their right edge.
  const hourCount = Math.max(1, Math.round(windowMs / HOUR_MS))
  const cumulativeHourWeights: number[] = []
  let totalHourWeight = 0
  for (let hour = 0; hour < hourCount; hour++) {
    totalHourWeight +=
      demoTrafficShape(windowStartMs + hour * HOUR_MS) * (0.7 + (0.3 * (hour + 0.5)) / hourCount)
    cumulativeHourWeights.push(totalHourWeight)
  }
  /** How many events the hours up to and including `hour` hold together. */
  const eventsThroughHour = (hour: number) =>
    Math.round((options.eventCount * (cumulativeHourWeights[hour] ?? totalHourWeight)) / totalHourWeight)

  function startSession(startMs: number): Session {
    const feature = faker.helpers.weightedArrayElement(featureChoices)
    const model = faker.helpers.weightedArrayElement(modelChoices.get(feature.name) ?? [])
    // A few heavy users make most of the traffic, as in every product.
    const userId = users[Math.floor(USER_COUNT * unit() ** 2.5)] ?? users[0] ?? 'anonymous'
    const environment = chance(0.05) ? 'env:staging' : 'env:production'
    const range = feature.messagesPerConversation
    return {
      feature,
      model,
      userId,
      tags: [environment, `team:${TEAMS[feature.name] ?? 'platform'}`],
      metadata: chance(0.4)
        ? { appVersion: faker.helpers.arrayElement(appVersions), region: faker.helpers.arrayElement(regions) }
        : undefined,
      lastTimestampMs: startMs,
      conversation: range
        ? {
            // Time-ordered ids, as ULIDs or UUIDv7 are: new conversations sort after old ones.
            id: `conv_${startMs.toString(36)}${base36(8)}`,
            remainingMessages: between(range[0], range[1]),
            historyTokens: 0,
            cacheTtl: chance(0.2) ? '1h' : '5m',
          }
        : undefined,
      trace: feature.traced ? { traceId: hex(32), rootSpanId: hex(16) } : undefined,
    }
  }

  function serviceTierOf(session: Session): ServiceTier {
    const { model, feature } = session
    if (feature.batchShare > 0 && model.tiers.includes('batch') && chance(feature.batchShare)) return 'batch'
    if (feature.name === 'research-agent' && model.tiers.includes('flex') && chance(0.3)) return 'flex'
    if (model.tiers.includes('priority') && chance(0.04)) return 'priority'
    return 'standard'
  }

  function incidentAt(provider: DemoProvider, timestampMs: number): Incident | undefined {
    return incidents.find(
      (incident) =>
        incident.provider === provider && timestampMs >= incident.fromMs && timestampMs < incident.toMs,
    )
  }

  /** Cached parts of a prompt, as each provider's caching works. */
  function cacheParts(input: {
    session: Session
    inputTokens: number
    /** Prompt tokens the provider may still hold from the previous turn (0 on a first turn). */
    reusablePrefixTokens: number
    gapMs: number
  }): Pick<UsageBuckets, 'cacheReadInputTokens' | 'cacheWriteInputTokens' | 'cacheWrite1hInputTokens'> {
    const { session, inputTokens, gapMs } = input
    if (session.model.caching === 'none') return {}
    const systemPromptTokens = Math.min(inputTokens, between(1_024, 3_000))
    switch (session.model.provider) {
      case 'anthropic': {
        // Explicit cache_control: a turn reads what the previous turn cached and writes its own tail.
        const ttl = session.conversation?.cacheTtl ?? '5m'
        const write = (tokens: number) =>
          ttl === '1h' ? { cacheWrite1hInputTokens: tokens } : { cacheWriteInputTokens: tokens }
        if (session.conversation) {
          const alive = input.reusablePrefixTokens > 0 && gapMs < CACHE_LIFETIME_MS[ttl]
          const read = alive ? Math.min(input.reusablePrefixTokens, inputTokens) : 0
          const written = Math.floor((inputTokens - read) * 0.9)
          return {
            ...(read > 0 ? { cacheReadInputTokens: read } : {}),
            ...(written > 0 ? write(written) : {}),
          }
        }
        // One-shot calls cache only their system prompt: usually a hit, sometimes a (re)write.
        const roll = unit()
        if (roll < 0.5) return { cacheReadInputTokens: systemPromptTokens }
        if (roll < 0.6) return write(systemPromptTokens)
        return {}
      }
      case 'openai': {
        const prefix =
          input.reusablePrefixTokens > 0 && gapMs < CACHE_LIFETIME_MS['5m']
            ? input.reusablePrefixTokens
            : chance(0.3)
              ? systemPromptTokens
              : 0
        const cached = Math.min(prefix, inputTokens)
        if (cached < OPENAI_MIN_CACHED_TOKENS) return {}
        return { cacheReadInputTokens: cached - (cached % OPENAI_CACHE_STEP_TOKENS) }
      }
      case 'google': {
        // Gemini's implicit caching hits less reliably than OpenAI's.
        const prefix =
          input.reusablePrefixTokens > 0 && gapMs < CACHE_LIFETIME_MS['5m'] && chance(0.7)
            ? input.reusablePrefixTokens
            : 0
        const cached = Math.min(prefix, inputTokens)
        return cached >= 1_024 ? { cacheReadInputTokens: cached } : {}
      }
    }
  }

  function nextEvent(session: Session, sequence: number): LlmCallEvent {
    const { feature, model, conversation } = session
    let gapMs = 0
    if (conversation && conversation.historyTokens > 0) {
      // The user reads the answer and types the next message.
      gapMs = Math.round(logNormal(45_000, 0.9))
      session.lastTimestampMs = Math.min(session.lastTimestampMs + gapMs, options.nowMs - 1)
    }
    const timestampMs = session.lastTimestampMs
    const serviceTier = serviceTierOf(session)
    const streaming = serviceTier !== 'batch' && chance(feature.streamingShare)

    const newPromptTokens = Math.max(20, Math.round(logNormal(feature.inputTokensMedian, 0.55)))
    const reusablePrefixTokens = conversation?.historyTokens ?? 0
    let inputTokens =
      conversation && reusablePrefixTokens > 0
        ? reusablePrefixTokens + Math.round(logNormal(120, 0.8)) + 20
        : newPromptTokens
    // A few retrieval and coding calls cross the long-context threshold, where prices step up.
    if ((feature.name === 'doc-qa' || feature.name === 'code-assistant') && chance(0.01)) {
      inputTokens = between(LONG_CONTEXT_TOKENS + 1, 380_000)
    }
    const visibleOutputTokens = Math.max(1, Math.round(logNormal(feature.outputTokensMedian, 0.7)))
    const thinks = model.reasoning && !(model.model === 'gemini-2.5-flash' && chance(0.5))
    const reasoningTokens = thinks
      ? Math.round(
          (visibleOutputTokens * (feature.name === 'research-agent' ? between(15, 60) : between(5, 30))) / 10,
        )
      : 0
    let outputTokens = visibleOutputTokens + reasoningTokens

    const incident = incidentAt(model.provider, timestampMs)
    let status: LlmCallEvent['status'] = 'success'
    let error: CallError | undefined
    let retryCount = 0
    if (incident && chance(incident.errorRate)) {
      status = 'error'
      error = errorChoices[model.provider].find((choice) => choice.value.type === incident.errorType)?.value
    } else if (chance(BASE_ERROR_RATE)) {
      status = 'error'
      error = faker.helpers.weightedArrayElement(errorChoices[model.provider])
    } else if (streaming && chance(INCOMPLETE_STREAM_RATE)) {
      status = 'incomplete'
      error = chance(0.7)
        ? { type: 'aborted', code: 'ABORT_ERR', message: 'The user stopped the stream.' }
        : { type: 'connection', code: 'ECONNRESET', message: 'The stream ended before the final event.' }
      outputTokens = Math.max(1, Math.floor(outputTokens * unit()))
    }
    if (status === 'error') {
      retryCount = error?.type === 'rate_limit' || error?.type === 'overloaded' ? between(0, 3) : 0
    } else if (chance(incident ? 0.25 : RETRIED_SUCCESS_RATE)) {
      retryCount = between(1, 3)
    }

    // A failed call is not billed: providers report no usage for it.
    const usage: UsageBuckets =
      status === 'error'
        ? { inputTokens: 0, outputTokens: 0 }
        : {
            inputTokens,
            outputTokens,
            ...cacheParts({ session, inputTokens, reusablePrefixTokens, gapMs }),
            ...(reasoningTokens > 0 ? { reasoningTokens: Math.min(reasoningTokens, outputTokens) } : {}),
          }

    const prefillMs = (inputTokens / 25_000) * 1_000
    const timeToFirstTokenMs = Math.round(
      model.timeToFirstTokenMs * logNormal(1, 0.35) +
        prefillMs +
        (reasoningTokens / model.outputTokensPerSecond) * 1_000,
    )
    const backoffMs = retryCount * between(400, 2_500)
    let latencyMs: number | undefined
    if (status === 'error') {
      latencyMs =
        error?.type === 'timeout'
          ? 60_000
          : Math.round(logNormal(error?.type === 'rate_limit' ? 120 : 1_500, 0.6)) + backoffMs
    } else if (serviceTier !== 'batch') {
      latencyMs =
        timeToFirstTokenMs +
        Math.round((usage.outputTokens / model.outputTokensPerSecond) * 1_000) +
        backoffMs
    }

    const event: LlmCallEvent = {
      // Zero-padded so keys sort in the order they are written.
      idempotencyKey: `demo-${options.seedValue}-${String(sequence).padStart(9, '0')}`,
      timestamp: new Date(timestampMs).toISOString(),
      provider: model.provider,
      model: model.model,
      feature: feature.name,
      userId: session.userId,
      usage,
      usageEstimated: false,
      status,
      retryCount,
      streaming,
      serviceTier,
      tags: session.tags,
    }
    if (latencyMs !== undefined) event.latencyMs = latencyMs
    if (streaming && status !== 'error')
      event.timeToFirstTokenMs = Math.min(timeToFirstTokenMs, latencyMs ?? timeToFirstTokenMs)
    if (error) event.error = error
    if (session.metadata) event.metadata = session.metadata
    if (feature.templatedPrompts)
      event.promptHash = faker.helpers.arrayElement(promptHashes.get(feature.name) ?? [])
    if (session.trace) {
      event.traceId = session.trace.traceId
      event.spanId = hex(16)
      event.parentSpanId = session.trace.rootSpanId
    }
    if (conversation) {
      event.conversationId = conversation.id
      event.messageId = `msg_${timestampMs.toString(36)}${base36(6)}`
      conversation.remainingMessages--
      // The next turn resends this prompt and this answer.
      if (status !== 'error') conversation.historyTokens = inputTokens + visibleOutputTokens
    }
    return event
  }

  let session: Session | undefined
  let hour = 0
  for (let sequence = 0; sequence < options.eventCount; sequence++) {
    if (!session?.conversation || session.conversation.remainingMessages <= 0) {
      while (hour < hourCount - 1 && sequence >= eventsThroughHour(hour)) hour++
      const startMs = Math.min(
        windowStartMs + hour * HOUR_MS + Math.floor(unit() * HOUR_MS),
        options.nowMs - 1,
      )
      session = startSession(startMs)
    }
    yield nextEvent(session, sequence)
  }
}
