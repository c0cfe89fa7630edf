import { startServer } from '../bootstrap/start-server.ts'
import { unknownSettings } from '../env.ts'
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
  // The handlers come first: a signal while the server starts (it already listens while it makes the
  // first project's key) would otherwise end the process at once, leaving the data folder's lock behind.
  let signalled: (signal: NodeJS.Signals) => void
  const firstSignal = new Promise<NodeJS.Signals>((resolve) => {
    signalled = resolve
  })
  let received: NodeJS.Signals | undefined
  // npm passes on the signal it gets, and Ctrl-C in a terminal reaches npm and the server alike: one
  // stop may arrive twice, and must not cut short the shutdown under way.
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) return
    received = signal
    signalled(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const unknown = unknownSettings(process.env)
  if (unknown.length > 0) {
    logger.warn('unknown settings ignored', {
      variables: unknown,
      hint: 'these ACP_ variables are not settings of the server or the SDK; check their spelling against docs/configuration.md',
    })
  }
  try {
    const server = await startServer(env, logger, { print })
    const signal = await firstSignal
    logger.info('shutting down', { signal })
    try {
      await server.close()
    } catch (error) {
      logger.error('shutdown failed', { err: String(error) })
      return 1
    }
    logger.info('server stopped')
    return 0
  } finally {
    if (received === undefined) {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    } else {
      // Stopped by a signal, the process exits next, and a repeat must not kill it with 143 or 130
      // after "server stopped": the handlers stay (they keep no event loop alive). Node's teardown
      // after an exit that comes by itself (tens of ms) restores the default action of every signal;
      // process.exit() skips it, called once the event loop is empty so every write is flushed.
      process.once('beforeExit', () => process.exit())
    }
  }
}
