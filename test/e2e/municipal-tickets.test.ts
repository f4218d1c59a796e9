import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { municipalTicketsPipeline } from '../../pipelines/municipal-tickets/pipeline.js';
import { DuckDbWarehouse } from '../../src/connectors/duckdb/duckdb-warehouse.js';
import { JsonLinesSource } from '../../src/connectors/files/jsonl-source.js';
import { LocalBus } from '../../src/connectors/local-bus/local-bus.js';
import { createPiiHasher } from '../../src/privacy/hash-pii.js';
import { runBatch, runStreaming } from '../../src/runtime/runner.js';
import { stopWhenIdle } from '../../src/runtime/stop-when-idle.js';
import { writeGeneratedTickets } from '../support/generated.js';
import { KnownValueScanner } from '../support/pii-scanner.js';
import { tempDir } from '../support/temp-dir.js';

const hasher = createPiiHasher({ mode: 'hmac-sha256', key: 'test-key' });
const TABLES = ['raw_tickets', 'cleansed_tickets', 'ticket_errors'];

async function dumpTables(wh: DuckDbWarehouse): Promise<string> {
  let text = '';
  for (const table of TABLES) for (const row of await wh.query(`SELECT * FROM ${table}`)) text += `${JSON.stringify(row)}\n`;
  return text;
}

function readTree(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    text += statSync(path).isDirectory() ? readTree(path) : readFileSync(path, 'utf8');
  }
  return text;
}

describe('municipal-tickets, steps 1–5', () => {
  const dir = tempDir();
  const generated = writeGeneratedTickets(dir, 6000, 'e2e');

  it('accounts for every record, bad ones included, and classifies the failures', async () => {
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    const result = await runBatch(municipalTicketsPipeline({ hash: hasher.hash }), { source: new JsonLinesSource(generated.path), warehouse: wh, flushRows: 1000 });
    const a = result.accounting;
    assert.equal(a.received, generated.lines.length);
    assert.equal(a.balanced, true);
    assert.equal(a.received, a.written + a.errored + a.filtered);
    const bad = generated.lines.filter((l) => l.kind === 'bad').length;
    assert.equal(a.errored, bad, 'every bad line, and only those, becomes an error row');
    const unique = new Set(generated.lines.filter((l) => l.kind !== 'bad').map((l) => l.key)).size;
    const [counts] = await wh.query('SELECT (SELECT count(*) FROM raw_tickets) AS raw, (SELECT count(*) FROM cleansed_tickets) AS clean, (SELECT count(*) FROM ticket_errors) AS errors');
    assert.deepEqual(counts, { raw: unique, clean: unique, errors: bad });
    for (const type of ['invalid_json', 'missing_field', 'wrong_type', 'bad_timestamp']) assert.ok((a.errorsByType[type] ?? 0) > 0, `some ${type} errors`);
    const [dlp] = await wh.query(`SELECT count(*) AS scanned, count(*) FILTER (WHERE len(_dlp_findings) > 0) AS with_findings FROM raw_tickets WHERE _dlp_scanned`);
    assert.equal(dlp?.scanned, unique);
    assert.ok(Number(dlp?.with_findings) > unique * 0.05, 'planted PII is found');
    await wh.close();
  });

  it('lets no raw citizen_id, phone or planted PII value reach a table, an error row, the DLQ or a log', async () => {
    const work = tempDir();
    const bus = new LocalBus({ dir: join(work, 'bus') });
    await bus.open();
    const lines = readFileSync(generated.path, 'utf8').trim().split('\n');
    await bus.publish('tickets.new', lines.map((payload, i) => ({ id: `m${i}`, payload })));
    const wh = new DuckDbWarehouse({ path: join(work, 'w.duckdb') });
    await wh.open();
    const logs: string[] = [];
    const result = await runStreaming(municipalTicketsPipeline({ hash: hasher.hash }), {
      source: stopWhenIdle(bus.subscribe('tickets.new', { consumer: 'municipal-tickets' }), 300),
      warehouse: wh,
      bus,
      onEvent: (e) => logs.push(JSON.stringify(e)),
    });
    assert.ok(result.accounting.errored > 0);
    const scanner = new KnownValueScanner(generated.pii);
    assert.ok(scanner.size > 2000, `the generator planted ${scanner.size} distinct PII values`);
    const tables = await dumpTables(wh);
    const leaked = scanner.find(tables);
    assert.deepEqual(leaked.map((v) => [v, tables.split('\n').find((l) => l.includes(v))?.slice(0, 400)]).slice(0, 5), [], 'tables');
    const dlq = readFileSync(join(work, 'bus', 'topics', 'tickets.dlq', 'log'), 'utf8');
    assert.ok(dlq.length > 0);
    assert.deepEqual(scanner.find(dlq), [], 'dead-letter topic');
    assert.deepEqual(scanner.find(logs.join('\n')), [], 'logs');
    // The bus folder holds the input (raw by design) — everything Sluice wrote besides it is clean.
    const written = readTree(join(work, 'bus', 'topics', 'tickets.dlq'));
    assert.deepEqual(scanner.find(written), []);
    await wh.close();
    await bus.close();
  });
});
