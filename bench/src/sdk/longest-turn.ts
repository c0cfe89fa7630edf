import { roundFigure } from './round-figure.ts'
import { openLoopThreadSchedule } from './thread-schedule.ts'

/** One turn of the event loop as the watcher saw it: from one check phase to the next, in `performance.now()` ms. */
export interface LoopTurn {
  startMs: number
  endMs: number
  /**
   * Ms the loop's thread spent waiting for a core within the turn (its kernel schedule): it did not
   * run then. Null where the kernel does not say.
   */
  waitMs: number | null
  /** How many times within the turn the loop's thread came back from off a core; null where the kernel does not say. */
  switches: number | null
}

/**
 * Runs `work` and returns the turns of the event loop while it ran: a chain of `setImmediate`
 * callbacks records the gap between each one and the next, starting from the moment `work` is
 * called. Finer than `monitorEventLoopDelay` (whose 1 ms timer cannot show a 0.3 ms stretch), and
 * meant for a process that runs nothing but `work`.
 */
export async function turnsDuring(work: () => Promise<unknown>): Promise<LoopTurn[]> {
  const turns: LoopTurn[] = []
  const schedule = openLoopThreadSchedule()
  let last = performance.now()
  let lastSchedule = schedule?.read()
  let watching = true
  const record = () => {
    const now = performance.now()
    const scheduled = schedule?.read()
    turns.push({
      startMs: last,
      endMs: now,
      waitMs: scheduled && lastSchedule ? (scheduled.waitNs - lastSchedule.waitNs) / 1e6 : null,
      switches: scheduled && lastSchedule ? scheduled.slices - lastSchedule.slices : null,
    })
    last = now
    lastSchedule = scheduled
  }
  const tick = () => {
    record()
    if (watching) setImmediate(tick)
  }
  setImmediate(tick)
  try {
    await work()
  } finally {
    watching = false
  }
  // One more turn, so the stretch that settled `work` is counted too.
  await new Promise<void>((resolve) =>
    setImmediate(() => {
      record()
      resolve()
    }),
  )
  schedule?.close()
  return turns
}

/** Ms within [startMs, endMs] that the process was stopped for (the collector's pauses, say). */
export type PausedMs = (startMs: number, endMs: number) => number

/**
 * The longest of `turns`, in ms, after taking out of each the time `pausedMs` says the process was
 * stopped within it; without `pausedMs`, the longest turn as it was.
 */
export function longestTurnMs(turns: readonly LoopTurn[], pausedMs: PausedMs = () => 0): number {
  let longest = 0
  for (const { startMs, endMs } of turns)
    longest = Math.max(longest, endMs - startMs - pausedMs(startMs, endMs))
  return longest
}

/**
 * The most the loop's thread can have run in one turn: the turn's length less the time the thread
 * waited for a core and the pauses `pausedMs` gives (the collector's, say). An upper bound: the
 * thread may also have slept (off a core without waiting), or its virtual CPU may have been held by
 * the machine it runs on, which the kernel inside cannot see.
 *
 * The process's CPU time (`process.cpuUsage`) is no use here: the kernel brings a running thread's
 * count up to date only at its tick (every few ms) or when the thread leaves its core, so over a
 * sub-millisecond turn it reads anything from nothing to several ms.
 */
export function runningMs(turn: LoopTurn, pausedMs: PausedMs = () => 0): number {
  const { startMs, endMs, waitMs } = turn
  return endMs - startMs - (waitMs ?? 0) - pausedMs(startMs, endMs)
}

/** The longest `runningMs` of `turns`. */
export function longestRunningMs(turns: readonly LoopTurn[], pausedMs: PausedMs = () => 0): number {
  let longest = 0
  for (const turn of turns) longest = Math.max(longest, runningMs(turn, pausedMs))
  return longest
}

/** A turn that held the loop for long, and what the collector and the scheduler say of it, in ms. */
export interface LongTurn {
  lengthMs: number
  /** The collector's pauses within it. */
  gcMs: number
  /** The time the loop's thread waited for a core within it (null where the kernel does not say). */
  waitMs: number | null
  /** How many times the loop's thread came back from off a core within it (null where unknown). */
  switches: number | null
  /** `runningMs`: the most the loop's thread can have run in it. */
  runningMs: number
}

/** The turns of which the loop's thread can have run more than `thresholdMs` (`runningMs`), described. */
export function longTurns(
  turns: readonly LoopTurn[],
  thresholdMs: number,
  pausedMs: PausedMs = () => 0,
): LongTurn[] {
  return turns
    .filter((turn) => runningMs(turn, pausedMs) > thresholdMs)
    .map((turn) => ({
      lengthMs: roundFigure(turn.endMs - turn.startMs),
      gcMs: roundFigure(pausedMs(turn.startMs, turn.endMs)),
      waitMs: turn.waitMs === null ? null : roundFigure(turn.waitMs),
      switches: turn.switches,
      runningMs: roundFigure(runningMs(turn, pausedMs)),
    }))
}

/** How long `turns` took from the first turn's start to the last one's end, in ms. */
export function watchedMs(turns: readonly LoopTurn[]): number {
  const first = turns[0]
  const last = turns.at(-1)
  return first && last ? last.endMs - first.startMs : 0
}
