/** Options for `postBatches`. */
export interface PostBatchesOptions {
  /** Base URL of the server. */
  url: string
  apiKey: string
  /** Ready-made JSON bodies (`{ "events": [...] }`), sent in order by whichever client is free. */
  bodies: readonly string[]
  eventsPerBody: number
  /** Requests in flight at once, each client on its own keep-alive connection. */
  clients: number
}

/** What a load run measured. */
export interface PostBatchesResult {
  durationMs: number
  /** Time from sending a request to reading its whole answer, one per request. */
  latenciesMs: number[]
  acceptedEvents: number
}

/**
 * Posts every body to `/v1/events` from `clients` concurrent loops (Node's fetch keeps connections
 * alive) and times the whole run and each request. Bodies are prepared in advance so the load
 * generator spends its time on the wire, not on JSON. Any answer other than "all accepted" fails the
 * run: a benchmark that silently drops events measures nothing.
 */
export async function postBatches(options: PostBatchesOptions): Promise<PostBatchesResult> {
  const endpoint = `${options.url}/v1/events`
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' }
  const latenciesMs: number[] = []
  let nextIndex = 0
  let acceptedEvents = 0

  const client = async () => {
    for (;;) {
      const index = nextIndex++
      const body = options.bodies[index]
      if (body === undefined) return
      const sentAtMs = performance.now()
      const response = await fetch(endpoint, { method: 'POST', headers, body })
      const answer = (await response.json()) as { accepted?: number; duplicates?: number }
      latenciesMs.push(performance.now() - sentAtMs)
      if (response.status !== 200 || answer.accepted !== options.eventsPerBody) {
        throw new Error(
          `batch ${index} was not fully accepted: HTTP ${response.status} ${JSON.stringify(answer).slice(0, 300)}`,
        )
      }
      acceptedEvents += answer.accepted
    }
  }

  const startedAtMs = performance.now()
  await Promise.all(Array.from({ length: options.clients }, client))
  return { durationMs: performance.now() - startedAtMs, latenciesMs, acceptedEvents }
}
