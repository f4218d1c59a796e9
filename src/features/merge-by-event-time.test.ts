import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { JsonLinesSource } from '../connectors/files/jsonl-source.js';
import { BlockLines, blockLineAttributes, type Source, type SourceBatch, splitBlock } from '../core/source.js';
import { eventTimeOfLine, eventTimeOfUtf8, mergeByEventTime } from './merge-by-event-time.js';

/** A bounded source that hands out `chunk` lines per pull and records its acks. */
function source(name: string, lines: string[], chunk: number, acked: string[]): Source {
  let at = 0;
  return {
    name,
    bounded: true,
    open: async () => undefined,
    pull: async (max: number): Promise<SourceBatch | null> => {
      if (at >= lines.length) return null;
      const end = Math.min(lines.length, at + Math.min(chunk, max));
      const batch = { messages: lines.slice(at, end).map((payload) => ({ payload })), token: `${name}@${end}` };
      at = end;
      return batch;
    },
    ack: async (b: SourceBatch) => {
      acked.push(b.token as string);
    },
    close: async () => undefined,
  };
}

/** A part answering its pulls from a script (null = ended for now), noting each wait it was asked for. */
function scripted(answers: Array<string[] | null>, waits: number[] = []): Source {
  let call = 0;
  return {
    name: 'scripted',
    bounded: true,
    open: async () => undefined,
    pull: async (_max: number, waitMs: number) => {
      waits.push(waitMs);
      const answer = call < answers.length ? answers[call] : null;
      call++;
      return answer === null || answer === undefined ? null : { messages: answer.map((payload) => ({ payload })), token: null };
    },
    ack: async () => undefined,
    close: async () => undefined,
  };
}

const at = (minute: number, extra = ''): string => `{"id":"${extra}${minute}","submitted_at":"2026-11-01T10:${String(minute).padStart(2, '0')}:00Z"}`;

