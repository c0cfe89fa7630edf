import { randomInt } from 'node:crypto'
import { createProgressBar } from '../seed/progress-bar.ts'
import { seedDemoData } from '../seed/seed-demo-data.ts'
import { parseCommandOptions, parseCountOption, parseProjectOption } from './command-options.ts'
import type { Command } from './main.ts'
import { withMigratedDatabase } from './with-database.ts'

const MAX_EVENTS = 100_000_000
const MAX_DAYS = 365
const MAX_SEED_VALUE = 2 ** 31 - 1

/**
 * `seed --events N --days D [--project NAME] [--seed-value V] [--quiet]`: stores realistic demo calls
 * through the ingest pricing and write path. The same seed value yields the same events and keys, so a
 * re-run adds nothing twice.
 */
export const seedCommand: Command = async (args, { env, print }) => {
  const values = parseCommandOptions('seed', args, {
    events: { type: 'string' },
    days: { type: 'string' },
    project: { type: 'string' },
    'seed-value': { type: 'string' },
    quiet: { type: 'boolean' },
  })
  const eventCount = parseCountOption({
    option: 'events',
    text: values.events,
    fallback: 10_000,
    min: 1,
    max: MAX_EVENTS,
  })
  const days = parseCountOption({ option: 'days', text: values.days, fallback: 30, min: 1, max: MAX_DAYS })
  const seedValue = parseCountOption({
    option: 'seed-value',
    text: values['seed-value'],
    fallback: randomInt(1, MAX_SEED_VALUE),
    min: 0,
    max: MAX_SEED_VALUE,
  })
  const projectName = parseProjectOption(values.project, 'demo')

  return withMigratedDatabase(env, async (db) => {
    if (values['seed-value'] === undefined) {
      // Said before the first event is written: a run stopped half-way is resumed with the same value.
      process.stderr.write(
        `Seed value ${seedValue} (random): to resume an interrupted run without duplicates, run it again with --seed-value ${seedValue}.\n`,
      )
    }
    const progress = values.quiet
      ? undefined
      : createProgressBar({ total: eventCount, stream: process.stderr, label: 'Seeded', unit: 'events' })
    const result = await seedDemoData({
      db,
      projectName,
      eventCount,
      days,
      seedValue,
      onProgress: (done) => progress?.update(done),
    })
    progress?.finish()
    const seconds = result.durationMs / 1_000
    print(
      `Seeded ${eventCount} events over the last ${days} days into project "${projectName}" in ${seconds.toFixed(1)} s ` +
        `(${Math.round(eventCount / Math.max(seconds, 1e-3))} events/s): ${result.inserted} new, ${result.duplicates} already present.`,
    )
    if (result.beforeRetentionCut > 0) {
      print(
        `${result.beforeRetentionCut} event(s) stamped before the project's retention cut (${result.retentionCutUtc}) were left out, as ingest refuses them; seed fewer --days to write them all.`,
      )
    }
    print(
      `Seed value ${seedValue}: run again with --seed-value ${seedValue} to reproduce; it adds no duplicates.`,
    )
    print(
      `Read it with a key from \`npx ai-cost-profiler keys create --project ${projectName} --scope read\`.`,
    )
    return 0
  })
}
