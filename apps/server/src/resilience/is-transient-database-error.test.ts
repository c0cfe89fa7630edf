import { describe, expect, it } from 'vitest'
import { StorageError } from '../storage/storage-error.ts'
import { isTransientDatabaseError } from './is-transient-database-error.ts'

const withCode = (code: string) => Object.assign(new Error(`failed (${code})`), { code })

describe('isTransientDatabaseError', () => {
  it('is true for lost, refused or timed-out connections and a server going away', () => {
    for (const code of ['08000', '08003', '08006', '53300', '57P01', '57P02', '57P03', '40001', '40P01']) {
      expect(isTransientDatabaseError(withCode(code)), code).toBe(true)
    }
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN']) {
      expect(isTransientDatabaseError(withCode(code)), code).toBe(true)
    }
    for (const message of [
      'Connection terminated unexpectedly',
      'timeout exceeded when trying to connect',
      'Cannot use a pool after calling end on the pool',
    ]) {
      expect(isTransientDatabaseError(new Error(message)), message).toBe(true)
    }
    expect(isTransientDatabaseError(new StorageError('DATABASE_UNAVAILABLE', 'down'))).toBe(true)
  })

  it('is false for errors a retry would repeat: bugs, bad data, constraints', () => {
    expect(isTransientDatabaseError(new RangeError('Maximum call stack size exceeded'))).toBe(false)
    expect(isTransientDatabaseError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(
      false,
    )
    expect(isTransientDatabaseError(new Error('something else'))).toBe(false)
    // The driver's wording on an error that is not the driver's plain Error proves nothing.
    expect(isTransientDatabaseError(new TypeError('Connection terminated unexpectedly'))).toBe(false)
    // Numeric overflow, unique violation, undefined table, out of memory, statement timeout.
    for (const code of ['22003', '23505', '42P01', '53200', '57014', '57P04']) {
      expect(isTransientDatabaseError(withCode(code)), code).toBe(false)
    }
    expect(isTransientDatabaseError(withCode('ERR_SOMETHING'))).toBe(false)
    expect(isTransientDatabaseError(new StorageError('MIGRATION_FAILED', 'bad'))).toBe(false)
    expect(isTransientDatabaseError('nope')).toBe(false)
    expect(isTransientDatabaseError(undefined)).toBe(false)
  })
})
