import type { DemoModelKey } from './demo-models.ts'

/** How one product feature of the demo app uses LLMs. */
export interface DemoFeature {
  name: string
  /** Relative share of sessions (a conversation or a single call) that start in this feature. */
  sessionWeight: number
  /** Models the feature calls, with relative weights. */
  models: ReadonlyArray<{ key: DemoModelKey; weight: number }>
  /** Messages per conversation; `null` for one-shot calls without a conversation. */
  messagesPerConversation: readonly [min: number, max: number] | null
  /** Median prompt of the first call; later turns of a conversation add their history. */
  inputTokensMedian: number
  outputTokensMedian: number
  /** Share of calls that stream their answer. */
  streamingShare: number
  /** Share of calls sent to a provider's batch API (cheaper, hours late). */
  batchShare: number
  /** Calls carry OpenTelemetry trace and span ids (agent frameworks are usually instrumented). */
  traced: boolean
  /** One-shot prompts built from a few templates, so identical prompts repeat (a caching opportunity). */
  templatedPrompts: boolean
}

/** The demo app: a support product with chat, retrieval, coding help, an agent and back-office jobs. */
export const DEMO_FEATURES: readonly DemoFeature[] = [
  {
    name: 'support-chat',
    sessionWeight: 30,
    models: [
      { key: 'claude-sonnet-5-5', weight: 20 },
      { key: 'claude-sonnet-4-5', weight: 15 },
      { key: 'gpt-4o-mini', weight: 20 },
      { key: 'gpt-6-luna', weight: 10 },
      { key: 'gpt-4.1-mini', weight: 10 },
      { key: 'gemini-2.5-flash', weight: 15 },
      { key: 'gemini-3.5-flash', weight: 5 },
      { key: 'claude-3-5-haiku-latest', weight: 5 },
    ],
    messagesPerConversation: [2, 12],
    inputTokensMedian: 2_200,
    outputTokensMedian: 280,
    streamingShare: 0.92,
    batchShare: 0,
    traced: false,
    templatedPrompts: false,
  },
  {
    name: 'code-assistant',
    sessionWeight: 12,
    models: [
      { key: 'claude-sonnet-5-5', weight: 30 },
      { key: 'claude-sonnet-4-5', weight: 15 },
      { key: 'claude-sonnet-4-0', weight: 5 },
      { key: 'gpt-6-sol', weight: 15 },
      { key: 'gpt-4.1', weight: 10 },
      { key: 'gpt-5', weight: 10 },
      { key: 'gemini-3.1-pro-preview', weight: 10 },
      { key: 'gemini-2.5-pro', weight: 5 },
    ],
    messagesPerConversation: [2, 8],
    inputTokensMedian: 9_000,
    outputTokensMedian: 700,
    streamingShare: 0.85,
    batchShare: 0,
    traced: true,
    templatedPrompts: false,
  },
  {
    name: 'doc-qa',
    sessionWeight: 18,
    models: [
      { key: 'gpt-4.1-mini', weight: 25 },
      { key: 'gemini-2.5-flash', weight: 25 },
      { key: 'claude-haiku-4-5', weight: 15 },
      { key: 'claude-haiku-5-5', weight: 10 },
      { key: 'gemini-2.5-pro', weight: 10 },
      { key: 'gemini-3.1-pro-preview', weight: 5 },
      { key: 'gpt-4o', weight: 10 },
    ],
    messagesPerConversation: null,
    inputTokensMedian: 6_000,
    outputTokensMedian: 350,
    streamingShare: 0.6,
    batchShare: 0,
    traced: false,
    templatedPrompts: false,
  },
  {
    name: 'research-agent',
    sessionWeight: 5,
    models: [
      { key: 'o3', weight: 20 },
      { key: 'gpt-5', weight: 15 },
      { key: 'gpt-6-sol', weight: 15 },
      { key: 'o4-mini', weight: 10 },
      { key: 'claude-opus-4-1', weight: 15 },
      { key: 'gemini-2.5-pro', weight: 10 },
      { key: 'gemini-3.1-pro-preview', weight: 15 },
    ],
    messagesPerConversation: [3, 10],
    inputTokensMedian: 7_000,
    outputTokensMedian: 1_800,
    streamingShare: 0.3,
    batchShare: 0,
    traced: true,
    templatedPrompts: false,
  },
  {
    name: 'ticket-summary',
    sessionWeight: 14,
    models: [
      { key: 'gpt-4o-mini', weight: 35 },
      { key: 'gemini-2.0-flash', weight: 25 },
      { key: 'gpt-5-mini', weight: 15 },
      { key: 'claude-haiku-4-5', weight: 12 },
      { key: 'gpt-6-luna', weight: 10 },
      { key: 'tuned-summarizer', weight: 3 },
    ],
    messagesPerConversation: null,
    inputTokensMedian: 1_800,
    outputTokensMedian: 220,
    streamingShare: 0,
    batchShare: 0.45,
    traced: false,
    templatedPrompts: true,
  },
  {
    name: 'intent-classifier',
    sessionWeight: 16,
    models: [
      { key: 'gpt-4.1-nano', weight: 40 },
      { key: 'gemini-2.5-flash-lite', weight: 35 },
      { key: 'gpt-4o-mini', weight: 12 },
      { key: 'claude-haiku-5-5', weight: 10 },
      { key: 'ft-support-classifier', weight: 3 },
    ],
    messagesPerConversation: null,
    inputTokensMedian: 450,
    outputTokensMedian: 8,
    streamingShare: 0,
    batchShare: 0.1,
    traced: false,
    templatedPrompts: true,
  },
  {
    name: 'email-draft',
    sessionWeight: 5,
    models: [
      { key: 'gpt-4o', weight: 30 },
      { key: 'claude-haiku-4-5', weight: 25 },
      { key: 'gemini-2.5-flash', weight: 20 },
      { key: 'gemini-3.5-flash', weight: 10 },
      { key: 'claude-sonnet-5-5', weight: 15 },
    ],
    messagesPerConversation: null,
    inputTokensMedian: 1_200,
    outputTokensMedian: 450,
    streamingShare: 0.7,
    batchShare: 0,
    traced: false,
    templatedPrompts: false,
  },
]
