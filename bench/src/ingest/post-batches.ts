import http from 'node:http'

/** Options for `postBatches`. */
export interface PostBatchesOptions {
  /** Base URL of the server. */
  url: string
  apiKey: string
  /** Ready-made UTF-8 JSON bodies (`{ "events": [...] }`), sent in order by whichever client is free. */
  bodies: readonly Buffer[]
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

function post(
  agent: http.Agent,
  endpoint: URL,
  headers: http.OutgoingHttpHeaders,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(endpoint, { method: 'POST', agent, headers }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        text += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }))
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(body)
  })
}

/**
 * Posts every body to `/v1/events` from `clients` concurrent loops, each on its own keep-alive
 * connection, and times the whole run and each request. Bodies are prepared in advance and sent
 * with `node:http` (lighter than `fetch`): the load generator shares the machine with the server
 * and the database, so it should spend as little CPU as it can. Any answer other than "all
 * accepted" fails the run: a benchmark that silently drops events measures nothing.
 */
export async function postBatches(options: PostBatchesOptions): Promise<PostBatchesResult> {
  const endpoint = new URL('/v1/events', options.url)
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients })
  const { bodies } = options
  const latenciesMs: number[] = []
  let nextIndex = 0
  let acceptedEvents = 0

  const client = async () => {
    for (;;) {
      const index = nextIndex++
      const body = bodies[index]
      if (body === undefined) return
      const headers = {
        authorization: `Bearer ${options.apiKey}`,
        'content-type': 'application/json',
        'content-length': body.byteLength,
      }
      const sentAtMs = performance.now()
      const response = await post(agent, endpoint, headers, body)
      latenciesMs.push(performance.now() - sentAtMs)
      const answer = JSON.parse(response.text) as { accepted?: number; duplicates?: number }
      if (response.status !== 200 || answer.accepted !== options.eventsPerBody) {
        throw new Error(
          `batch ${index} was not fully accepted: HTTP ${response.status} ${response.text.slice(0, 300)}`,
        )
      }
      acceptedEvents += answer.accepted
    }
  }

  const startedAtMs = performance.now()
  try {
    await Promise.all(Array.from({ length: options.clients }, client))
  } finally {
    agent.destroy()
  }
  return { durationMs: performance.now() - startedAtMs, latenciesMs, acceptedEvents }
}
