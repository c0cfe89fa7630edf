// Relative traffic per UTC hour: a European and American working day, quiet nights.
const HOUR_WEIGHTS = [
  0.18, 0.12, 0.1, 0.09, 0.1, 0.15, 0.3, 0.5, 0.75, 0.92, 1, 0.98, 0.9, 0.95, 1, 0.97, 0.9, 0.8, 0.68, 0.55,
  0.45, 0.38, 0.3, 0.24,
] as const
// Sunday first, as `Date.getUTCDay` counts: weekends carry under half of a weekday's traffic.
const DAY_WEIGHTS = [0.4, 1, 1, 0.98, 0.96, 0.85, 0.45] as const

/**
 * How busy the demo app is at `timestampMs`, from 0 to 1: a daily rhythm times a weekly one. The
 * generator keeps a candidate time with this probability, so charts show days, nights and weekends.
 */
export function demoTrafficShape(timestampMs: number): number {
  const hour = Math.floor(timestampMs / 3_600_000) % 24
  // 1970-01-01 was a Thursday (day 4).
  const day = (Math.floor(timestampMs / 86_400_000) + 4) % 7
  return (HOUR_WEIGHTS[hour] ?? 1) * (DAY_WEIGHTS[day] ?? 1)
}
