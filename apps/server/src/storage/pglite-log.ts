import { DISK_FULL } from './storage-error.ts'

/** A failure PostgreSQL logged: its SQLSTATE, severity and message. */
export interface LoggedFailure {
  sqlState: string
  severity: 'ERROR' | 'FATAL' | 'PANIC'
  message: string
}

/**
 * The `log_line_prefix` PGlite is started with: each line PostgreSQL logs begins with the SQLSTATE
 * of what it reports, so a failure that reaches only the log is told by its code, not its wording.
 */
export const PGLITE_LOG_LINE_PREFIX = '%e '

// `53100 PANIC:  could not write to file "pg_wal/xlogtemp.42": No space left on device`
const LOGGED_FAILURE = /^([0-9A-Z]{5}) (ERROR|FATAL|PANIC): {2}(.*)$/

/**
 * PostgreSQL's log as PGlite hands it over, line by line (its `onStderr`): keeps the last two
 * failures, which is what tells why PGlite failed to start, or why PostgreSQL stopped.
 * @example
 * const log = new PgliteLog()
 * const db = await PGlite.create({ startParams, onStderr: (line) => Boolean(log.read(line)) })
 */
export class PgliteLog {
  readonly #recent: LoggedFailure[] = []

  /** Takes one line of the log; returns the failure it reports, if it reports one. */
  read(line: string): LoggedFailure | undefined {
    const match = LOGGED_FAILURE.exec(line)
    if (match === null) return undefined
    const [, sqlState = '', severity, message = ''] = match
    const failure = { sqlState, severity: severity as LoggedFailure['severity'], message }
    this.#recent.push(failure)
    if (this.#recent.length > 2) this.#recent.shift()
    return failure
  }

  /** The failure logged last. */
  get lastFailure(): LoggedFailure | undefined {
    return this.#recent.at(-1)
  }

  /**
   * The full disk among the last two failures. A write that finds the disk full inside a critical
   * section is a PANIC of its own, and the next one another ("XLogBeginInsert was already called"):
   * the disk is the cause of both.
   */
  get diskFull(): LoggedFailure | undefined {
    return this.#recent.findLast((failure) => failure.sqlState === DISK_FULL)
  }
}
