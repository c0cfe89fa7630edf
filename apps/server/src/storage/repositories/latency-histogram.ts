const R10_SERIES = [1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8]

/**
 * Upper-exclusive bounds of the latency histogram buckets kept in rollups: the R10 preferred numbers from
 * 1 ms to 80,000 s (ten per decade, each 26% above the last), so any percentile read from the sums is within
 * about 13% of the true value. Bucket `i` holds latencies in [bound[i-1], bound[i]); bucket 0 is below 1 ms
 * and the last bucket is 80,000 s and above. Changing them needs a migration that rebuilds every rollup.
 */
export const LATENCY_BUCKET_BOUNDS_MS: readonly number[] = Array.from({ length: 8 }, (_, decade) =>
  R10_SERIES.map((step) => Number((step * 10 ** decade).toPrecision(3))),
).flat()

/** Number of buckets of a stored histogram: one more than the bounds. */
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKET_BOUNDS_MS.length + 1

/**
 * The latency below which `fraction` (0–1) of the calls of a summed histogram fall, interpolated
 * geometrically inside its bucket; null when the histogram is empty.
 */
export function latencyPercentileMs(histogram: readonly number[], fraction: number): number | null {
  const total = histogram.reduce((sum, count) => sum + count, 0)
  if (total === 0) return null
  const rank = Math.max(1, Math.ceil(fraction * total))
  let seen = 0
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    const count = histogram[bucket] ?? 0
    if (seen + count < rank) {
      seen += count
      continue
    }
    // The rank-th value sits in the middle of its share of the bucket, not at its upper edge.
    const within = (rank - seen - 0.5) / count
    const lower = bucket === 0 ? 0 : (LATENCY_BUCKET_BOUNDS_MS[bucket - 1] ?? 0)
    const upper = LATENCY_BUCKET_BOUNDS_MS[bucket] ?? 86_400_000
    // Below 1 ms the bucket starts at 0, where a geometric step is undefined: interpolate linearly there.
    const value = lower === 0 ? upper * within : lower * (upper / lower) ** within
    return Math.round(value * 1000) / 1000
  }
  return LATENCY_BUCKET_BOUNDS_MS.at(-1) ?? null
}
