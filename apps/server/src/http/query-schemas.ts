import { z } from 'zod'

/** An ISO 8601 time with an explicit offset, normalised to UTC. */
export const isoTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 time with an offset, e.g. 2026-11-22T00:00:00Z' })
  .transform((value) => new Date(value).toISOString())

/** A time range `[from, to)`; both ends optional, `to` after `from`. */
export const timeRangeQuery = z
  .object({ from: isoTime.optional(), to: isoTime.optional() })
  .refine((range) => !range.from || !range.to || range.from < range.to, {
    message: 'from must be before to',
    path: ['from'],
  })
