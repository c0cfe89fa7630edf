import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks'
import { roundFigure } from './round-figure.ts'

/** The garbage collector's pauses over a stretch of time: each one stops the event loop. */
export interface GcPauses {
  pauses: number
  maxMs: number
  byKind: Record<string, number>
}

// `PerformanceEntry.detail.kind` of a 'gc' entry (`perf_hooks.constants.NODE_PERFORMANCE_GC_*`).
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakCallbacks',
}

/** What a `watchGcPauses` watcher saw. */
export interface GcPauseWatcher {
  /** Stops watching; the pauses seen. */
  stop(): GcPauses
  /** After `stop()`: ms of collector pauses within [startMs, endMs] of the `performance.now()` timeline. */
  pausedMsBetween(startMs: number, endMs: number): number
}

/** Starts counting the collector's pauses (`PerformanceObserver` 'gc' entries); `stop()` says what it saw. */
export function watchGcPauses(): GcPauseWatcher {
  const durations: number[] = []
  const spans: Array<{ startMs: number; endMs: number }> = []
  const byKind: Record<string, number> = {}
  const record = (entry: PerformanceEntry) => {
    durations.push(entry.duration)
    spans.push({ startMs: entry.startTime, endMs: entry.startTime + entry.duration })
    const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } }
    const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other'
    byKind[kind] = (byKind[kind] ?? 0) + 1
  }
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) record(entry)
  })
  observer.observe({ entryTypes: ['gc'] })
  return {
    stop() {
      for (const entry of observer.takeRecords()) record(entry)
      observer.disconnect()
      return {
        pauses: durations.length,
        maxMs: roundFigure(Math.max(0, ...durations)),
        byKind,
      }
    },
    pausedMsBetween(startMs, endMs) {
      let paused = 0
      for (const span of spans)
        paused += Math.max(0, Math.min(endMs, span.endMs) - Math.max(startMs, span.startMs))
      return paused
    },
  }
}

/** The pauses of several stretches taken together. */
export function combineGcPauses(all: readonly GcPauses[]): GcPauses {
  const byKind: Record<string, number> = {}
  for (const pauses of all)
    for (const [kind, count] of Object.entries(pauses.byKind)) byKind[kind] = (byKind[kind] ?? 0) + count
  return {
    pauses: all.reduce((sum, { pauses }) => sum + pauses, 0),
    maxMs: Math.max(0, ...all.map(({ maxMs }) => maxMs)),
    byKind,
  }
}
