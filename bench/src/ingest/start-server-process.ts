import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { SERVER_NODE_FLAGS } from '../../../apps/server/src/cli/server-node-flags.ts'
import type { ServerProcessReply, ServerProcessRequest } from './ingest-server-process.ts'

/** A server running in a child process. */
export interface ServerProcess {
  url: string
  /** CPU time (user + system) the server process has used so far. */
  cpuMicros(): Promise<number>
  /** Drains and closes the server; resolves with its peak resident set size. */
  stop(): Promise<{ maxRssKb: number }>
}

/** Options for `startServerProcess`. */
export interface StartServerProcessOptions {
  /** Environment the server parses, as its own process environment would hold it. */
  env: Record<string, string>
  /** Writes a V8 CPU profile of the server into this folder on exit. */
  cpuProfileDir?: string
  /** Node.js flags for the server process after those `npm start` uses (a later flag wins). */
  nodeFlags?: readonly string[]
}

const ENTRY = fileURLToPath(new URL('./ingest-server-process.ts', import.meta.url))

/** Starts the real server (`startServer`) in a child process, as `npm start` runs it, and waits until it listens. */
export async function startServerProcess(options: StartServerProcessOptions): Promise<ServerProcess> {
  const execArgv = [
    ...SERVER_NODE_FLAGS,
    '--import',
    'tsx',
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ...(options.nodeFlags ?? []),
  ]
  const child = fork(ENTRY, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const next = () =>
    new Promise<ServerProcessReply>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the server process exited with code ${code}`))
      child.once('exit', onExit)
      child.once('message', (message: ServerProcessReply) => {
        child.off('exit', onExit)
        resolve(message)
      })
    })
  const send = (message: ServerProcessRequest) => child.send(message)

  send({ type: 'start', env: options.env })
  const started = await next()
  if (started.type !== 'listening') {
    child.kill()
    throw new Error(`the server did not start: ${started.type === 'failed' ? started.message : started.type}`)
  }
  return {
    url: started.url,
    async cpuMicros() {
      send({ type: 'usage' })
      const usage = await next()
      if (usage.type !== 'usage')
        throw new Error(`unexpected answer from the server process: ${JSON.stringify(usage)}`)
      return usage.cpuMicros
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      send({ type: 'stop' })
      const stopped = await next()
      await exited
      if (stopped.type !== 'stopped')
        throw new Error(`the server did not stop cleanly: ${JSON.stringify(stopped)}`)
      return { maxRssKb: stopped.maxRssKb }
    },
  }
}
