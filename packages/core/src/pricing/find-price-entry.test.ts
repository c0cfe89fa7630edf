import { describe, expect, it } from 'vitest'
import { findPriceEntry } from './find-price-entry.ts'
import { normalizeModelId } from './normalize-model-id.ts'
import { stripSnapshotDate } from './strip-snapshot-date.ts'

const NOW = '2026-11-20T12:00:00Z'

function idOf(provider: string, model: string, timestamp = NOW): string | undefined {
  const entry = findPriceEntry({ provider, model, timestamp })
  return entry && `${entry.id}@${entry.effectiveFrom}`
}

describe('findPriceEntry', () => {
  it('finds models by id, alias and dated snapshot', () => {
    expect(idOf('openai', 'gpt-4o-mini')).toBe('openai/gpt-4o-mini@2024-07-18')
    expect(idOf('openai', 'gpt-4o-mini-2024-07-18')).toBe('openai/gpt-4o-mini@2024-07-18')
    expect(idOf('anthropic', 'claude-sonnet-4-20250514')).toBe('anthropic/claude-sonnet-4@2025-05-22')
    expect(idOf('anthropic', 'claude-3-5-sonnet-latest')).toBe('anthropic/claude-3-5-sonnet@2024-06-20')
    expect(idOf('anthropic', 'claude-haiku-4-5-20251001')).toBe('anthropic/claude-haiku-4-5@2025-10-15')
    expect(idOf('openai', 'gpt-5-chat-latest')).toBe('openai/gpt-5@2025-08-07')
  })

  it('cites where each past price was published', () => {
    const source = (model: string, timestamp: string) =>
      findPriceEntry({ provider: 'openai', model, timestamp })?.source
    expect(source('text-embedding-ada-002', '2023-01-01T00:00:00Z')).toBe(
      'https://openai.com/index/new-and-improved-embedding-model/',
    )
    expect(source('gpt-3.5-turbo', '2023-04-01T00:00:00Z')).toBe(
      'https://openai.com/index/introducing-chatgpt-and-whisper-apis/',
    )
    expect(source('gpt-3.5-turbo', '2023-07-01T00:00:00Z')).toBe(
      'https://openai.com/index/function-calling-and-other-api-updates/',
    )
    expect(source('gpt-3.5-turbo', '2024-07-01T00:00:00Z')).toBe(
      'https://developers.openai.com/api/docs/pricing',
    )
  })

  it('resolves Gemini resource names', () => {
    expect(idOf('google', 'models/gemini-2.5-flash')).toBe('google/gemini-2.5-flash@2025-06-17')
    expect(idOf('vertex', 'projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro')).toBe(
      'vertex/gemini-2.5-pro@2025-06-17',
    )
  })

  it('falls back from an unlisted snapshot to its base model', () => {
    expect(idOf('openai', 'gpt-5-mini-2026-02-02')).toBe('openai/gpt-5-mini@2025-08-07')
    expect(idOf('anthropic', 'claude-opus-4-8-20260528')).toBe('anthropic/claude-opus-4-8@2026-05-28')
  })

  it('does not take a version number or an impossible date for a snapshot date', () => {
    expect(idOf('openai', 'gpt-4o-mini-2024-02-30')).toBeUndefined()
    expect(idOf('google', 'gemini-2.5-flash-0001')).toBeUndefined()
  })

  it('keeps providers apart', () => {
    expect(idOf('anthropic', 'gpt-4o')).toBeUndefined()
    expect(idOf('vertex', 'gemini-3.8-flash')).toBeUndefined()
  })

  it('picks the entry in force at the call time', () => {
    expect(idOf('anthropic', 'claude-sonnet-5-5', '2026-10-06T23:59:59Z')).toBe(
      'anthropic/claude-sonnet-5-5@2026-09-28',
    )
    expect(idOf('anthropic', 'claude-sonnet-5-5', '2026-10-07T00:00:00Z')).toBe(
      'anthropic/claude-sonnet-5-5@2026-10-07',
    )
    expect(idOf('openai', 'o1-mini', '2024-12-01T00:00:00Z')).toBe('openai/o1-mini@2024-09-12')
    expect(idOf('openai', 'o1-mini', NOW)).toBe('openai/o1-mini@2025-01-31')
  })

  it('returns nothing for a model it does not know', () => {
    expect(findPriceEntry({ provider: 'openai', model: 'gpt-unknown', timestamp: NOW })).toBeUndefined()
  })
})

describe('stripSnapshotDate', () => {
  it('strips both date shapes providers use', () => {
    expect(stripSnapshotDate('gpt-4o-2024-08-06')).toBe('gpt-4o')
    expect(stripSnapshotDate('claude-3-5-haiku-20241022')).toBe('claude-3-5-haiku')
  })

  it('leaves ids without a real date alone', () => {
    for (const model of [
      'gpt-4-0613',
      'gemini-1.5-flash-002',
      'gpt-4o',
      'model-20251340',
      'model-1999-01-01',
    ]) {
      expect(stripSnapshotDate(model), model).toBeUndefined()
    }
  })
})

describe('normalizeModelId', () => {
  it('lower-cases, trims and drops the resource path', () => {
    expect(normalizeModelId('  Models/Gemini-2.5-Flash ')).toBe('gemini-2.5-flash')
    expect(normalizeModelId('GPT-4o')).toBe('gpt-4o')
  })
})
