/**
 * The `p`-th percentile (0–100) of `samples` by the nearest-rank method, so the answer is always a
 * value that was measured. `percentile(samples, 50)` is the median.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples')
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]!
}
