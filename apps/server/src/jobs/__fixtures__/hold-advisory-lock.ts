// Child process for the lock tests: takes a job's advisory lock on PostgreSQL, says "locked", and holds it
// until killed, like a server that crashes in the middle of a run.
import { openPostgresDatabase } from '../../storage/postgres-database.ts'
import { withAdvisoryLock } from '../advisory-lock.ts'

const [connectionString = '', schema = '', job = '', subKey = '0'] = process.argv.slice(2)
const db = await openPostgresDatabase({ connectionString, schema, poolSize: 2 })
await withAdvisoryLock(db, { job, subKey: Number(subKey) }, async () => {
  process.stdout.write('locked\n')
  await new Promise(() => {})
})
