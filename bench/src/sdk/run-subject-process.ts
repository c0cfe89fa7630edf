import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { SubjectMeasurement, SubjectProcessReply, SubjectProcessRequest } from './subject-process.ts'

const ENTRY = fileURLToPath(new URL('./subject-process.ts', import.meta.url))

// The peers read their own settings from the environment (keys, endpoints, exporters). Leaving them out
// makes each run exactly as configured in code; OpenTelemetry's NodeSDK (inside OpenLLMetry) would
// otherwise also set up OTLP log and metric exporters by default.
function subjectEnvironment(): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !/^(OTEL_|TRACELOOP_|LANGFUSE_|ACP_)/.test(name),
  )
  return { ...Object.fromEntries(inherited), OTEL_LOGS_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' }
}

/** Measures one subject in a fresh child process and resolves with what it measured. */
export async function runSubjectProcess(request: SubjectProcessRequest): Promise<SubjectMeasurement> {
  const child = fork(ENTRY, [], {
    execArgv: ['--conditions=@ai-cost-profiler/source', '--import', 'tsx'],
    env: subjectEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  // The parent's stdout carries the one JSON document: whatever the child prints goes to stderr.
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk))
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk))
  const answer = new Promise<SubjectProcessReply>((resolve, reject) => {
    child.once('error', reject)
    child.once('message', (message: SubjectProcessReply) => resolve(message))
    child.once('exit', (code) => reject(new Error(`the ${request.subject} process exited with code ${code}`)))
  })
  child.send(request)
  const message = await answer
  if (message.type === 'failed') throw new Error(`measuring ${request.subject} failed: ${message.message}`)
  return message.measurement
}
