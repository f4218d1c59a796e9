import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineReader } from './line-reader.js';

async function* chunks(parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

describe('LineReader', () => {
  it('splits across chunk boundaries, including inside multi-byte characters, and handles CRLF', async () => {
    const text = 'ಕನ್ನಡ one\r\ntwo\n\nthree';
    const bytes = Buffer.from(text);
    const parts = [bytes.subarray(0, 5), bytes.subarray(5, 13), bytes.subarray(13)].map((b) => b.toString('latin1'));
    async function* raw(): AsyncGenerator<Buffer> {
      for (const p of parts) yield Buffer.from(p, 'latin1');
    }
    const reader = new LineReader(raw());
    const lines: string[] = [];
    for (let batch = await reader.read(10); batch.length > 0; batch = await reader.read(10)) lines.push(...batch);
    assert.deepEqual(lines, ['ಕನ್ನಡ one', 'two', 'three']);
  });

  it('returns at most max lines per read and keeps empty lines when asked', async () => {
    const reader = new LineReader(chunks(['a\n\nb\nc\n']), { keepEmpty: true });
    assert.deepEqual(await reader.read(2), ['a', '']);
    assert.deepEqual(await reader.read(5), ['b', 'c']);
  });
});
