import { describe, expect, it } from 'vitest'
import { StorageError } from '../storage/storage-error.ts'
import { isTransientDatabaseError } from './is-transient-database-error.ts'
import { retryTransient } from './retry-transient.ts'

describe('retryTransient', () => {
  it('tries three times in all on transient errors, then gives up', async () => {
    let calls = 0
    const error = Object.assign(new Error('connection reset'), { code: 'ECONNRESET' })
    await expect(
      retryTransient(
        async () => {
          calls++
          throw error
        },
        { baseDelayMs: 1 },
      ),
    ).rejects.toBe(error)
    expect(calls).toBe(3)
  })

  it('does not retry a statement the database never answered, which is still transient', async () => {
    let calls = 0
    const unanswered = new StorageError('DATABASE_UNAVAILABLE', 'PostgreSQL did not answer within 30 s', {
      unanswered: true,
    })
    await expect(
      retryTransient(
        async () => {
          calls++
          throw unanswered
        },
        { baseDelayMs: 1 },
      ),
    ).rejects.toBe(unanswered)
    expect(calls).toBe(1)
    expect(isTransientDatabaseError(unanswered)).toBe(true)
  })

  it('never retries a constraint violation', async () => {
    let calls = 0
    await expect(
      retryTransient(async () => {
        calls++
        throw Object.assign(new Error('duplicate key'), { code: '23505' })
      }),
    ).rejects.toThrow('duplicate key')
    expect(calls).toBe(1)
  })

  it('returns the first success', async () => {
    let calls = 0
    const result = await retryTransient(
      async () => {
        calls++
        if (calls < 2) throw Object.assign(new Error('deadlock'), { code: '40P01' })
        return 'done'
      },
      { baseDelayMs: 1 },
    )
    expect(result).toBe('done')
  })
})

describe('isTransientDatabaseError', () => {
  it('classifies by SQLSTATE, and treats connection failures as transient', () => {
    expect(isTransientDatabaseError({ code: '08006' })).toBe(true)
    expect(isTransientDatabaseError({ code: '57P01' })).toBe(true)
    expect(isTransientDatabaseError({ code: '40001' })).toBe(true)
    expect(isTransientDatabaseError({ code: '23505' })).toBe(false)
    expect(isTransientDatabaseError({ code: '42P01' })).toBe(false)
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isTransientDatabaseError('nope')).toBe(false)
  })
})
