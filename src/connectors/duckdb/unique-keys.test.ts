import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeStrings, encodeRows, type RowFrame } from '../../core/row-frame.js';
import type { Row } from '../../core/schema.js';
import { dropKeys, pickUniqueKeys } from './unique-keys.js';

/** What pickUniqueKeys must pick, by the obvious method: keys as strings in a Map. */
function reference(frames: readonly Row[][], keepLast: boolean): { keys: string[]; picks: Array<[number, number]> } {
  const seen = new Map<string, number>();
  const keys: string[] = [];
  const picks: Array<[number, number]> = [];
  for (let f = 0; f < frames.length; f++) {
    const rows = frames[f] as Row[];
    for (let r = 0; r < rows.length; r++) {
      const cell = (rows[r] as Row)[0];
      const key = typeof cell === 'string' ? cell : String(cell ?? '');
      const at = seen.get(key);
      if (at === undefined) {
        seen.set(key, keys.length);
        keys.push(key);
        picks.push([f, r]);
      } else if (keepLast) picks[at] = [f, r];
    }
  }
  return { keys, picks };
}

/** The picked rows, frame by frame in ascending row order, as [frame, row] pairs. */
function selected(selections: readonly Int32Array[]): Array<[number, number]> {
  return selections.flatMap((rows, f) => [...rows].map((r) => [f, r] as [number, number]));
}

const KEYS = ['TKT-1', 'TKT-2', 'சாலை', 'पानी', '😀', '', 'TKT-10', 'TKT-1 ', 'tkt-1', 'a\u0000b'];

describe('pickUniqueKeys', () => {
  it('picks one row per key across frames, the first or the last, equal to a Map of the decoded keys', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      const frames: Row[][] = Array.from({ length: 1 + random(4) }, () =>
        Array.from({ length: random(300) }, (_, i) => [random(3) === 0 ? (KEYS[random(KEYS.length)] as string) : `K${random(400)}`, i]),
      );
      const encoded: RowFrame[] = frames.map((rows) => encodeRows(rows, 2));
      for (const keepLast of [false, true]) {
        const want = reference(frames, keepLast);
        const picked = pickUniqueKeys(encoded, 0, keepLast);
        assert.equal(picked.count, want.keys.length);
        assert.deepEqual(decodeStrings(picked.keys), want.keys, 'the keys, in pick order');
        const sortedWant = [...want.picks].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        assert.deepEqual(selected(picked.selections), sortedWant, `round ${round}, keepLast ${keepLast}`);
      }
    }
  });

  it('keeps comparing a key moved to its last row against that row: a third copy is still the same key', () => {
    // After "aa" moves to frame 1 (keepLast), frame 1's bytes sit at other offsets than frame 0's.
    const frames = [encodeRows([['aa', 1], ['b', 2]], 2), encodeRows([['xyz', 1], ['aa', 2]], 2), encodeRows([['aa', 3]], 2)];
    const picked = pickUniqueKeys(frames, 0, true);
    assert.deepEqual(decodeStrings(picked.keys), ['aa', 'b', 'xyz']);
    assert.deepEqual(selected(picked.selections), [[0, 1], [1, 0], [2, 0]]);
  });

  it('drops the picks whose key the table already holds, and keeps the rest', () => {
    const frames = [encodeRows([['a', 1], ['b', 2], ['a', 3]], 2), encodeRows([['சாலை', 4], ['c', 5], ['b', 6]], 2)];
    const picked = pickUniqueKeys(frames, 0, false);
    assert.deepEqual(selected(picked.selections), [[0, 0], [0, 1], [1, 0], [1, 1]]);
    dropKeys(picked, new Set(['b', 'சாலை']));
    assert.deepEqual(selected(picked.selections), [[0, 0], [1, 1]]);
  });

  it('compares keys of other types as their text', () => {
    const frames = [encodeRows([[1, 'x'], [2, 'y'], [1, 'z']], 2), encodeRows([[2, 'w'], [3, 'v']], 2)];
    const picked = pickUniqueKeys(frames, 0, true);
    assert.deepEqual(decodeStrings(picked.keys), ['1', '2', '3']);
    assert.deepEqual(selected(picked.selections), [[0, 2], [1, 0], [1, 1]]);
  });
});
