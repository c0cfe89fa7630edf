import { connect, createServer, type Socket } from 'node:net'
import { TEST_POSTGRES_URL } from './test-databases.ts'

/**
 * A TCP proxy in front of the test PostgreSQL that can go silent: its connections stay open, but
 * nothing passes any more in either direction (a hung server, or a network that drops packets).
 */
export async function startFreezingProxy(): Promise<{ url: string; freeze(): void; close(): Promise<void> }> {
  const target = new URL(TEST_POSTGRES_URL)
  let frozen = false
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => socket.destroy())
      socket.on('close', () => sockets.delete(socket))
    }
    client.on('data', (chunk) => {
      if (!frozen) upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (!frozen) client.write(chunk)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const url = new URL(TEST_POSTGRES_URL)
  url.host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return {
    url: url.href,
    freeze: () => {
      frozen = true
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
