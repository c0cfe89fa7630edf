/** Token buckets summed by rollups and aggregates: API field and `llm_calls` column, in one order everywhere. */
export const USAGE_SUM_COLUMNS = [
  ['inputTokens', 'input_tokens'],
  ['outputTokens', 'output_tokens'],
  ['cacheReadInputTokens', 'cache_read_input_tokens'],
  ['cacheWriteInputTokens', 'cache_write_input_tokens'],
  ['cacheWrite1hInputTokens', 'cache_write_1h_input_tokens'],
  ['reasoningTokens', 'reasoning_tokens'],
  ['inputAudioTokens', 'input_audio_tokens'],
  ['outputAudioTokens', 'output_audio_tokens'],
  ['inputImageTokens', 'input_image_tokens'],
  ['outputImageTokens', 'output_image_tokens'],
] as const

/** Token totals of a group of calls, one field per bucket. */
export type UsageTotals = Record<(typeof USAGE_SUM_COLUMNS)[number][0], number>
