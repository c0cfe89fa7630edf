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
  const stopped = await new Promise<boolean>((resolve) => {
    let stopping = false
    const stop = (signal: NodeJS.Signals) => {
      // npm passes on the signal it gets, and Ctrl-C in a terminal reaches npm and the server alike: one
      // stop may arrive twice, and must not cut short the shutdown under way.
      if (stopping) return
      stopping = true
      logger.info('shutting down', { signal })
      const finish = (succeeded: boolean) => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve(succeeded)
      }
      server.close().then(
        () => finish(true),
        (error: unknown) => {
          logger.error('shutdown failed', { err: String(error) })
          finish(false)
        },
      )
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  if (!stopped) return 1
  logger.info('server stopped')
  return 0
}
