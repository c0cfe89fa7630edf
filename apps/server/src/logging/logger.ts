/** Log severities, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

/** A structured logger: one JSON object per line, with a message and fields. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

/** Creates a JSON-lines logger writing to `write` (stdout by default). */
export function createLogger(
  options: { level?: LogLevel; write?: (line: string) => void; fields?: Record<string, unknown> } = {},
): Logger {
  const threshold = ORDER[options.level ?? 'info']
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`))
  const base = options.fields ?? {}
  const log = (level: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < threshold) return
    write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...base, ...fields }))
  }
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  }
}
