import type { WrapSession } from './wrap-session.ts'

/** What every provider's shape builder receives. */
export interface ClientShapeInput {
  session: WrapSession
  /** The raw client. */
  client: object
  /** The client's fetch counts HTTP attempts (see `installAttemptCounter`), so calls can record retries. */
  countsAttempts: boolean
  /** The wrapped client, for back-references such as `_client` that the SDKs' helpers call through. */
  root: () => object
  /** Wraps a client derived from this one (e.g. `withOptions()`) with the same wrap options. */
  rewrap: (client: object) => object
}
