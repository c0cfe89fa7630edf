export { CALL_CONTEXT_KEY, type CallContext, type CallContextOption, callContext } from './call-context.ts'
export { createProfiler, type Profiler, type ProfilerStats, type WrapOptions } from './create-profiler.ts'
export { ProfilerError, type ProfilerErrorCode, type ProfilerErrorDetails } from './profiler-error.ts'
export type { Compression, ProfilerOptions } from './profiler-options.ts'
