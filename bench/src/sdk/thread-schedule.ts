import { closeSync, openSync, readSync } from 'node:fs'

/** What the scheduler has counted for one thread so far (Linux `/proc/<pid>/task/<tid>/schedstat`). */
export interface ThreadSchedule {
  /** Ns the thread has spent runnable but waiting for a core. */
  waitNs: number
  /** How many times the thread has been given a core: it grows each time the thread comes back from off a core. */
  slices: number
}

/** Reads the schedule of this process's main thread (the event loop's) on demand; `close()` when done. */
export interface ThreadScheduleReader {
  read(): ThreadSchedule
  close(): void
}

/**
 * A reader of the event-loop thread's schedule, from the kernel's per-thread `schedstat` (about
 * 2.5 µs a read); undefined where there is none (not Linux, or a kernel built without it). The
 * first field of that file, time on a core, is brought up to date only at the scheduler's tick and
 * when the thread leaves a core, so it is no use for sub-millisecond turns and is not read.
 */
export function openLoopThreadSchedule(): ThreadScheduleReader | undefined {
  let fd: number
  try {
    // On Linux the main thread's id is the process id.
    fd = openSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'r')
  } catch {
    return undefined
  }
  const buffer = Buffer.alloc(96)
  const reader: ThreadScheduleReader = {
    read() {
      const length = readSync(fd, buffer, 0, buffer.length, 0)
      const [, waitNs, slices] = buffer.toString('latin1', 0, length).trim().split(' ').map(Number)
      return { waitNs: waitNs ?? Number.NaN, slices: slices ?? Number.NaN }
    },
    close: () => closeSync(fd),
  }
  const first = reader.read()
  if (!Number.isFinite(first.waitNs) || !Number.isFinite(first.slices)) {
    reader.close()
    return undefined
  }
  return reader
}
