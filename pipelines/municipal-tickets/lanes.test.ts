import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDbWarehouse } from '../../src/connectors/duckdb/duckdb-warehouse.js';
import { EmbeddedOnlineStore } from '../../src/connectors/online-embedded/embedded-online-store.js';
import type { SourceMessage } from '../../src/core/source.js';
import { Random } from '../../src/generate/random.js';
import { createPiiHasher } from '../../src/privacy/hash-pii.js';
import type { Lane } from '../../src/runtime/lanes.js';
import { type RunResult, runBatch } from '../../src/runtime/runner.js';
import { ArraySource } from '../../test/support/array-source.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { municipalTicketsGenerator, wardsCsv } from './generator/index.js';
import { municipalTicketsPipeline } from './pipeline.js';
import { PROCESSING_TIME_COLUMNS } from './tables.js';

/**
 * `--workers N` splits municipal-tickets into lanes: N processes run steps 1–5 on a shared
 * consumer (each sees a part of the messages, in no particular order), one process runs steps
 * 6–8 over every message in stream order. Together they must write exactly what one process
 * running the whole pipeline writes — the features included. Here the lanes run in-process on
 * the same generated stream; test/e2e/infra-workers.test.ts does it with real worker processes.
 */

const hasher = createPiiHasher({ mode: 'hmac-sha256', key: 'lanes-test-key' });

function stream(tickets: number): SourceMessage[] {
  const out: SourceMessage[] = [];
  for (const item of municipalTicketsGenerator.generate({ count: tickets, seed: 'lanes', badRate: 0.05 })) out.push({ payload: item.line, attributes: { topic: item.topic } });
  return out;
}

async function run(dir: string, warehouse: DuckDbWarehouse, online: EmbeddedOnlineStore, messages: readonly SourceMessage[], lane?: Lane): Promise<RunResult> {
  const p = municipalTicketsPipeline({ hash: hasher.hash, steps: '1-8', online, wardsCsv: join(dir, 'wards.csv'), ...(lane !== undefined ? { lane } : {}) });
  return runBatch(p, { source: new ArraySource(messages), warehouse, flushRows: 700 });
}

/** A table's rows without processing-time columns, as sorted JSON lines. */
async function contents(warehouse: DuckDbWarehouse, table: string): Promise<string[]> {
  const rows = await warehouse.query(`SELECT * FROM ${table}`);
  const skip = new Set(PROCESSING_TIME_COLUMNS[table]);
  return rows
    .map((row) => JSON.stringify(Object.entries(row).filter(([column]) => !skip.has(column)), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
    .sort();
}

describe('municipal-tickets in lanes', () => {
  it('N parallel lanes (any split, any order) plus the ordered lane write exactly the tables of one whole pipeline', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'wards.csv'), wardsCsv());
    const messages = stream(3000);

    const whole = new DuckDbWarehouse({ path: join(dir, 'whole.duckdb') });
    const lanes = new DuckDbWarehouse({ path: join(dir, 'lanes.duckdb') });
    const wholeStore = new EmbeddedOnlineStore();
    const laneStore = new EmbeddedOnlineStore();
    for (const c of [whole, lanes, wholeStore, laneStore]) await c.open();
    try {
      const reference = await run(dir, whole, wholeStore, messages);

      // Three "workers": each takes a random share of the messages and sees it shuffled.
      const rng = new Random('lanes-split');
      const shares: SourceMessage[][] = [[], [], []];
      for (const m of messages) shares[rng.int(0, 2)]?.push(m);
      const parallel: RunResult[] = [];
      for (const share of shares) parallel.push(await run(dir, lanes, laneStore, rng.shuffleInPlace([...share]), 'parallel'));
      const ordered = await run(dir, lanes, laneStore, messages, 'ordered');

      // The parallel lanes' books are the whole pipeline's: every message once, errors reported once.
      const sum = (key: 'received' | 'written' | 'errored' | 'filtered'): number => parallel.reduce((n, r) => n + r.accounting[key], 0);
      assert.deepEqual(
        { received: sum('received'), written: sum('written'), errored: sum('errored'), filtered: sum('filtered') },
        { received: reference.accounting.received, written: reference.accounting.written, errored: reference.accounting.errored, filtered: reference.accounting.filtered },
      );
      assert.ok(reference.accounting.errored > 0, 'the stream has bad records');
      // The ordered lane read everything again and reported nothing: bad records are left out quietly.
      assert.equal(ordered.accounting.received, messages.length);
      assert.equal(ordered.accounting.errored, 0);
      assert.equal(ordered.accounting.written, reference.accounting.written);
      assert.equal(ordered.accounting.balanced, true);

      for (const table of Object.keys(PROCESSING_TIME_COLUMNS)) {
        const [a, b] = [await contents(whole, table), await contents(lanes, table)];
        assert.ok(a.length > 0, `${table} of the whole pipeline is empty`);
        const onlyA = a.filter((row) => !b.includes(row));
        assert.deepEqual({ rows: b.length, onlyInWhole: onlyA.slice(0, 2) }, { rows: a.length, onlyInWhole: [] }, `${table}: the lanes differ from the whole pipeline`);
      }
      const refusals = await whole.query('SELECT count(*) AS n FROM feature_refusals');
      assert.ok(Number(refusals[0]?.n) > 0, 'some events were refused by the tiles, so lateness was exercised');
      // The online store holds the same served features.
      const ids = (await whole.query('SELECT ticket_id FROM ml_features ORDER BY ticket_id LIMIT 50')).map((r) => String(r.ticket_id));
      assert.deepEqual(await laneStore.getMany('ticket', ids), await wholeStore.getMany('ticket', ids));
    } finally {
      for (const c of [whole, lanes, wholeStore, laneStore]) await c.close();
    }
  });
});
