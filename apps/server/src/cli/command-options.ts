import { JobError } from '../jobs/job-error.ts'
import { FIRST_SUPPORTED_UTC_DAY, isUtcDay, LAST_SUPPORTED_UTC_DAY } from '../jobs/utc-days.ts'
import type { Queryable } from '../storage/database.ts'
import { findProjectByName, type Project } from '../storage/repositories/projects-repository.ts'
import { CliError } from './cli-error.ts'

/** Reads a `YYYY-MM-DD` option; required unless a fallback is given. */
export function parseDayOption(option: string, text: string | undefined): string {
  if (text === undefined) throw new CliError(`--${option} YYYY-MM-DD is required.`, 2)
  if (!isUtcDay(text)) {
    throw new CliError(
      `--${option} takes a real date written YYYY-MM-DD, from ${FIRST_SUPPORTED_UTC_DAY} to ${LAST_SUPPORTED_UTC_DAY}; got "${text}".`,
      2,
    )
  }
  return text
}

/** Reads a whole-number option within [min, max]. */
export function parseCountOption(input: {
  option: string
  text: string | undefined
  fallback: number
  min: number
  max: number
}): number {
  if (input.text === undefined) return input.fallback
  const value = Number(input.text)
  if (
    !/^\d+$/.test(input.text.trim()) ||
    !Number.isSafeInteger(value) ||
    value < input.min ||
    value > input.max
  ) {
    throw new CliError(
      `--${input.option} takes a whole number from ${input.min} to ${input.max}; got "${input.text}".`,
      2,
    )
  }
  return value
}

/** The project named by `--project`, or a CLI error saying how to list projects' keys. */
export async function requireProject(db: Queryable, name: string | undefined): Promise<Project> {
  if (!name) throw new CliError('--project NAME is required.', 2)
  const project = await findProjectByName(db, name)
  if (!project) throw new CliError(`No project named "${name}".`)
  return project
}

/** Runs `work`, turning a job that cannot start (already running, bad range) into a CLI error. */
export async function asCliJob<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (JobError.isInstance(error))
      throw new CliError(error.message, error.code === 'INVALID_JOB_PARAMS' ? 2 : 1)
    throw error
  }
}
