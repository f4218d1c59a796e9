import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Source, SourceBatch } from '../core/source.js';
import { eventTimeOfLine, mergeByEventTime } from './merge-by-event-time.js';

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
});
