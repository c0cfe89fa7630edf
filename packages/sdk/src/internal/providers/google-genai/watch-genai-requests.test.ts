import { afterEach, describe, expect, it, vi } from 'vitest'
import type { WrapSession } from '../../wrap-session.ts'
import { watchGenAiRequests } from './watch-genai-requests.ts'

const session = { trackFinishing: () => {} } as unknown as WrapSession
const models = (httpOptions: Record<string, unknown> = {}) => ({
  apiClient: { clientOptions: { httpOptions } },
})
const retryOptions = { attempts: 3 }

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('watchGenAiRequests', () => {
  it('leaves a call that sends one request as it is', () => {
    expect(watchGenAiRequests({ model: 'm', contents: 'x' }, models(), session)).toBeUndefined()
    expect(watchGenAiRequests({ model: 'm', config: { temperature: 0 } }, models(), session)).toBeUndefined()
    const disabled = { tools: [{ callTool: async () => [] }], automaticFunctionCalling: { disable: true } }
    expect(watchGenAiRequests({ model: 'm', config: disabled }, models(), session)).toBeUndefined()
  })

  it('watches a call with retries (its own or the client’s) or a tool loop, without changing its params', () => {
    const params = { model: 'm', config: { httpOptions: { retryOptions } } }
    const watched = watchGenAiRequests(params, models(), session)
    expect(watched?.params).toMatchObject({ model: 'm', config: { httpOptions: { retryOptions } } })
    expect(params).toEqual({ model: 'm', config: { httpOptions: { retryOptions } } })
    expect(watchGenAiRequests({ model: 'm' }, models({ retryOptions }), session)).toBeDefined()
    const tools = { tools: [{ callTool: async () => [] }] }
    expect(watchGenAiRequests({ model: 'm', config: tools }, models(), session)).toBeDefined()
    // Sealed or frozen params cannot be seen through with a fetch in them: left alone, as a copy would
    // take writes that fail on them unwrapped.
    const frozen = Object.freeze({ model: 'm', config: Object.freeze({ httpOptions: { retryOptions } }) })
    expect(watchGenAiRequests(frozen, models(), session)).toBeUndefined()
    const sealedConfig = { model: 'm', config: Object.seal({ ...tools }) }
    expect(watchGenAiRequests(sealedConfig, models(), session)).toBeUndefined()
    // A client whose options cannot be read is left alone.
    expect(
      watchGenAiRequests({ model: 'm', config: { httpOptions: { retryOptions } } }, {}, session),
    ).toBeUndefined()
  })

  it('reports a failure to record a round instead of leaving it unhandled', async () => {
    vi.stubGlobal(
      'fetch',
      async () => new Response(JSON.stringify({ usageMetadata: { promptTokenCount: 5 } })),
    )
    const tracked: Array<Promise<void>> = []
    const reported: string[] = []
    const reportingSession = {
      trackFinishing: (work: Promise<void>) => tracked.push(work),
      reporter: { reportInternal: (what: string) => reported.push(what) },
    } as unknown as WrapSession
    const tools = { tools: [{ callTool: async () => [] }] }
    const watched = watchGenAiRequests({ model: 'm', config: tools }, models(), reportingSession)!
    watched.rounds.tracker = {
      startRelated: () => {
        throw new Error('broken tracker')
      },
    } as never
    const fetchWith = (watched.params.config as { httpOptions: { fetch: (url: string) => Promise<unknown> } })
      .httpOptions.fetch
    await fetchWith('http://127.0.0.1/x')
    watched.settleLastRound()
    await Promise.all(tracked)
    expect(reported).toEqual(['recording a round of a Gemini tool loop'])
  })

  it("lifts undici's timeouts on the global fetch as @google/genai does, and leaves a client's fetch alone", async () => {
    const seen: unknown[] = []
    const fetchStub = async (_input: unknown, init: unknown) => {
      seen.push(init)
      return new Response('{}')
    }
    vi.stubGlobal('fetch', fetchStub)
    const global = watchGenAiRequests({ model: 'm' }, models({ retryOptions }), session)
    const fetchOf = (watched: typeof global) =>
      (
        watched!.params.config as {
          httpOptions: { fetch: (input: string, init: object) => Promise<unknown> }
        }
      ).httpOptions.fetch
    await fetchOf(global)('http://127.0.0.1/x', { method: 'POST' })
    expect(seen[0]).toMatchObject({ method: 'POST', dispatcher: { dispatch: expect.any(Function) } })
    const own = watchGenAiRequests({ model: 'm' }, models({ retryOptions, fetch: fetchStub }), session)
    await fetchOf(own)('http://127.0.0.1/x', { method: 'POST' })
    expect(seen[1]).toEqual({ method: 'POST' })
  })
})
