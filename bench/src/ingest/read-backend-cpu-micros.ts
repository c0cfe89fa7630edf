import { readFileSync } from 'node:fs'
import type { Queryable } from '../../../apps/server/src/storage/database.ts'

// Linux reports process times in clock ticks of 1/100 s on every mainstream architecture.
const MICROS_PER_TICK = 10_000

/**
 * CPU time (user + system) used so far by the PostgreSQL backends of connections named
 * `applicationName`, read from /proc. Only meaningful when PostgreSQL runs on this machine; returns
 * null where /proc cannot be read (another host, another OS).
 */
export async function readBackendCpuMicros(db: Queryable, applicationName: string): Promise<number | null> {
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  )
  let ticks = 0
  for (const { pid } of rows) {
    try {
      // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      return null
    }
  }
  return ticks * MICROS_PER_TICK
}