describe('mergeByEventTime', () => {
  it('interleaves sources by event time whatever their batch sizes, labels each message, and acks each batch once it is handed out', async () => {
    const acked: string[] = [];
    const tickets = [at(1), at(3), at(4), '{"broken', at(9)];
    const statuses = [at(2, 's'), at(5, 's'), at(6, 's'), at(10, 's')];
    const merged = mergeByEventTime([source('t', tickets, 1, acked), source('s', statuses, 3, acked)], ['tickets.new', 'tickets.status']);
    await merged.open();
    const out: string[] = [];
    for (;;) {
      const batch = await merged.pull(3, 0);
      if (batch === null) break;
      for (const m of batch.messages) out.push(`${m.attributes?.topic === 'tickets.status' ? 'S' : 'T'}:${/"id":"([^"]+)"/.exec(m.payload)?.[1] ?? 'bad'}`);
      await merged.ack(batch);
    }
    // The unparseable line keeps its place after its predecessor (minute 4).
    assert.deepEqual(out, ['T:1', 'S:s2', 'T:3', 'T:4', 'T:bad', 'S:s5', 'S:s6', 'T:9', 'S:s10']);
    assert.deepEqual([...acked].sort(), ['s@3', 's@4', 't@1', 't@2', 't@3', 't@4', 't@5'], 'every source batch acknowledged exactly once');
  });

  it('with recheckEnded, asks every part again once all ended, and goes on with one that has messages since', async () => {
    // Part "t" ends (idle), then has a message when asked again: a redelivery that came while the
    // merge was listening to "s".
    const script = (answers: Array<string[] | null>): Source => scripted(answers);
    const read = async (recheckEnded: boolean): Promise<string[]> => {
      const merged = mergeByEventTime([script([[at(1)], null, [at(7)]]), script([[at(2, 's')], null])], ['tickets.new', 'tickets.status'], undefined, { recheckEnded });
      await merged.open();
      const out: string[] = [];
      for (let batch = await merged.pull(10, 0); batch !== null; batch = await merged.pull(10, 0)) out.push(...batch.messages.map((m) => /"id":"([^"]+)"/.exec(m.payload)?.[1] ?? '?'));
      return out;
    };
    assert.deepEqual(await read(false), ['1', 's2'], 'without: the late message is left behind');
    assert.deepEqual(await read(true), ['1', 's2', '7']);
  });

  it('holds its caller no longer than asked: a part with nothing yet ends the batch, and the order holds once it answers', async () => {
    // Part "t" has nothing for a moment (a bus fetch in flight): an empty answer, not the end.
    const waits: number[] = [];
    const script = (answers: Array<string[] | null>): Source => scripted(answers, waits);
    const merged = mergeByEventTime([script([[at(1)], [], [at(5)], null]), script([[at(2, 's'), at(6, 's')], null])], ['tickets.new', 'tickets.status']);
    await merged.open();
    const batches: string[][] = [];
    for (let batch = await merged.pull(10, 0); batch !== null; batch = await merged.pull(10, 0)) {
      batches.push(batch.messages.map((m) => /"id":"([^"]+)"/.exec(m.payload)?.[1] ?? '?'));
    }
    // "1" is certain; "s2" is not until "t" answers (it might bring minute 1 again).
    assert.deepEqual(batches, [['1'], ['s2', '5', 's6']]);
    assert.deepEqual([...new Set(waits)], [0], 'no part was asked to wait longer than the merge was');
  });

  it('reads the first timestamp field of a JSON line', () => {
    assert.equal(eventTimeOfLine('{"ticket_id":"T","updated_at":"2026-11-01T10:00:00Z","x":1}'), Date.UTC(2026, 10, 1, 10));
    assert.equal(eventTimeOfLine('{"ticket_id":"T"}'), null);
  });

  it('reads the same time from a line\'s UTF-8 bytes as from its text, whatever precedes the field or how far in it is', () => {
    const lines = [
      at(1),
      '{"ticket_id":"T","updated_at":"2026-11-01T10:00:00Z","x":1}',
      // Non-ASCII before the field, and in the first field's value, where a later field is valid.
      '{"d":"சாலையில் குழி","submitted_at":"2026-11-01T10:05:00Z"}',
      '{"a_at":"２０２６-11-01T10:00","b_at":"2026-11-01T11:00:00Z"}',
      // A no-break space where JSON allows whitespace: \\s in the text, two other bytes in Latin-1.
      '{"submitted_at"\u00a0:"2026-11-01T10:06:00Z","later_at":"2026-11-01T12:00:00Z"}',
      // The field past the first 256 bytes, and one cut by the 256th byte.
      `{"pad":"${'x'.repeat(300)}","submitted_at":"2026-11-01T10:07:00Z"}`,
      `{"pad":"${'x'.repeat(212)}","submitted_at":"2026-11-01T10:08:00Z"}`,
      '{"submitted_at":"not a time at all"}',
      '{"ticket_id":"T"}',
      '',
    ];
    for (const line of lines) {
      const bytes = Buffer.from(`#${line}\n`);
      assert.equal(eventTimeOfUtf8(bytes, 1, bytes.length - 1), eventTimeOfLine(line), line.slice(0, 60));
    }
    assert.equal(eventTimeOfUtf8(Buffer.from(lines[3] as string), 0, Buffer.byteLength(lines[3] as string)), null, 'the first field decides, as in the text');
  });

  describe('of files', () => {
    const dir = tempDir();
    /** Tickets and status updates with non-ASCII text, long lines and a line without a time, in event-time order per file. */
    const tickets = Array.from({ length: 700 }, (_, i) =>
      i % 97 === 5 ? '{"broken' : JSON.stringify({ id: `t${i}`, d: i % 3 === 0 ? 'சாலையில் பெரிய குழி' : 'x'.repeat(i % 400), submitted_at: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString() }),
    );
    const statuses = Array.from({ length: 450 }, (_, i) => JSON.stringify({ id: `s${i}`, updated_at: new Date(Date.UTC(2026, 10, 1) + i * 90_000 + 30_000).toISOString() }));
    writeFileSync(join(dir, 't.jsonl'), `${tickets.join('\n')}\n`);
    writeFileSync(join(dir, 's.jsonl'), `${statuses.join('\n')}\n`);
    const viaText = (payload: string): number | null => eventTimeOfLine(payload);

    /** Every batch as [topic, payload] pairs, and whether it came as a block of bytes. */
    async function read(parts: Source[], timeOf?: (payload: string) => number | null): Promise<{ messages: string[][]; blocks: number; batches: number }> {
      const merged = mergeByEventTime(parts, ['tickets.new', 'tickets.status'], timeOf);
      await merged.open();
      const out = { messages: [] as string[][], blocks: 0, batches: 0 };
      for (let batch = await merged.pull(128, 0); batch !== null; batch = await merged.pull(128, 0)) {
        out.batches++;
        const block = batch.payloadBlock;
        if (block !== undefined) {
          out.blocks++;
          // The block's lines, read as the step threads and the main thread read them.
          const lines = new BlockLines(block);
          const split = splitBlock(block);
          for (let i = 0; i < block.count; i++) {
            assert.equal(lines.line(i), split[i]);
            assert.deepEqual(blockLineAttributes(block, i), batch.messages[i]?.attributes);
          }
        }
        for (const m of batch.messages) out.messages.push([m.attributes?.topic ?? '', m.payload]);
        await merged.ack(batch);
      }
      await merged.close();
      return out;
    }

    it('hands out blocks of bytes, each line labelled with its topic, in the order a merge of decoded lines gives', async () => {
      const bytes = await read([new JsonLinesSource(join(dir, 't.jsonl')), new JsonLinesSource(join(dir, 's.jsonl'))]);
      const text = await read([new JsonLinesSource(join(dir, 't.jsonl')), new JsonLinesSource(join(dir, 's.jsonl'))], viaText);
      assert.equal(text.blocks, 0, 'a time function of its own reads decoded lines');
      assert.equal(bytes.blocks, bytes.batches);
      assert.equal(bytes.messages.length, tickets.length + statuses.length);
      assert.deepEqual(bytes.messages, text.messages);
      const topics = bytes.messages.slice(0, 20).map(([topic]) => topic);
      assert.ok(topics.includes('tickets.new') && topics.includes('tickets.status'), `interleaved: ${topics.join(' ')}`);
    });

    it('turns a batch into messages, order kept, when a part gives messages instead of lines', async () => {
      const acked: string[] = [];
      // The status updates end early: the batches after them are lines of the ticket file alone.
      const early = statuses.slice(0, 120);
      const mixed = await read([new JsonLinesSource(join(dir, 't.jsonl')), source('s', early, 50, acked)]);
      const text = await read([new JsonLinesSource(join(dir, 't.jsonl')), source('s', early, 50, [])], viaText);
      assert.ok(mixed.blocks > 0 && mixed.blocks < mixed.batches, `${mixed.blocks} of ${mixed.batches} batches were blocks`);
      assert.deepEqual(mixed.messages, text.messages);
      assert.equal(acked.length, Math.ceil(early.length / 50), 'every batch of the message part acknowledged once');
    });
  });
});
