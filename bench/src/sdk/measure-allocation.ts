import { Session } from 'node:inspector/promises'

interface SamplingNode {
  selfSize: number
  children: SamplingNode[]
}

function totalBytes(node: SamplingNode): number {
  let total = node.selfSize
  for (const child of node.children) total += totalBytes(child)
  return total
}

/**
 * Bytes allocated per call of `call`, made `calls` times one after another, from V8's sampling heap
 * profiler with the objects the collector already freed included: what the calls give the garbage
 * collector to do, whose pauses are what stops the event loop longest. Statistical (one sample per
 * `samplingIntervalBytes` on average), so close to, not exactly, the bytes allocated.
 */
export async function allocatedBytesPerCall(options: {
  calls: number
  call: () => Promise<unknown>
  /** Average bytes between two samples; smaller is closer and slower. */
  samplingIntervalBytes?: number
}): Promise<number> {
  const { calls, call, samplingIntervalBytes = 512 } = options
  const session = new Session()
  session.connect()
  try {
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: samplingIntervalBytes,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    })
    for (let index = 0; index < calls; index++) await call()
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as {
      profile: { head: SamplingNode }
    }
    return totalBytes(profile.head) / calls
  } finally {
    session.disconnect()
  }
}
