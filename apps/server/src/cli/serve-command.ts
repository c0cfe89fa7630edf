import { startServer } from '../bootstrap/start-server.ts'
import { CliError } from './cli-error.ts'
import type { Command } from './main.ts'

/**
 * `serve`: runs until SIGINT or SIGTERM, then shuts down without losing accepted events. It takes no
 * arguments: a mistyped option would otherwise start a server that is not configured as meant.
 */
export const serveCommand: Command = async (args, { env, logger, print }) => {
  if (args.length > 0) {
    throw new CliError(
      `serve takes no arguments; got "${args.join(' ')}". The server is configured with environment variables, e.g. PORT=4001 HOST=0.0.0.0 DATABASE_URL=postgres://… (all of them: docs/configuration.md).`,
      2,
    )
  }
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
