import { describe, expect, it } from 'vitest'
import { ApiError } from './api-error.ts'
import { decodeCursor, encodeCursor } from './cursor.ts'

const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('decodeCursor', () => {
  it('reads back what encodeCursor wrote, microseconds and the largest id included', () => {
    const cursor = { timestamp: '2026-11-29T10:00:00.123456Z', id: '9223372036854775807' }
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor)
  })

  it('refuses crafted cursors the database could not compare with 400 INVALID_CURSOR', () => {
    for (const value of [
      ['2026-11-29T10:00:00Z', '9999999999999999999'],
      ['2026-11-29T10:00:00Z', '9223372036854775808'],
      ['1', '1'],
      ['+099999-01-01T00:00:00Z', '1'],
      ['0000-01-01T00:00:00Z', '1'],
      ['9999-12-31T23:00:00-10:00', '1'],
      ['2026-02-30T00:00:00Z', '1'],
      ['2026-11-29T10:00:00Z', 1],
    ]) {
      let error: unknown
      try {
        decodeCursor(token(value))
      } catch (thrown) {
        error = thrown
      }
      expect(error, JSON.stringify(value)).toBeInstanceOf(ApiError)
      expect(error).toMatchObject({ status: 400, code: 'INVALID_CURSOR' })
    }
  })
})
