import { execFileSync } from 'node:child_process'
import os from 'node:os'

/** The loop thread alone on CPU 0 (see `isolateLoopThread`). */
export interface LoopThreadIsolation {
  /** Moves every thread of another process to the CPUs the loop thread is not on. */
  moveToOtherCpus(pid: number): void
  /** Puts every thread of this process and of the companion back on every CPU. */
  restore(): void
}

function pin(cpus: string, pid: number, allThreads: boolean): void {
  execFileSync('taskset', [...(allThreads ? ['-a'] : []), '-p', '-c', cpus, String(pid)], { stdio: 'ignore' })
}

/**
 * Gives this process's event-loop thread a CPU of its own: every other thread of this process, and
 * every thread of `companionPid` (the benchmark's parent, which serves the fake upstream and ingest),
 * moves to the other CPUs, and the loop thread to CPU 0. A turn measured then is the loop thread's
 * own work and the collector's pauses, not time the OS gave a core to something else. Linux only,
 * with `taskset` and at least 2 CPUs; returns undefined (nothing changed) where that is not so.
 * Threads this one creates later inherit CPU 0, so start the thread pool before calling it.
 */
export function isolateLoopThread(companionPid: number): LoopThreadIsolation | undefined {
  const cpuCount = os.cpus().length
  if (os.platform() !== 'linux' || cpuCount < 2) return undefined
  const all = `0-${cpuCount - 1}`
  const others = `1-${cpuCount - 1}`
  try {
    pin(others, process.pid, true)
    pin(others, companionPid, true)
    // On Linux the main thread's id is the process id: without -a, taskset pins that one thread.
    pin('0', process.pid, false)
  } catch {
    try {
      pin(all, process.pid, true)
      pin(all, companionPid, true)
    } catch {
      // taskset is missing or refused: nothing was changed.
    }
    return undefined
  }
  return {
    moveToOtherCpus: (pid) => pin(others, pid, true),
    restore() {
      pin(all, process.pid, true)
      pin(all, companionPid, true)
    },
  }
}
