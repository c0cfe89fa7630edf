import { PROVIDER_SLUG_PATTERN } from '@ai-cost-profiler/core'
import { ProfilerError } from '../profiler-error.ts'
import { describeValue } from './describe-value.ts'
import type { ErrorReporter } from './error-reporter.ts'

/**
 * The `provider` of `wrap()` options, when the server takes it as a provider slug. Any other value is
 * reported and left out, so the client's calls are recorded under the provider detected from it: the
 * server would refuse every event carrying it, and the calls' cost would be lost.
 */
export function readProviderOption(provider: unknown, reporter: ErrorReporter): string | undefined {
  if (provider === undefined || provider === null) return undefined
  if (typeof provider === 'string' && PROVIDER_SLUG_PATTERN.test(provider)) return provider
  const given = typeof provider === 'string' ? JSON.stringify(provider) : describeValue(provider)
  reporter.report(
    new ProfilerError(
      'INVALID_OPTIONS',
      `the provider option of wrap() must be a provider slug the server accepts: 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or a digit, such as 'azure-openai'; got ${given}, so the client's calls are recorded under the provider detected from it`,
    ),
  )
  return undefined
}
