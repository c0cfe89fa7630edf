import { ProfilerError } from '../profiler-error.ts'
import type { ErrorReporter } from './error-reporter.ts'
import type { InvalidContextListener } from './merge-call-context.ts'

/**
 * Reports what a context handed in held that cannot be recorded as one `INVALID_CONTEXT` per context,
 * naming where it was handed in (`source`, e.g. `the context of withContext()`).
 */
export function invalidContextReporter(reporter: ErrorReporter, source: string): InvalidContextListener {
  return (problems) =>
    reporter.report(
      new ProfilerError(
        'INVALID_CONTEXT',
        `${source}: ${problems.length === 1 ? 'a value that cannot be recorded was' : `${problems.length} values that cannot be recorded were`} left out (the rest is recorded): ${problems.join('; ')}`,
      ),
    )
}
