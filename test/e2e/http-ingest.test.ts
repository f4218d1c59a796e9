import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { municipalTicketsPipeline } from '../../pipelines/municipal-tickets/pipeline.js';
import { DuckDbWarehouse } from '../../src/connectors/duckdb/duckdb-warehouse.js';
import { HttpSource } from '../../src/connectors/http/http-source.js';
import { createPiiHasher } from '../../src/privacy/hash-pii.js';
import { runStreaming } from '../../src/runtime/runner.js';

const ticket = (id: string) => ({
  ticket_id: id,
  citizen_id: 'CIT-12345678',
  phone: '+91 98450 12345',
  submitted_at: '2026-11-01T08:15:22.000Z',
  location: { ward: 'Ward 150 - Bellandur', pincode: '560103', lat: 12.92, lon: 77.67 },
  category: 'Roads',
  subcategory: 'Pothole',
  description: 'Pothole near the bus stop',
  photos: [],
  language: 'en',
  channel: 'mobile_app',
});

describe('HTTP ingest into municipal-tickets', () => {
  it('accepts a Pub/Sub push envelope, NDJSON and JSON, answering after the commit', { timeout: 60_000 }, async () => {
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    const source = new HttpSource({ port: 0 });
    const controller = new AbortController();
    const run = runStreaming(municipalTicketsPipeline({ hash: createPiiHasher({ mode: 'hmac-sha256', key: 'k' }).hash }), {
      source,
      warehouse: wh,
      signal: controller.signal,
      pollMs: 20,
    });
    try {
      // The source opens inside the run (after the tables are created): wait until it listens.
      const port = await source.listening;
      const url = `http://127.0.0.1:${port}/`;
      const push = {
        message: {
          data: Buffer.from(JSON.stringify(ticket('T-PUSH'))).toString('base64'),
          messageId: '9001',
          publishTime: '2026-11-01T08:15:23.000Z',
          attributes: { origin: 'pubsub' },
        },
        subscription: 'projects/p/subscriptions/tickets-push',
      };
      const responses = await Promise.all([
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(push) }),
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: `${JSON.stringify(ticket('T-ND1'))}\n{broken\n` }),
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([ticket('T-ARR1'), ticket('T-ARR2')]) }),
      ]);
      assert.deepEqual(await Promise.all(responses.map((r) => r.json())), [{ accepted: 1 }, { accepted: 2 }, { accepted: 2 }]);
    } finally {
      // Stopped whatever happened above: a streaming run left going would hold the test process open.
      controller.abort();
    }
    const result = await run;
    assert.equal(result.accounting.received, 5);
    assert.equal(result.accounting.errored, 1);
    const rows = await wh.query('SELECT ticket_id FROM cleansed_tickets ORDER BY ticket_id');
    assert.deepEqual(
      rows.map((r) => r.ticket_id),
      ['T-ARR1', 'T-ARR2', 'T-ND1', 'T-PUSH'],
    );
    await wh.close();
  });
});
