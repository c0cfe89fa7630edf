import { startServer } from '../bootstrap/start-server.ts'
import type { Command } from './main.ts'

/** `serve`: runs until SIGINT or SIGTERM, then shuts down without losing accepted events. */
export const serveCommand: Command = async (_args, { env, logger, print }) => {
  const server = await startServer(env, logger, { print })
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('shutting down', { signal })
      server.close().then(resolve, (error: unknown) => {
        logger.error('shutdown failed', { err: String(error) })
        resolve()
      })
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
  return 0
}
