import type { Queryable } from '../database.ts'

/** Something that happened around LLM calls (a failure, a retry, …), correlated to them. */
export interface ObservabilityEventRow {
  projectId: string
  timestamp: string
  eventType: string
  correlationId: string | null
  conversationId: string | null
  /** JSON text. */
  payload: string
}

/** Inserts observability events in one statement. */
export async function insertObservabilityEvents(
  db: Queryable,
  rows: readonly ObservabilityEventRow[],
): Promise<void> {
  if (rows.length === 0) return
  await db.query(
    `INSERT INTO observability_events (project_id, timestamp, event_type, correlation_id, conversation_id, payload)
     SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
    [
      rows.map((row) => row.projectId),
      rows.map((row) => row.timestamp),
      rows.map((row) => row.eventType),
      rows.map((row) => row.correlationId),
      rows.map((row) => row.conversationId),
      rows.map((row) => row.payload),
    ],
  )
}

/** Observability events of one correlation id, oldest first. */
export async function listObservabilityEventsByCorrelation(
  db: Queryable,
  input: { projectId: string; correlationId: string },
): Promise<Array<{ eventType: string; timestamp: string; payload: Record<string, unknown> }>> {
  const { rows } = await db.query<{ eventType: string; timestamp: string; payload: Record<string, unknown> }>(
    `SELECT event_type AS "eventType", to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS timestamp, payload
     FROM observability_events WHERE project_id = $1 AND correlation_id = $2
     ORDER BY observability_events.timestamp, observability_events.id`,
    [input.projectId, input.correlationId],
  )
  return rows
}
