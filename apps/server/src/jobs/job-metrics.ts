interface CounterDefinition {
  help: string
  labels: readonly string[]
}

const COUNTERS = {
  acp_job_runs_total: {
    help: 'Job runs finished in this process, by job and status.',
    labels: ['job', 'status'],
  },
  acp_aggregation_failed_days_total: {
    help: 'Days whose daily aggregation failed after every retry, in this process.',
    labels: [],
  },
  acp_aggregation_unverified_days_total: {
    help: 'Project-days whose aggregate did not match the raw rows when verified, in this process.',
    labels: [],
  },
  acp_rollup_hours_refreshed_total: {
    help: 'Project-hours whose rollup was rebuilt, in this process.',
    labels: [],
  },
  acp_retention_deleted_rows_total: {
    help: 'Raw rows deleted by retention, by table, in this process.',
    labels: ['table'],
  },
} as const satisfies Record<string, CounterDefinition>

/** Name of a counter the jobs keep. */
export type JobCounterName = keyof typeof COUNTERS

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

/** In-process job counters, rendered in the Prometheus text format by `GET /metrics`. */
export class JobMetrics {
  readonly #values = new Map<JobCounterName, Map<string, number>>()

  /** Adds `by` (default 1) to a counter; labels must be the counter's own, in any order. */
  increment(name: JobCounterName, labels: Record<string, string> = {}, by = 1): void {
    const definition: CounterDefinition = COUNTERS[name]
    const key = definition.labels.map((label) => `${label}="${escapeLabel(labels[label] ?? '')}"`).join(',')
    let series = this.#values.get(name)
    if (!series) {
      series = new Map()
      this.#values.set(name, series)
    }
    series.set(key, (series.get(key) ?? 0) + by)
  }

  /** The current value of one series (tests and logs). */
  value(name: JobCounterName, labels: Record<string, string> = {}): number {
    const definition: CounterDefinition = COUNTERS[name]
    const key = definition.labels.map((label) => `${label}="${escapeLabel(labels[label] ?? '')}"`).join(',')
    return this.#values.get(name)?.get(key) ?? 0
  }

  /** Every counter with HELP and TYPE lines; a counter without labels is shown at 0 before its first event. */
  render(): string {
    const lines: string[] = []
    for (const [name, definition] of Object.entries(COUNTERS) as Array<[JobCounterName, CounterDefinition]>) {
      lines.push(`# HELP ${name} ${definition.help}`, `# TYPE ${name} counter`)
      const series = this.#values.get(name)
      if (!series && definition.labels.length === 0) lines.push(`${name} 0`)
      for (const [key, value] of series ?? [])
        lines.push(key ? `${name}{${key}} ${value}` : `${name} ${value}`)
    }
    return `${lines.join('\n')}\n`
  }
}
