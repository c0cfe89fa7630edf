import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../../../apps/server/bin/ai-cost-profiler.js', import.meta.url))

/** What the `backfill --json` command reported, with its exit code. */
export interface BackfillProcessResult {
  exitCode: number | null
  wallMs: number
  report: {
    days: number
    succeeded: number
    stored: number
    failed: string[]
    durationMs: number
    peakRssBytes: number
  }
}

/**
 * Runs `ai-cost-profiler backfill --json --quiet` in its own process, as an operator would, so its time and
 * peak memory are the command's alone.
 */
export async function runBackfillProcess(input: {
  env: Record<string, string>
  args: readonly string[]
}): Promise<BackfillProcessResult> {
  const startedMs = performance.now()
  const child = spawn(process.execPath, [CLI, 'backfill', ...input.args, '--json', '--quiet'], {
    env: { ...process.env, ...input.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let stdout = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk
  })
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', resolve)
  })
  const line = stdout.trim().split('\n').at(-1) ?? ''
  try {
    return { exitCode, wallMs: performance.now() - startedMs, report: JSON.parse(line) }
  } catch {
    throw new Error(`backfill exited with code ${exitCode} and printed no report: ${stdout.slice(-500)}`)
  }
}
