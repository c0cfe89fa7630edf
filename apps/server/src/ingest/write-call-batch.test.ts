import { expect, it } from 'vitest'
import { callRow, createProject } from '../jobs/__fixtures__/call-rows.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { newServerIdempotencyKey } from './server-idempotency-key.ts'
import { writeCallBatch } from './write-call-batch.ts'

describeEachDatabase('writeCallBatch', (getDb) => {
  it('tells, per row of a mixed group, whether it was stored', async () => {
    const db = getDb()
    const [first, second] = [await createProject(db), await createProject(db)]
    expect(await writeCallBatch(db, [callRow(first, { idempotencyKey: 'stored-before' })])).toEqual([true])

    const stored = await writeCallBatch(db, [
      callRow(first, { idempotencyKey: 'k', conversationId: 'c', timestamp: '2025-03-10T10:00:00Z' }),
      // The same key in another project is another call.
      callRow(second, { idempotencyKey: 'k', conversationId: 'c' }),
      // A second request of the same group with the first one's key: a duplicate.
      callRow(first, { idempotencyKey: 'k', conversationId: 'c', timestamp: '2025-03-10T09:00:00Z' }),
      callRow(first, { idempotencyKey: 'stored-before' }),
      callRow(first, { idempotencyKey: null }),
    ])
    expect(stored).toEqual([true, true, false, false, true])

    const counts = await db.query<{ projectId: string; calls: number; conversations: number }>(
      `SELECT p.id AS "projectId",
         (SELECT count(*) FROM llm_calls c WHERE c.project_id = p.id)::int AS calls,
         (SELECT count(*) FROM conversations v WHERE v.project_id = p.id)::int AS conversations
       FROM (VALUES ($1::uuid), ($2::uuid)) AS p (id) ORDER BY p.id = $2`,
      [first, second],
    )
    expect(counts.rows).toEqual([
      { projectId: first, calls: 3, conversations: 1 },
      { projectId: second, calls: 1, conversations: 1 },
    ])
    // A duplicate within the group is dropped before anything is written, its time included.
    const window = await db.query<{ first: string }>(
      `SELECT to_char(first_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS first FROM conversations WHERE project_id = $1`,
      [first],
    )
    expect(window.rows).toEqual([{ first: '10:00' }])
  })

  it('counts a call found stored under its server-made key as stored: only its own earlier try wrote it', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const serverKey = newServerIdempotencyKey()
    const group = [
      callRow(projectId, { idempotencyKey: serverKey, keyMadeByServer: true }),
      callRow(projectId, { idempotencyKey: 'client-key' }),
    ]
    expect(await writeCallBatch(db, group)).toEqual([true, true])
    // The same group tried again, as after a connection lost once the first try had committed.
    expect(await writeCallBatch(db, group)).toEqual([true, false])
    // A client resending that key (read from GET /v1/events) sends a duplicate: the key is not its own.
    expect(await writeCallBatch(db, [callRow(projectId, { idempotencyKey: serverKey })])).toEqual([false])
    const { rows } = await db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM llm_calls WHERE project_id = $1',
      [projectId],
    )
    expect(rows).toEqual([{ count: 2 }])
  })

  it('derives conversations from the calls it stored only: a duplicate neither creates nor widens one', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const at = (time: string) => `2025-03-10T${time}:00.000Z`
    expect(
      await writeCallBatch(db, [
        callRow(projectId, { idempotencyKey: 'a1', conversationId: 'convA', timestamp: at('10:00') }),
      ]),
    ).toEqual([true])
    const stored = await writeCallBatch(db, [
      // Duplicates of a1 that name another conversation, an earlier time, a user and a feature.
      callRow(projectId, { idempotencyKey: 'a1', conversationId: 'convB', timestamp: at('08:00') }),
      callRow(projectId, {
        idempotencyKey: 'a1',
        conversationId: 'convA',
        timestamp: at('07:00'),
        userId: 'uX',
        feature: 'fX',
      }),
      // New calls: convA gains a later sighting; convC starts, its user and feature from its earliest call.
      callRow(projectId, {
        idempotencyKey: 'a2',
        conversationId: 'convA',
        timestamp: at('11:00'),
        feature: null,
      }),
      callRow(projectId, {
        idempotencyKey: 'c2',
        conversationId: 'convC',
        timestamp: at('12:00'),
        userId: 'late',
      }),
      callRow(projectId, {
        idempotencyKey: 'c1',
        conversationId: 'convC',
        timestamp: at('09:00'),
        userId: 'early',
        feature: null,
      }),
    ])
    expect(stored).toEqual([false, false, true, true, true])
    const conversations = await db.query(
      `SELECT id, user_id, feature, to_char(first_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS first,
         to_char(last_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS last
       FROM conversations WHERE project_id = $1 ORDER BY id`,
      [projectId],
    )
    expect(conversations.rows).toEqual([
      { id: 'convA', user_id: null, feature: 'support-chat', first: '10:00', last: '11:00' },
      { id: 'convC', user_id: 'early', feature: 'support-chat', first: '09:00', last: '12:00' },
    ])
  })

  it('leaves observability events for the failed, cut-off and retried calls it stored, and none for duplicates', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const failed = {
      status: 'error',
      errorType: 'rate_limit',
      errorCode: 'rate_limit_exceeded',
      errorHttpStatus: 429,
      errorMessage: 'Slow down',
    } as const
    const group = [
      callRow(projectId, { idempotencyKey: 'f1', traceId: 't1', conversationId: 'c1', ...failed }),
      callRow(projectId, { idempotencyKey: 'r1', retryCount: 2 }),
      callRow(projectId, { idempotencyKey: 'i1', status: 'incomplete', spanId: 's1' }),
      callRow(projectId, { idempotencyKey: 'ok' }),
      // Without a key a call cannot be a duplicate: each one stored leaves its own event.
      callRow(projectId, { idempotencyKey: null, traceId: 't2', ...failed }),
    ]
    expect(await writeCallBatch(db, group)).toEqual([true, true, true, true, true])
    // The same group again: the keyed calls are duplicates and add nothing; the unkeyed one is new.
    expect(await writeCallBatch(db, group)).toEqual([false, false, false, false, true])

    const events = await db.query<{
      event_type: string
      correlation_id: string
      conversation_id: string | null
      payload: unknown
    }>(
      `SELECT event_type, correlation_id, conversation_id, payload FROM observability_events
       WHERE project_id = $1 ORDER BY event_type, correlation_id`,
      [projectId],
    )
    const call = (idempotencyKey: string | null, spanId: string | null = null) => ({
      provider: 'openai',
      model: 'gpt-4o-mini',
      idempotencyKey,
      spanId,
    })
    const failure = {
      errorType: 'rate_limit',
      errorCode: 'rate_limit_exceeded',
      httpStatus: 429,
      message: 'Slow down',
    }
    const noError = { errorType: null, errorCode: null, httpStatus: null, message: null }
    expect(events.rows).toEqual([
      {
        event_type: 'llm_call.failed',
        correlation_id: 't1',
        conversation_id: 'c1',
        payload: { ...call('f1'), ...failure },
      },
      {
        event_type: 'llm_call.failed',
        correlation_id: 't2',
        conversation_id: null,
        payload: { ...call(null), ...failure },
      },
      {
        event_type: 'llm_call.failed',
        correlation_id: 't2',
        conversation_id: null,
        payload: { ...call(null), ...failure },
      },
      {
        event_type: 'llm_call.incomplete',
        correlation_id: 'i1',
        conversation_id: null,
        payload: { ...call('i1', 's1'), ...noError },
      },
      {
        event_type: 'llm_call.retried',
        correlation_id: 'r1',
        conversation_id: null,
        payload: { ...call('r1'), retryCount: 2 },
      },
    ])
  })
})
