import type { ClientShapeInput } from './client-shape-input.ts'
import type { ClientKind } from './detect-client-kind.ts'
import { anthropicClientShape } from './providers/anthropic/anthropic-client-shape.ts'
import { googleGenAiClientShape } from './providers/google-genai/google-genai-client-shape.ts'
import {
  generativeModelShape,
  googleGenerativeAiClientShape,
} from './providers/google-generative-ai/generative-model-shape.ts'
import { openAiClientShape } from './providers/openai/openai-client-shape.ts'
import type { ProxyShape } from './proxy-shape.ts'

/** The proxy shape for a detected kind of client. */
export function clientShapeFor(kind: ClientKind, input: ClientShapeInput): ProxyShape {
  switch (kind) {
    case 'openai':
      return openAiClientShape(input)
    case 'anthropic':
      return anthropicClientShape(input)
    case 'google-genai':
      return googleGenAiClientShape(input)
    case 'google-generative-ai':
      return googleGenerativeAiClientShape(input)
    case 'generative-model':
      return generativeModelShape(input)
  }
}
