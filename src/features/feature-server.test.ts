import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { EmbeddedOnlineStore } from '../connectors/online-embedded/embedded-online-store.js';
import { createFeatureServer } from './feature-server.js';

describe('GET /features/<entity>/<id>', () => {
  it('returns each value with its as-of time, 404 for an unknown id, 405 for other methods', async () => {
    const store = new EmbeddedOnlineStore();
    await store.open();
    const asOf = Date.UTC(2026, 10, 2, 1);
    await store.write([{ entity: 'ward', id: 'Ward 150 - Bellandur', values: { ward_tickets_7d: 42, escalation_rate_7d: null }, asOf }]);
    const server = createFeatureServer(store);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await fetch(`${base}/features/ward/${encodeURIComponent('Ward 150 - Bellandur')}`);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.deepEqual(await ok.json(), {
        entity: 'ward',
        id: 'Ward 150 - Bellandur',
        features: {
          escalation_rate_7d: { value: null, as_of: '2026-11-02T01:00:00.000Z', as_of_ms: asOf },
          ward_tickets_7d: { value: 42, as_of: '2026-11-02T01:00:00.000Z', as_of_ms: asOf },
        },
      });
      const missing = await fetch(`${base}/features/ward/nowhere`);
      assert.equal(missing.status, 404);
      assert.match(((await missing.json()) as { error: string }).error, /no features for ward "nowhere"/);
      assert.equal((await fetch(`${base}/other`)).status, 404);
      assert.equal((await fetch(`${base}/features/ward/x`, { method: 'POST' })).status, 405);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    }
  });
});
