import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRICE_OVERRIDES_CHANGED_CHANNEL } from '../ingest/price-overrides-cache.ts'
import { utcDayOf } from '../jobs/utc-days.ts'
import { createRedisMessageBus } from '../messaging/redis-message-bus.ts'
import { insertPriceOverride } from '../storage/repositories/price-overrides-repository.ts'
import { findProjectByName } from '../storage/repositories/projects-repository.ts'
import { type CliTestTarget, cliTestContext, openCliTestTarget } from '../testing/cli-test-target.ts'
import { closedPort } from '../testing/closed-port.ts'
import { keysCommand } from './keys-command.ts'
import { pricesCommand } from './prices-command.ts'
import { withMigratedDatabase } from './with-database.ts'

/** Redis used by the tests; never skipped: without it these tests fail. */
const TEST_REDIS_URL = process.env.ACP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

const setArgs = (model: string) => [
  'set',
  '--project',
  'pricing',
  '--provider',
  'acme',
  '--model',
  model,
  '--from',
  '2026-01-01',
  '--input',
  '1',
  '--output',
  '2',
]

describe('prices command', () => {
  let target: CliTestTarget | undefined
  beforeAll(async () => {
    target = await openCliTestTarget('pglite', 'acp-prices-')
    expect(await keysCommand(['create', '--project', 'pricing'], cliTestContext(target.env).context)).toBe(0)
  })
  afterAll(async () => {
    await target?.dispose()
  })

  it('tells the servers sharing REDIS_URL of a set or deleted price at once, as an API edit does', async () => {
    const listener = await createRedisMessageBus(TEST_REDIS_URL)
    try {
      const announced: string[] = []
      await listener.subscribe(PRICE_OVERRIDES_CHANGED_CHANNEL, (projectId) => announced.push(projectId))
      const env = { ...target!.env, REDIS_URL: TEST_REDIS_URL }
      const set = cliTestContext(env)
      expect(await pricesCommand(setArgs('r1'), set.context)).toBe(0)
      // The command to run, with the days, project and model filled in.
      const reprice = `run \`npx ai-cost-profiler recompute --from 2026-01-01 --to ${utcDayOf(Date.now())} --project pricing --model r1\` to re-price the stored calls it applies to.`
      expect(set.text()).toContain(`Servers sharing REDIS_URL use the change at once; ${reprice}`)
      const id = /Created override ([0-9a-f-]{36})/.exec(set.text())?.[1] ?? ''
      const deleted = cliTestContext(env)
      expect(await pricesCommand(['delete', '--project', 'pricing', '--id', id], deleted.context)).toBe(0)
      expect(deleted.text()).toMatch(/^Deleted override .*Servers sharing REDIS_URL use the change at once/)
      expect(deleted.text()).toContain(reprice)
      await expect.poll(() => announced.length).toBe(2)
      expect(new Set(announced).size).toBe(1)
    } finally {
      await listener.close()
    }
  })

  it('replaces the override of the same spelling, and refuses another spelling of its model naming it', async () => {
    const first = cliTestContext(target!.env)
    expect(await pricesCommand(setArgs('Same-Model'), first.context)).toBe(0)
    const id = /Created override ([0-9a-f-]{36})/.exec(first.text())?.[1] ?? ''
    const again = cliTestContext(target!.env)
    expect(await pricesCommand(setArgs('Same-Model'), again.context)).toBe(0)
    expect(again.text()).toContain(`Updated override ${id} to version 2`)
    // Model ids match whatever their case: a second override would compete with the first.
    const other = cliTestContext(target!.env)
    await expect(pricesCommand(setArgs('same-model'), other.context)).rejects.toThrow(
      `Override ${id} (acme/Same-Model from 2026-01-01T00:00:00.000Z) already prices that model from that start; run \`prices set\` with --model Same-Model to replace it, or delete it first.`,
    )
  })

  it('keeps the tiers an override got through the API when `prices set` replaces its prices, and lists them', async () => {
    const { env } = cliTestContext(target!.env).context
    await withMigratedDatabase(env, async (db) => {
      const project = await findProjectByName(db, 'pricing')
      await insertPriceOverride(db, {
        projectId: project!.id,
        provider: 'acme',
        model: 'tiered',
        effectiveFrom: '2026-01-01T00:00:00.000Z',
        prices: { input: '5', output: '5' },
        serviceTiers: { batch: { multiplier: '0.5' } },
        longContext: [{ aboveInputTokens: 200_000, prices: { input: '2' } }],
      })
    })
    const set = cliTestContext(target!.env)
    expect(await pricesCommand(setArgs('tiered'), set.context)).toBe(0)
    expect(set.text()).toMatch(/^Updated override [0-9a-f-]{36} to version 2/)
    const listed = cliTestContext(target!.env)
    expect(await pricesCommand(['list', '--project', 'pricing'], listed.context)).toBe(0)
    expect(listed.text()).toContain(
      'acme/tiered from 2026-01-01T00:00:00.000Z: input 1, output 2 (USD per million tokens); above 200000 input tokens: input 2; batch x0.5',
    )
  })

  it('sets the price when Redis cannot be reached, and says when servers use it', async () => {
    const port = await closedPort()
    const down = cliTestContext({ ...target!.env, REDIS_URL: `redis://127.0.0.1:${port}` })
    expect(await pricesCommand(setArgs('r2'), down.context)).toBe(0)
    expect(down.text()).toMatch(
      new RegExp(
        `Running servers could not be told at once \\(cannot connect to Redis at 127\\.0\\.0\\.1:${port} .*\\); they use the change within 30 s`,
      ),
    )
    const alone = cliTestContext(target!.env)
    expect(await pricesCommand(setArgs('r3'), alone.context)).toBe(0)
    expect(alone.text()).toMatch(/Running servers use the change within 30 s/)
    const listed = cliTestContext(target!.env)
    expect(await pricesCommand(['list', '--project', 'pricing'], listed.context)).toBe(0)
    expect(listed.text()).toMatch(/r2[\s\S]*r3|r3[\s\S]*r2/)
  })
})
