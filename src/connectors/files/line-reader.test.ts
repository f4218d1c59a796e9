import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitBlock } from '../../core/source.js';
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

  it('reads blocks equal to read(), whatever the chunking: CRLF, empty lines, multi-byte characters, no final LF', async () => {
    const text = 'ಕನ್ನಡ one\r\ntwo\n\n\r\nthree — 3\nfour\r\nfive';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      for (const fullBatches of [false, true]) {
        async function* raw(): AsyncGenerator<Buffer> {
          yield bytes.subarray(0, cut);
          yield bytes.subarray(cut);
        }
        const reader = new LineReader(raw(), { fullBatches });
        const lines: string[] = [];
        let blocks = 0;
        for (let block = await reader.readBlock(2); block !== null; block = await reader.readBlock(2)) {
          const split = splitBlock(block);
          assert.equal(split.length, block.count, `cut ${cut}`);
          assert.ok(block.count >= 1 && block.count <= 2);
          lines.push(...split);
          blocks++;
        }
        assert.deepEqual(lines, ['ಕನ್ನಡ one', 'two', 'three — 3', 'four', 'five'], `cut at byte ${cut}`);
        // Full batches never stop at a chunk boundary: five lines in blocks of two are three blocks.
        if (fullBatches) assert.equal(blocks, 3, `cut at byte ${cut}`);
      }
    }
  });

  it('readBlock returns null on an empty or blank input', async () => {
    assert.equal(await new LineReader(chunks([])).readBlock(10), null);
    assert.equal(await new LineReader(chunks(['\n\r\n\n'])).readBlock(10), null);
  });
});
