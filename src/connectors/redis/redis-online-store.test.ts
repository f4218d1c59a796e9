import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { OnlineStore } from '../../core/online-store.js';
import { runOnlineStoreContract } from '../../../test/contracts/online-store-contract.js';
import { RedisOnlineStore } from './redis-online-store.js';

const URL = process.env.SLUICE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** Is the server up? Under CI=true a down server fails the suite instead of skipping it. */
async function redisUp(): Promise<boolean> {
  const probe = new RedisOnlineStore({ url: URL, prefix: 'sluice-probe', connectTimeoutMs: 1000 });
  try {
    await probe.open();
    await probe.close();
    return true;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`Redis at ${URL} is down and CI=true: the online-store contract must run against it`, { cause: error });
    process.stdout.write(`# skipping the Redis online-store contract: no Redis at ${URL} (${(error as Error).message})\n`);
    return false;
  }
}

const up = await redisUp();
const created: RedisOnlineStore[] = [];

if (up) {
  // Every store gets its own key prefix, removed afterwards, so runs never see each other's keys.
  const prefixes = new Map<OnlineStore, string>();
  const fresh = async (prefix = `sluice-test-${randomUUID()}`): Promise<RedisOnlineStore> => {
    const store = new RedisOnlineStore({ url: URL, prefix });
    await store.open();
    prefixes.set(store, prefix);
    created.push(new RedisOnlineStore({ url: URL, prefix }));
    return store;
  };
  runOnlineStoreContract('redis', {
    create: () => fresh(),
    reopen: async (store: OnlineStore) => {
      await store.close();
      return fresh(prefixes.get(store));
    },
  });
  after(async () => {
    for (const store of created) {
      await store.open();
      await store.clear();
      await store.close();
    }
  });
} else {
  describe('online store contract: redis', () => {
    it('skipped: Redis is not running', { skip: `no Redis at ${URL}` }, () => undefined);
  });
}
