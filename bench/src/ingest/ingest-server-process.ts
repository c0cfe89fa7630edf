// Child process of the ingest benchmark: the real server, alone in its process, so the load
// generator does not share its event loop and its peak RSS is the server's own.
import { startServer } from '../../../apps/server/src/bootstrap/start-server.ts'
import { parseEnv } from '../../../apps/server/src/env.ts'
import { createLogger } from '../../../apps/server/src/logging/logger.ts'

/** Parent → child: start with this environment, or stop. */
export type ServerProcessRequest =
  | { type: 'start'; env: Record<string, string> }
  | { type: 'usage' }
  | { type: 'stop' }
/** Child → parent. */
export type ServerProcessReply =
  | { type: 'listening'; url: string }
  | { type: 'usage'; cpuMicros: number }
  | { type: 'stopped'; maxRssKb: number }
  | { type: 'failed'; message: string }

function reply(message: ServerProcessReply): void {
  process.send?.(message)
}

let server: Awaited<ReturnType<typeof startServer>> | undefined

// A parent that dies (Ctrl-C, a crash) closes the channel: never outlive it.
process.on('disconnect', () => process.exit(0))

process.on('message', async (message: ServerProcessRequest) => {
  try {
    if (message.type === 'start') {
      server = await startServer(
        parseEnv(message.env),
        createLogger({ level: 'warn', write: (line) => process.stderr.write(`${line}\n`) }),
        {
          print: () => {},
        },
      )
      reply({ type: 'listening', url: server.url })
      return
    }
    if (message.type === 'usage') {
      const usage = process.resourceUsage()
      reply({ type: 'usage', cpuMicros: usage.userCPUTime + usage.systemCPUTime })
      return
    }
    await server?.close()
    // maxRSS is in kilobytes: the high-water mark of the whole server run.
    reply({ type: 'stopped', maxRssKb: process.resourceUsage().maxRSS })
    process.exit(0)
  } catch (error) {
    reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) })
  }
})
