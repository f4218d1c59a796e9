import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../../../test/support/temp-dir.js';
import type { Source } from '../../core/source.js';
import { CsvSource } from './csv-source.js';
import { JsonLinesSource } from './jsonl-source.js';

async function drain(source: Source, max = 2): Promise<string[]> {
  await source.open();
  const out: string[] = [];
  for (let b = await source.pull(max, 0); b !== null; b = await source.pull(max, 0)) out.push(...b.messages.map((m) => m.payload));
  await source.close();
  return out;
}

describe('file sources', () => {
  const dir = tempDir();

  it('reads JSON lines from plain and gzip files, skipping blank lines', async () => {
    writeFileSync(join(dir, 'a.jsonl'), '{"a":1}\n\n{"a":2}\r\n{"a":3}');
    writeFileSync(join(dir, 'a.jsonl.gz'), gzipSync('{"a":1}\n{"a":2}\n'));
    assert.deepEqual(await drain(new JsonLinesSource(join(dir, 'a.jsonl'))), ['{"a":1}', '{"a":2}', '{"a":3}']);
    assert.deepEqual(await drain(new JsonLinesSource(join(dir, 'a.jsonl.gz'))), ['{"a":1}', '{"a":2}']);
  });

  it('reads CSV rows through a mapping profile, quoted fields and all', async () => {
    writeFileSync(join(dir, 'r.csv'), 'Id,Name,Note\n1,"Smith, J","said ""hi"""\n2,Lee,\n');
    const rows = await drain(new CsvSource(join(dir, 'r.csv'), { mapRow: (r) => ({ id: Number(r.Id), who: r.Name, note: r.Note }) }));
    assert.deepEqual(rows.map((r) => JSON.parse(r)), [{ id: 1, who: 'Smith, J', note: 'said "hi"' }, { id: 2, who: 'Lee', note: '' }]);
  });

  it('turns an unreadable CSV record into a message instead of losing it', async () => {
    writeFileSync(join(dir, 'bad.csv'), 'a,b\n1,2\n"unterminated,3\n');
    const rows = await drain(new CsvSource(join(dir, 'bad.csv')));
    assert.equal(rows[0], '{"a":"1","b":"2"}');
    assert.match(rows[1] ?? '', /^unreadable CSV at record 2/);
  });
});
