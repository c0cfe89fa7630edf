/**
 * The form model ids are compared in: trimmed, lower case, and without the resource path Gemini
 * puts in front (`models/gemini-2.5-flash`, or Vertex's
 * `projects/…/publishers/google/models/gemini-2.5-flash`), which names the same model.
 */
export function normalizeModelId(model: string): string {
  const lowered = model.trim().toLowerCase()
  const pathEnd = lowered.lastIndexOf('models/')
  return pathEnd === -1 ? lowered : lowered.slice(pathEnd + 'models/'.length)
}
