import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { la311RowToTicket } from '../../pipelines/municipal-tickets/la311-profile.js';
import { municipalTicketsPipeline } from '../../pipelines/municipal-tickets/pipeline.js';
import { DuckDbWarehouse } from '../../src/connectors/duckdb/duckdb-warehouse.js';
import { CsvSource } from '../../src/connectors/files/csv-source.js';
import { createPiiHasher } from '../../src/privacy/hash-pii.js';
import { runBatch } from '../../src/runtime/runner.js';

const LA311 = new URL('../../../shared/data/real/la311-2017-subset.csv', import.meta.url).pathname;

describe('real data: LA 311 through municipal-tickets', () => {
  it('accounts for every row of the export', { skip: !existsSync(LA311) && 'the shared LA 311 sample is not beside this checkout' }, async () => {
    const rows = parse(readFileSync(LA311), { columns: true, relax_column_count: true }) as Array<Record<string, string>>;
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    const result = await runBatch(municipalTicketsPipeline({ hash: createPiiHasher({ mode: 'hmac-sha256', key: 'k' }).hash }), {
      source: new CsvSource(LA311, { mapRow: la311RowToTicket }),
      warehouse: wh,
    });
    const a = result.accounting;
    assert.equal(a.received, rows.length, 'one message per CSV row');
    assert.equal(a.written + a.errored + a.filtered, rows.length);
    const [counts] = await wh.query('SELECT (SELECT count(*) FROM cleansed_tickets) AS clean, (SELECT count(*) FROM ticket_errors) AS errors');
    const distinct = new Set(rows.map((r) => r.SRNumber)).size;
    assert.equal(Number(counts?.clean) + Number(counts?.errors), a.received - (rows.length - distinct), 'duplicated SRNumbers are stored once');
    const [sample] = await wh.query(`SELECT ward, channel, category, submitted_at FROM cleansed_tickets WHERE ticket_id = '1-870704831'`);
    assert.deepEqual(sample, { ward: 'CD 13', channel: 'call_center', category: 'Homeless Encampment', submitted_at: '2018-01-01T07:59:58.000Z' });
    await wh.close();
  });
});
