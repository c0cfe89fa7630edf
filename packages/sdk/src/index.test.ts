import Anthropic from '@anthropic-ai/sdk'
import type { GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as sdk from './index.ts'

describe('the public surface', () => {
  it('exports the documented names and nothing internal', () => {
    expect(Object.keys(sdk).sort()).toEqual([
      'CALL_CONTEXT_KEY',
      'ProfilerError',
      'callContext',
      'createProfiler',
    ])
  })

  it('lets callContext() stand in for provider request options without widening their types', () => {
    const option = sdk.callContext({ messageId: 'm-1' })
    expect(option).toEqual({ acp: { messageId: 'm-1' } })
    expectTypeOf(option).toExtend<NonNullable<Parameters<OpenAI['chat']['completions']['create']>[1]>>()
    expectTypeOf(option).toExtend<NonNullable<Parameters<Anthropic['messages']['create']>[1]>>()
    expectTypeOf({ model: 'gemini-2.5-flash', contents: 'x', ...option }).toExtend<
      Parameters<GoogleGenAI['models']['generateContent']>[0]
    >()
  })

  it('types wrap() as returning the client it was given', () => {
    const profiler = sdk.createProfiler({ enabled: false })
    expectTypeOf(profiler.wrap(new OpenAI({ apiKey: 'k' }))).toEqualTypeOf<OpenAI>()
    expectTypeOf(profiler.wrap(new Anthropic({ apiKey: 'k' }))).toEqualTypeOf<Anthropic>()
    expectTypeOf(profiler.withContext({}, () => 1)).toEqualTypeOf<number>()
  })
})
