import {
  type CallError,
  type GeminiUsagePayload,
  normalizeGeminiUsage,
  type ServiceTier,
  type UsageBuckets,
} from '@ai-cost-profiler/core'
import { classifyError } from '../../classify-error.ts'
import { asFields, readString } from '../read-fields.ts'
import { mapGeminiServiceTier, mapGeminiTrafficType } from './map-gemini-service-tier.ts'

/** The model and usage a Gemini response (or stream chunk) reports. */
export interface GeminiResponseFacts {
  model: string | undefined
  /** The response's `usageMetadata` as sent: normalise it with `geminiUsage` (a stream merges its chunks' first). */
  usageMetadata: Readonly<Record<string, unknown>> | undefined
  /** The tier Vertex AI says served the request (`usageMetadata.trafficType`), when it says one. */
  serviceTier: ServiceTier | undefined
  /** The chunk carries generated content (for time to first token). */
  hasContent: boolean
  /**
   * The chunk is the turn of function responses that @google/genai's tool loop yields between two
   * model rounds (a candidate of role `user`): the tools' output, not the model's.
   */
  toolResponses: boolean
  /**
   * A candidate says why generation stopped (`finishReason`), or the prompt was blocked: the answer
   * is whole. A stream that ends before any chunk says so was cut short.
   */
  finished: boolean
  /**
   * The error body that came in place of a response (`{"error": {...}}`): a stream's error event, or
   * the body of a 200 answer from a proxy or gateway. Classified; undefined for a normal response.
   */
  error: CallError | undefined
}

/** The error a response carries in place of content, classified; undefined for a normal response. */
function readGeminiError(fields: Readonly<Record<string, unknown>>): CallError | undefined {
  const error = asFields(fields.error)
  if (!error) return undefined
  // Google's error body: `code` is the HTTP status, `status` the provider's code.
  return classifyError({ status: error.code, code: error.status, message: error.message })
}

/**
 * The tier that served (and bills) a response, when it says: Vertex AI's `usageMetadata.trafficType`;
 * on the Gemini API, `usageMetadata.serviceTier` or the `x-gemini-service-tier` header that
 * `@google/genai` keeps in `sdkHttpResponse` (a priority request over its limit is served, and billed,
 * at standard).
 */
function servedTier(fields: Record<string, unknown>, usage: Record<string, unknown> | undefined) {
  const headers = asFields(asFields(fields.sdkHttpResponse)?.headers)
  return (
    mapGeminiTrafficType(usage?.trafficType) ??
    mapGeminiServiceTier(usage?.serviceTier) ??
    mapGeminiServiceTier(headers?.['x-gemini-service-tier'])
  )
}

/**
 * A part that carries generated output: text that is not empty (a thought summary included: thinking is
 * generated output), or anything but text (a function call, inline data, code). A part holding only an
 * empty string, with or without a thought signature, carries nothing.
 */
function carriesOutput(part: unknown): boolean {
  const fields = asFields(part)
  if (fields === undefined) return false
  if (typeof fields.text === 'string') return fields.text.length > 0
  for (const key in fields) if (key !== 'thought' && key !== 'thoughtSignature') return true
  return false
}

/** Reads model, usage, content presence, completeness and an error body from a `GenerateContentResponse` of any Google SDK. */
export function readGeminiResponse(response: unknown): GeminiResponseFacts {
  const fields = asFields(response) ?? {}
  const usage = asFields(fields.usageMetadata)
  const candidates = Array.isArray(fields.candidates) ? fields.candidates : []
  let hasContent = false
  let toolResponses = false
  let finished = readString(asFields(fields.promptFeedback)?.blockReason) !== undefined
  for (const candidate of candidates) {
    const candidateFields = asFields(candidate)
    const content = asFields(candidateFields?.content)
    if (content?.role === 'user') toolResponses = true
    else if (!hasContent && Array.isArray(content?.parts)) hasContent = content.parts.some(carriesOutput)
    if (readString(candidateFields?.finishReason)) finished = true
  }
  return {
    model: readString(fields.modelVersion),
    usageMetadata: usage,
    serviceTier: servedTier(fields, usage),
    hasContent,
    toolResponses,
    finished,
    error: readGeminiError(fields),
  }
}

/** The core buckets of a Gemini `usageMetadata`; undefined when the response had none. */
export function geminiUsage(
  usageMetadata: Readonly<Record<string, unknown>> | undefined,
): UsageBuckets | undefined {
  return usageMetadata ? normalizeGeminiUsage(usageMetadata as GeminiUsagePayload) : undefined
}

/**
 * A stream's running `usageMetadata` with one more chunk's taken in. Each chunk carries running totals,
 * so a count it gives replaces the one before; a count it leaves out (a gateway's last chunk may give
 * the output count alone) keeps the value an earlier chunk gave, as it still holds.
 */
export function mergeGeminiUsageMetadata(
  running: Readonly<Record<string, unknown>> | undefined,
  chunk: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  if (!chunk) return running
  if (!running) return chunk
  const merged: Record<string, unknown> = { ...running }
  for (const key in chunk) {
    const value = chunk[key]
    if (value !== undefined && value !== null) merged[key] = value
  }
  return merged
}

/**
 * The model id a Google SDK was asked for, without the resource prefix: `models/gemini-2.5-flash`
 * and `projects/p/locations/l/publishers/google/models/gemini-2.5-flash` both give `gemini-2.5-flash`.
 */
export function readGeminiModelName(value: unknown): string | undefined {
  const name = readString(value)
  if (!name) return undefined
  const marker = name.lastIndexOf('models/')
  return marker >= 0 ? name.slice(marker + 'models/'.length) || undefined : name
}
