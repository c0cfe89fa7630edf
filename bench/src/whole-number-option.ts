import { BenchOptionError } from './bench-option-error.ts'

/** Reads a benchmark option that must be a whole number of at least 1; `fallback` when it is absent. */
export function wholeNumberOption(text: string | undefined, fallback: number, option: string): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 1)
    throw new BenchOptionError(`--${option} takes a positive whole number; got "${text}"`)
  return value
}
