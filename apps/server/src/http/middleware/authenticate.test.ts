import { expect, it } from 'vitest'
import { hashApiKey } from '../../keys/api-key.ts'
import { API_KEY_REVOKED_CHANNEL } from '../../messaging/message-bus.ts'
import { createRedisMessageBus } from '../../messaging/redis-message-bus.ts'
import { listApiKeys, revokeApiKey } from '../../storage/repositories/api-keys-repository.ts'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'

const TEST_REDIS_URL = process.env.ACP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

describeEachDatabase('key revocation', (getDb) => {
  it('keeps a revoked key working only until its cache entry expires without a bus', async () => {
    const t = await createTestApp(getDb())
    expect((await t.get('/v1/events')).status).toBe(200)
    const [record] = await listApiKeys(getDb(), t.project.id)
    await revokeApiKey(getDb(), { projectId: t.project.id, id: record!.id })
    const fresh = await createTestApp(getDb())
    const response = await fresh.app.request('/v1/events', { headers: { authorization: `Bearer ${t.key}` } })
    expect(response.status).toBe(401)
  })

  it('drops a revoked key at once in every process sharing Redis', async () => {
    const publisher = await createRedisMessageBus(TEST_REDIS_URL)
    const subscriber = await createRedisMessageBus(TEST_REDIS_URL)
    try {
      const t = await createTestApp(getDb(), { bus: subscriber })
      expect((await t.get('/v1/events')).status).toBe(200)
      const [record] = await listApiKeys(getDb(), t.project.id)
      const keyHash = await revokeApiKey(getDb(), { projectId: t.project.id, id: record!.id })
      expect(keyHash).toBe(hashApiKey(t.key))
      const dropped = new Promise<void>((resolve) => {
        void subscriber.subscribe(API_KEY_REVOKED_CHANNEL, () => resolve())
      })
      await publisher.publish(API_KEY_REVOKED_CHANNEL, keyHash!)
      await dropped
      expect((await t.get('/v1/events')).status).toBe(401)
    } finally {
      await publisher.close()
      await subscriber.close()
    }
  })
})
