import { expect, it } from 'vitest'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'
import { deleteConversation } from './conversations-repository.ts'

const failedCall = {
  idempotencyKey: 'k1',
  timestamp: '2026-11-22T10:00:00.000Z',
  provider: 'anthropic',
  model: 'claude-sonnet-4-20250514',
  conversationId: 'conv-1',
  messageId: 'msg-1',
  traceId: 'trace-1',
  usage: { inputTokens: 1000, outputTokens: 0 },
  status: 'error',
  retryCount: 2,
  error: { type: 'overloaded', httpStatus: 529, message: 'Overloaded' },
}

describeEachDatabase('conversations', (getDb) => {
  it('records conversations, messages and observability events with the call', async () => {
    const db = getDb()
    const t = await createTestApp(db)
    expect(
      (
        await t.postEvents([
          failedCall,
          {
            ...failedCall,
            idempotencyKey: 'k2',
            messageId: 'msg-2',
            status: 'success',
            error: undefined,
            retryCount: 0,
            timestamp: '2026-11-22T11:00:00.000Z',
          },
        ])
      ).status,
    ).toBe(200)
    const conversation = await db.query<{ firstSeenAt: string; lastSeenAt: string }>(
      `SELECT to_char(first_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS "firstSeenAt", to_char(last_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS "lastSeenAt"
       FROM conversations WHERE project_id = $1 AND id = 'conv-1'`,
      [t.project.id],
    )
    expect(conversation.rows).toEqual([{ firstSeenAt: '10:00', lastSeenAt: '11:00' }])
    const messages = await db.query('SELECT id FROM messages WHERE project_id = $1 ORDER BY id', [
      t.project.id,
    ])
    expect(messages.rows).toEqual([{ id: 'msg-1' }, { id: 'msg-2' }])
    const events = await db.query<{ event_type: string; correlation_id: string }>(
      'SELECT event_type, correlation_id FROM observability_events WHERE project_id = $1 ORDER BY event_type',
      [t.project.id],
    )
    expect(events.rows).toEqual([
      { event_type: 'llm_call.failed', correlation_id: 'trace-1' },
      { event_type: 'llm_call.retried', correlation_id: 'trace-1' },
    ])
  })

  it('takes the seen window of a batch from instants, whatever order and offset its times have', async () => {
    const db = getDb()
    const t = await createTestApp(db)
    const success = { ...failedCall, status: 'success', error: undefined, retryCount: 0 }
    const times = ['2026-11-22T12:00:00+02:00', '2026-11-22T09:30:00.000Z', '2026-11-22T06:00:00-05:00']
    const response = await t.postEvents(
      times.map((timestamp, index) => ({
        ...success,
        idempotencyKey: `w${index}`,
        messageId: `m${index}`,
        timestamp,
      })),
    )
    expect(response.status).toBe(200)
    const conversation = await db.query(
      `SELECT to_char(first_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS first, to_char(last_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS last
       FROM conversations WHERE project_id = $1`,
      [t.project.id],
    )
    // 12:00+02:00 is 10:00Z and 06:00-05:00 is 11:00Z: string order would pick the wrong ends.
    expect(conversation.rows).toEqual([{ first: '09:30', last: '11:00' }])
  })

  it('adds nothing for a duplicate call and widens a conversation seen by a later batch', async () => {
    const db = getDb()
    const t = await createTestApp(db)
    expect((await t.postEvents([failedCall])).status).toBe(200)
    const replay = await t.postEvents([
      { ...failedCall, timestamp: '2026-11-22T09:00:00.000Z', idempotencyKey: 'k1' },
      {
        ...failedCall,
        idempotencyKey: 'k3',
        status: 'success',
        error: undefined,
        retryCount: 0,
        userId: 'u7',
        timestamp: '2026-11-22T12:00:00.000Z',
      },
    ])
    expect(replay.body).toMatchObject({ accepted: 1, duplicates: 1 })
    const conversation = await db.query(
      `SELECT user_id, to_char(first_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS first, to_char(last_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS last
       FROM conversations WHERE project_id = $1`,
      [t.project.id],
    )
    // A duplicate writes nothing, not even its (different) time into the conversation's window.
    expect(conversation.rows).toEqual([{ user_id: 'u7', first: '10:00', last: '12:00' }])
    const messages = await db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM messages WHERE project_id = $1',
      [t.project.id],
    )
    expect(messages.rows[0]?.count).toBe(1)
    const events = await db.query<{ event_type: string; payload: unknown }>(
      'SELECT event_type, payload FROM observability_events WHERE project_id = $1 ORDER BY event_type',
      [t.project.id],
    )
    const call = {
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      idempotencyKey: 'k1',
      spanId: null,
    }
    expect(events.rows).toEqual([
      {
        event_type: 'llm_call.failed',
        payload: {
          ...call,
          errorType: 'overloaded',
          errorCode: null,
          httpStatus: 529,
          message: 'Overloaded',
        },
      },
      { event_type: 'llm_call.retried', payload: { ...call, retryCount: 2 } },
    ])
  })

  it('deletes a conversation with its messages and events, keeping its calls and their cost', async () => {
    const db = getDb()
    const t = await createTestApp(db)
    await t.postEvents([
      { ...failedCall, status: 'success', error: undefined, usage: { inputTokens: 1000, outputTokens: 100 } },
    ])
    expect(await deleteConversation(db, { projectId: t.project.id, id: 'conv-1' })).toBe(true)
    const calls = await db.query<{ conversation_id: string | null; cost_usd: string }>(
      'SELECT conversation_id, cost_usd::text FROM llm_calls WHERE project_id = $1',
      [t.project.id],
    )
    // claude-sonnet-4: 1,000 input at $3/M + 100 output at $15/M = $0.0045
    expect(calls.rows).toEqual([{ conversation_id: null, cost_usd: '0.004500000000' }])
    const left = await db.query<{ count: number }>(
      `SELECT (SELECT count(*) FROM messages WHERE project_id = $1)::int + (SELECT count(*) FROM observability_events WHERE project_id = $1)::int AS count`,
      [t.project.id],
    )
    expect(left.rows[0]?.count).toBe(0)
  })
  it('deletes a project with its calls, conversations and messages, and leaves other projects alone', async () => {
    const db = getDb()
    const doomed = await createTestApp(db)
    const kept = await createTestApp(db)
    for (const t of [doomed, kept]) expect((await t.postEvents([failedCall])).status).toBe(200)
    await db.query('DELETE FROM projects WHERE id = $1', [doomed.project.id])
    const counts = await db.query<{
      projectId: string
      calls: number
      conversations: number
      messages: number
    }>(
      `SELECT p.id AS "projectId",
         (SELECT count(*) FROM llm_calls c WHERE c.project_id = p.id)::int AS calls,
         (SELECT count(*) FROM conversations v WHERE v.project_id = p.id)::int AS conversations,
         (SELECT count(*) FROM messages m WHERE m.project_id = p.id)::int AS messages
       FROM (VALUES ($1::uuid), ($2::uuid)) AS p (id) ORDER BY p.id = $2`,
      [doomed.project.id, kept.project.id],
    )
    expect(counts.rows).toEqual([
      { projectId: doomed.project.id, calls: 0, conversations: 0, messages: 0 },
      { projectId: kept.project.id, calls: 1, conversations: 1, messages: 1 },
    ])
  })

  it('detaches the calls of every conversation deleted at once, and only theirs', async () => {
    const db = getDb()
    const t = await createTestApp(db)
    const success = { ...failedCall, status: 'success', error: undefined, retryCount: 0 }
    await t.postEvents(
      ['conv-a', 'conv-b', 'conv-c'].map((conversationId, index) => ({
        ...success,
        idempotencyKey: `d${index}`,
        conversationId,
      })),
    )
    await db.query(`DELETE FROM conversations WHERE project_id = $1 AND id IN ('conv-a', 'conv-b')`, [
      t.project.id,
    ])
    const calls = await db.query<{ key: string; conversationId: string | null }>(
      'SELECT idempotency_key AS key, conversation_id AS "conversationId" FROM llm_calls WHERE project_id = $1 ORDER BY 1',
      [t.project.id],
    )
    expect(calls.rows).toEqual([
      { key: 'd0', conversationId: null },
      { key: 'd1', conversationId: null },
      { key: 'd2', conversationId: 'conv-c' },
    ])
  })

  it('lists a message once, first seen at its earliest call whatever order the calls arrive in', async () => {
    const db = getDb()
    const t = await createTestApp(db)
    const success = { ...failedCall, status: 'success', error: undefined, retryCount: 0 }
    // A retried message: its second call arrives first, in an earlier batch.
    await t.postEvents([{ ...success, idempotencyKey: 'late', timestamp: '2026-11-22T10:05:00.000Z' }])
    await t.postEvents([
      { ...success, idempotencyKey: 'early', timestamp: '2026-11-22T10:00:00.000Z' },
      { ...success, idempotencyKey: 'other', messageId: 'msg-2', timestamp: '2026-11-22T10:07:00.000Z' },
      // A call with a message id but no conversation belongs to no conversation's messages.
      { ...success, idempotencyKey: 'alone', conversationId: undefined, messageId: 'msg-3' },
    ])
    const messages = await db.query<{ conversationId: string; id: string; firstSeenAt: string }>(
      `SELECT conversation_id AS "conversationId", id, to_char(first_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS "firstSeenAt"
       FROM messages WHERE project_id = $1 ORDER BY id`,
      [t.project.id],
    )
    expect(messages.rows).toEqual([
      { conversationId: 'conv-1', id: 'msg-1', firstSeenAt: '10:00' },
      { conversationId: 'conv-1', id: 'msg-2', firstSeenAt: '10:07' },
    ])
  })
})
