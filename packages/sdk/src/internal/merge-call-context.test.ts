import { describe, expect, it } from 'vitest'
import type { CallContext } from '../call-context.ts'
import { mergeCallContext, snapshotCallContext } from './merge-call-context.ts'

/** Merges one context as a user hands it in from JavaScript, keeping what was said about it. */
function mergeGiven(given: unknown): { merged: CallContext; said: Array<readonly string[]> } {
  const said: Array<readonly string[]> = []
  const merged = mergeCallContext([given as CallContext], (problems) => said.push(problems))
  return { merged, said }
}

describe('mergeCallContext', () => {
  it('overrides scalars from the least to the most specific, merging tags and metadata', () => {
    const merged = mergeCallContext([
      { feature: 'default', tags: ['env:test'], metadata: { a: 1 } },
      undefined,
      { feature: 'wrap', userId: 'u', tags: ['env:test', 'beta'], metadata: { b: 2 } },
      { userId: '', metadata: { a: 3 } },
    ])
    expect(merged).toEqual({
      feature: 'wrap',
      userId: 'u',
      tags: ['env:test', 'beta'],
      metadata: { a: 3, b: 2 },
    })
  })

  it('records numeric ids and tags as their decimal strings, and says nothing of them', () => {
    const { merged, said } = mergeGiven({
      userId: 42,
      conversationId: 12345678901234567891n,
      messageId: -7,
      traceId: 1.5,
      tags: ['plan:pro', 2024, 9n],
    })
    expect(merged).toEqual({
      userId: '42',
      conversationId: '12345678901234567891',
      messageId: '-7',
      traceId: '1.5',
      tags: ['plan:pro', '2024', '9'],
    })
    expect(said).toEqual([])
  })

  it('leaves out values of any other type and says so once per context, naming each field', () => {
    const said: Array<readonly string[]> = []
    const merged = mergeCallContext(
      [
        { feature: 'checkout', userId: 'kept' },
        {
          userId: { id: 42 },
          feature: true,
          spanId: Number.NaN,
          parentSpanId: 2 ** 60,
          tags: ['a', false, 'b'],
          metadata: [1, 2],
        },
        { tags: 'a,b', metadata: 'plan=pro' },
      ] as unknown as CallContext[],
      (problems) => said.push(problems),
    )
    // What was left out does not override what an earlier context set.
    expect(merged).toEqual({ feature: 'checkout', userId: 'kept', tags: ['a', 'b'] })
    expect(said).toEqual([
      [
        'feature must be a string (a number or a bigint is taken as its decimal string); got a boolean',
        'userId must be a string (a number or a bigint is taken as its decimal string); got an object',
        'spanId must be a string (a number or a bigint is taken as its decimal string); got NaN',
        'parentSpanId is 1152921504606847000, past ±9007199254740991 (2^53 - 1), so its digits are lost already; pass it as a string or a bigint',
        'tags[1] must be a string (a number or a bigint is taken as its decimal string); got a boolean',
        "metadata must be a plain object such as { plan: 'pro' }; got an array",
      ],
      [
        "tags must be an array of strings such as ['beta']; got a string",
        "metadata must be a plain object such as { plan: 'pro' }; got a string",
      ],
    ])
  })

  it('takes null as absent, and a context that is not an object as a problem', () => {
    expect(mergeGiven({ userId: null, tags: [null, 'a'], metadata: null })).toEqual({
      merged: { tags: ['a'] },
      said: [],
    })
    expect(mergeGiven('user-42')).toEqual({
      merged: {},
      said: [["the context must be an object such as { userId: 'user-42' }; got a string"]],
    })
  })

  it('leaves metadata that is not a plain object out (a class instance, a Map)', () => {
    class Facts {
      plan = 'pro'
    }
    expect(mergeGiven({ metadata: new Facts() }).said).toEqual([
      ["metadata must be a plain object such as { plan: 'pro' }; got a Facts"],
    ])
    expect(mergeGiven({ metadata: Object.assign(Object.create(null), { plan: 'pro' }) }).merged).toEqual({
      metadata: { plan: 'pro' },
    })
  })
})

describe('snapshotCallContext', () => {
  it('normalises what it copies and says what it left out', () => {
    const said: Array<readonly string[]> = []
    const given = { userId: 42, feature: [], metadata: { team: { name: 'payments' } } }
    const snapshot = snapshotCallContext(given as unknown as CallContext, (problems) => said.push(problems))
    given.metadata.team.name = 'changed'
    expect(snapshot).toEqual({ userId: '42', metadata: { team: { name: 'payments' } } })
    expect(said).toEqual([
      ['feature must be a string (a number or a bigint is taken as its decimal string); got an array'],
    ])
  })
})
