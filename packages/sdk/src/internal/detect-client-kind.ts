import { asFields } from './providers/read-fields.ts'

/** The provider SDK clients the profiler knows how to wrap. */
export type ClientKind = 'openai' | 'anthropic' | 'google-genai' | 'google-generative-ai' | 'generative-model'

function hasMethod(value: unknown, name: string): boolean {
  return typeof asFields(value)?.[name] === 'function'
}

/**
 * Recognises a client by its shape rather than its class, so subclasses (e.g. `AzureOpenAI`) and
 * several installed copies of a provider SDK work without importing any of them.
 */
export function detectClientKind(client: object): ClientKind | undefined {
  const fields = asFields(client) ?? {}
  const chat = asFields(fields.chat)
  if (hasMethod(chat?.completions, 'create') && (fields.responses || fields.embeddings)) return 'openai'
  if (hasMethod(fields.messages, 'create') && !chat) return 'anthropic'
  if (hasMethod(fields.models, 'generateContent') && hasMethod(fields.chats, 'create')) return 'google-genai'
  // @google/generative-ai's GoogleGenerativeAI and @google-cloud/vertexai's VertexAI.
  if (hasMethod(client, 'getGenerativeModel')) return 'google-generative-ai'
  if (hasMethod(client, 'generateContent') && hasMethod(client, 'startChat')) return 'generative-model'
  return undefined
}
