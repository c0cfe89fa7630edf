import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { normalizeSslMode } from './normalize-ssl-mode.ts'

const BASE = 'postgres://app:s3cret@db.example.com:5432/app'

describe('normalizeSslMode', () => {
  it.each(['prefer', 'require', 'verify-ca'])(
    'writes sslmode=%s as the verify-full it means to the client',
    (mode) => {
      expect(normalizeSslMode(`${BASE}?sslmode=${mode}`)).toBe(`${BASE}?sslmode=verify-full`)
      expect(normalizeSslMode(`${BASE}?application_name=x&sslmode=${mode}&connect_timeout=5#part`)).toBe(
        `${BASE}?application_name=x&sslmode=verify-full&connect_timeout=5#part`,
      )
    },
  )

  it.each([
    [BASE],
    [`${BASE}?sslmode=verify-full`],
    [`${BASE}?sslmode=disable`],
    [`${BASE}?sslmode=no-verify`],
    [`${BASE}?ssl=true`],
    // libpq's meaning, which the client gives these modes only when asked to (the last value counts).
    [`${BASE}?uselibpqcompat=true&sslmode=require`],
    [`${BASE}?uselibpqcompat=false&sslmode=disable&uselibpqcompat=true&sslmode=prefer`],
    // After `#`, as a URL reads it, there is no query.
    [`${BASE}#x?sslmode=require`],
    ['postgres://app@/app?host=/var/run/postgresql'],
  ])('leaves %s as it is', (url) => {
    expect(normalizeSslMode(url)).toBe(url)
  })

  it('reads the value as the client does: decoded, the last of a repeated parameter deciding', () => {
    expect(normalizeSslMode(`${BASE}?sslmode=requir%65`)).toBe(`${BASE}?sslmode=verify-full`)
    expect(normalizeSslMode(`${BASE}?sslmode=disable&sslmode=require`)).toBe(
      `${BASE}?sslmode=disable&sslmode=verify-full`,
    )
    expect(normalizeSslMode(`${BASE}?uselibpqcompat=true&uselibpqcompat=false&sslmode=require`)).toBe(
      `${BASE}?uselibpqcompat=true&uselibpqcompat=false&sslmode=verify-full`,
    )
  })

  it('gives the client the connection it would have made: TLS with the certificate checked', () => {
    const client = new pg.Client({ connectionString: normalizeSslMode(`${BASE}?sslmode=require`) })
    // An empty TLS options object: Node checks the certificate and the host name.
    expect(client.ssl).toEqual({})
    expect(client.ssl).not.toEqual(new pg.Client({ connectionString: `${BASE}?sslmode=no-verify` }).ssl)
  })
})
