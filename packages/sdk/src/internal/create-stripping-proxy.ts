import { clientShapeFor } from './client-shape-for.ts'
import type { ClientShapeInput } from './client-shape-input.ts'
import { createClientProxy } from './create-client-proxy.ts'
import { detectClientKind } from './detect-client-kind.ts'
import type { ErrorReporter } from './error-reporter.ts'
import { createWrapSession } from './wrap-session.ts'

/**
 * What a disabled profiler's `wrap()` returns: the client behind a proxy of the recorded shape whose
 * calls record nothing and change nothing but the per-call context option, which they remove. Code
 * written for an enabled profiler passes that option (the Google SDKs take it inside their request
 * parameters), and a provider must never receive it, whatever the configuration. No fetch is
 * replaced and no request option added. Objects that are not supported clients are returned as they are.
 */
export function createStrippingProxy<Client extends object>(client: Client, reporter: ErrorReporter): Client {
  const kind = detectClientKind(client)
  if (!kind) return client
  const session = createWrapSession({
    reporter,
    records: false,
    providerOverride: undefined,
    resolveContext: () => ({}),
    onFinish: () => {},
    runInCallContext: (_callContext, fn) => fn(),
  })
  let proxy: Client | undefined
  const input: ClientShapeInput = {
    session,
    client,
    countsAttempts: false,
    root: () => proxy ?? client,
    rewrap: (derived) => createStrippingProxy(derived, reporter),
  }
  proxy = createClientProxy(client, clientShapeFor(kind, input), new WeakMap())
  return proxy
}
