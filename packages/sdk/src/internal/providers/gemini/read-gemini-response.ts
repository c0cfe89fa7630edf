import {
  type GeminiUsagePayload,
  normalizeGeminiUsage,
  type ServiceTier,
  type UsageBuckets,
} from '@ai-cost-profiler/core'
import { asFields, readString } from '../read-fields.ts'
import { mapGeminiTrafficType } from './map-gemini-service-tier.ts'

/** The model and usage a Gemini response (or stream chunk) reports. */
export interface GeminiResponseFacts {
  model: string | undefined
  usage: UsageBuckets | undefined
  /** The tier Vertex AI says served the request (`usageMetadata.trafficType`), when it says one. */
  serviceTier: ServiceTier | undefined
  /** The chunk carries generated content (for time to first token). */
  hasContent: boolean
}

/** Reads model, usage and content presence from a `GenerateContentResponse` of any Google SDK. */
export function readGeminiResponse(response: unknown): GeminiResponseFacts {
  const fields = asFields(response) ?? {}
  const usage = asFields(fields.usageMetadata)
  const candidates = Array.isArray(fields.candidates) ? fields.candidates : []
  const hasContent = candidates.some((candidate) => {
    const parts = asFields(asFields(candidate)?.content)?.parts
    return Array.isArray(parts) && parts.length > 0
  })
  return {
    model: readString(fields.modelVersion),
    usage: usage ? normalizeGeminiUsage(usage as GeminiUsagePayload) : undefined,
    serviceTier: usage ? mapGeminiTrafficType(usage.trafficType) : undefined,
    hasContent,
  }
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
