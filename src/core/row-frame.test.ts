import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { cellAt, decodeRows, encodeRows, type FrameColumn, frameTransferables, listOffsets, type RowFrame, stringAt } from './row-frame.js';
import type { Row } from './schema.js';

/** Rows back from a frame, into a fresh array. */
function decoded(frame: RowFrame): Row[] {
  const rows: Row[] = [];
  decodeRows(frame, rows);
  return rows;
}

/** The rows as decodeRows should give them back: undefined cells are null. */
function normalised(rows: readonly Row[], width: number): Row[] {
  return rows.map((row) => Array.from({ length: width }, (_, c) => row[c] ?? null));
}

function column(frame: RowFrame, index: number): FrameColumn {
  const col = frame.columns[index];
  assert.ok(col !== undefined, `column ${index}`);
  return col;
}

/** Each cell read on its own (cellAt) as well as in bulk (decodeRows). */
function cellsOf(frame: RowFrame): Row[] {
  return Array.from({ length: frame.rows }, (_, r) => frame.columns.map((c) => cellAt(c, r)));
}

function roundTrip(rows: readonly Row[], width: number): RowFrame {
  const frame = encodeRows(rows, width);
  assert.equal(frame.rows, rows.length);
  assert.equal(frame.columns.length, width);
  const expected = normalised(rows, width);
  assert.deepEqual(decoded(frame), expected);
  assert.deepEqual(cellsOf(frame), expected);
  return frame;
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('RowFrame: strings', () => {
  it('round-trips ASCII strings, the empty string and nulls as a string column of ASCII bytes', () => {
    const rows = [['abc'], [''], [null], [undefined], ['x y z'], ['']];
    const frame = roundTrip(rows, 1);
    const col = column(frame, 0);
    assert.equal(col.kind, 'string');
    if (col.kind !== 'string') return;
    assert.equal(col.text.ascii, true);
    assert.equal(Buffer.from(col.text.bytes).toString('latin1'), 'abcx y z');
    assert.deepEqual([...col.text.ends], [3, 3, 3, 3, 8, 8]);
    assert.deepEqual([...(col.nulls ?? [])], [0, 0, 1, 1, 0, 0], 'null and undefined are both marked, the empty string is not');
    assert.equal(stringAt(col.text, 1), '');
    assert.equal(stringAt(col.text, 4), 'x y z');
  });

  it('has no null mask when no cell is null', () => {
    const col = column(encodeRows([['a'], ['b']], 1), 0);
    assert.equal(col.kind === 'string' && col.nulls, null);
  });

  it('round-trips Tamil, Hindi, emoji and mixed-script text as UTF-8', () => {
    const values = ['சாலையில் பெரிய குழி', 'पानी की आपूर्ति बंद है', '😀🚰🕳️', 'ascii then தமிழ்', 'é', '\u0000 nul inside', 'tab\tand\nnewline'];
    const frame = roundTrip(
      values.map((v) => [v]),
      1,
    );
    const col = column(frame, 0);
    assert.ok(col.kind === 'string');
    assert.equal(col.text.ascii, false);
    assert.equal(
      col.text.bytes.length,
      values.reduce((n, v) => n + utf8Length(v), 0),
      'the bytes are exactly the UTF-8 of the values',
    );
    assert.equal(Buffer.from(col.text.bytes).toString('utf8'), values.join(''));
    for (let i = 0; i < values.length; i++) assert.equal(stringAt(col.text, i), values[i]);
  });

  it('keeps an ASCII column ASCII even when a later column is not, and the reverse', () => {
    const frame = roundTrip(
      [
        ['id-1', 'தமிழ்'],
        ['id-2', 'plain'],
      ],
      2,
    );
    const [ids, text] = frame.columns;
    assert.ok(ids?.kind === 'string' && text?.kind === 'string');
    assert.equal(ids.text.ascii, true);
    assert.equal(text.text.ascii, false);
  });

  it('replaces a lone surrogate by U+FFFD (what UTF-8 can carry), keeping valid pairs', () => {
    const rows = [['a\uD800b'], ['\uDC00'], ['x\uD83D'], ['😀'], ['\uDFFF\uD800']];
    const frame = encodeRows(rows, 1);
    assert.deepEqual(decoded(frame), [['a\uFFFDb'], ['\uFFFD'], ['x\uFFFD'], ['😀'], ['\uFFFD\uFFFD']]);
    const col = column(frame, 0);
    assert.ok(col.kind === 'string');
    // U+FFFD is three bytes: what the warehouse receives is the replacement, never a half pair.
    assert.deepEqual([...col.text.ends], [5, 8, 12, 16, 22]);
    assert.equal(Buffer.from(col.text.bytes).toString('utf8'), 'a\uFFFDb\uFFFDx\uFFFD😀\uFFFD\uFFFD');
  });

  it('keeps strings of exactly 12 and 13 UTF-8 bytes whole (the warehouse inlines up to 12)', () => {
    const values = ['123456789012', '1234567890123', 'தமிழ்', 'நீர்ச', 'aéééééé', '😀😀😀', '😀😀😀a', '12345678901', ''];
    assert.deepEqual(values.map(utf8Length), [12, 13, 15, 15, 13, 12, 13, 11, 0]);
    const frame = roundTrip(
      values.map((v) => [v]),
      1,
    );
    const col = column(frame, 0);
    assert.ok(col.kind === 'string');
    let start = 0;
    for (let i = 0; i < values.length; i++) {
      const end = col.text.ends[i] as number;
      assert.equal(end - start, utf8Length(values[i] as string), `byte length of ${values[i]}`);
      start = end;
    }
  });

  it('grows its scratch buffer for more than a megabyte of non-ASCII text without losing a byte', () => {
    const long = 'தமிழ் உரை '.repeat(40_000); // one value of ~1 MB
    const many = Array.from({ length: 3000 }, (_, i) => `${i}: ${'हिन्दी पाठ '.repeat(20)}`);
    const rows = [[long], ...many.map((v) => [v]), [long.slice(0, 1001)]];
    const frame = roundTrip(rows, 1);
    const col = column(frame, 0);
    assert.ok(col.kind === 'string');
    const total = rows.reduce((n, r) => n + utf8Length(r[0] as string), 0);
    assert.ok(total > 2_000_000, `${total} bytes: more than the 1 MB scratch buffer holds`);
    assert.equal(col.text.bytes.length, total);
    assert.equal(col.text.bytes.byteLength, col.text.bytes.buffer.byteLength, 'the bytes own their buffer, exactly sized');
    // A second frame reuses the scratch buffer: the first frame's bytes must not change under it.
    const before = Buffer.from(col.text.bytes).toString('utf8', 0, 64);
    roundTrip([['ਪੰਜਾਬੀ'], ['ગુજરાતી']], 1);
    assert.equal(Buffer.from(col.text.bytes).toString('utf8', 0, 64), before);
    assert.equal(stringAt(col.text, 0), long);
  });
});

describe('RowFrame: numbers and booleans', () => {
  it('round-trips NaN, ±Infinity, -0, fractions, large and small integers as float64', () => {
    const values = [
      0,
      -0,
      1.5,
      -2.25,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MAX_SAFE_INTEGER,
      -(2 ** 53),
      5e-324,
      1.7976931348623157e308,
    ];
    const frame = roundTrip(
      values.map((v) => [v]),
      1,
    );
    const col = column(frame, 0);
    assert.ok(col.kind === 'number');
    assert.equal(col.nulls, null);
    const back = decoded(frame).map((r) => r[0]);
    assert.ok(Object.is(back[1], -0), '-0 stays negative zero');
    assert.ok(Number.isNaN(back[4]));
  });

  it('tells a null number from 0 and NaN', () => {
    const frame = roundTrip([[0], [null], [Number.NaN], [undefined], [7]], 1);
    const col = column(frame, 0);
    assert.ok(col.kind === 'number');
    assert.deepEqual([...(col.nulls ?? [])], [0, 1, 0, 1, 0]);
  });

  it('round-trips booleans with nulls as bytes', () => {
    const frame = roundTrip([[true], [false], [null], [undefined], [true]], 1);
    const col = column(frame, 0);
    assert.ok(col.kind === 'boolean');
    assert.deepEqual([...col.values], [1, 0, 0, 0, 1]);
    assert.deepEqual([...(col.nulls ?? [])], [0, 0, 1, 1, 0]);
  });

  it('gives a column of nulls only (or no rows) a kind every reader handles', () => {
    const frame = roundTrip(
      [
        [null, undefined],
        [undefined, null],
      ],
      2,
    );
    assert.deepEqual(
      frame.columns.map((c) => c.kind),
      ['number', 'number'],
    );
    const empty = encodeRows([], 3);
    assert.equal(empty.rows, 0);
    assert.equal(empty.columns.length, 3);
    assert.deepEqual(decoded(empty), []);
  });
});

describe('RowFrame: string lists', () => {
  it('round-trips lists with empty lists, null lists, empty strings and unicode elements', () => {
    const rows = [[['a', 'b']], [[]], [null], [['', 'தமிழ்', '😀']], [undefined], [['x']], [[]]];
    const frame = roundTrip(rows, 1);
    const col = column(frame, 0);
    assert.ok(col.kind === 'string-list');
    assert.deepEqual([...col.counts], [2, 0, 0, 3, 0, 1, 0]);
    assert.deepEqual([...(col.nulls ?? [])], [0, 0, 1, 0, 1, 0, 0], 'an empty list is not a null list');
    assert.deepEqual([...listOffsets(col.counts)], [0, 2, 2, 2, 5, 5, 6]);
    assert.equal(listOffsets(col.counts), listOffsets(col.counts), 'offsets are computed once per column');
    assert.deepEqual(cellAt(col, 3), ['', 'தமிழ்', '😀']);
    assert.deepEqual(cellAt(col, 1), []);
    assert.equal(cellAt(col, 2), null);
  });

  it('keeps a column of empty lists a string-list column', () => {
    const frame = roundTrip([[[]], [[]]], 1);
    assert.equal(column(frame, 0).kind, 'string-list');
  });

  it('replaces lone surrogates in list elements as in plain strings', () => {
    const frame = encodeRows([[['ok', 'a\uD800']]], 1);
    assert.deepEqual(decoded(frame), [[['ok', 'a\uFFFD']]]);
  });
});

describe('RowFrame: fallbacks', () => {
  it('falls back to "any" for columns that mix kinds, keeping each value as it was', () => {
    const rows = [
      [1, 'one', true, ['a']],
      ['two', 2, 'x', 'not a list'],
      [null, undefined, false, null],
    ];
    const frame = roundTrip(rows, 4);
    assert.deepEqual(
      frame.columns.map((c) => c.kind),
      ['any', 'any', 'any', 'any'],
    );
  });

  it('carries objects, arrays of non-strings, Dates and bigints as "any" values', () => {
    const at = new Date(Date.UTC(2026, 0, 2));
    const rows = [
      [{ n: 1, nested: { s: 'தமிழ்' } }, [1, 2], at, 12345678901234567890n],
      [null, ['a', null], null, 1n],
      [{ list: [] }, [], undefined, null],
    ];
    const frame = roundTrip(rows, 4);
    assert.deepEqual(
      frame.columns.map((c) => c.kind),
      ['any', 'any', 'any', 'any'],
    );
    const back = decoded(frame);
    assert.ok(back[0]?.[2] instanceof Date);
  });

  it('reads missing trailing cells as null and ignores cells past the width', () => {
    const frame = encodeRows([['a'], ['b', 2, 'extra']], 2);
    assert.deepEqual(decoded(frame), [
      ['a', null],
      ['b', 2],
    ]);
  });

  it('appends to the rows already in `into`', () => {
    const into: Row[] = [['before', 0]];
    decodeRows(encodeRows([['a', 1]], 2), into);
    decodeRows(
      encodeRows(
        [
          ['b', 2],
          ['c', 3],
        ],
        2,
      ),
      into,
    );
    assert.deepEqual(into, [
      ['before', 0],
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });
});

describe('RowFrame: moving between threads', () => {
  const rows: Row[] = [
    ['id-1', 1.5, true, ['a', 'தமிழ்'], 'நீர் குழாய் உடைந்தது', { n: 1 }, null],
    ['id-2', null, null, null, null, 'mixed', null],
    ['id-3', -0, false, [], '', 3, null],
    ['id-4', Number.NaN, true, ['😀'], 'a\uD800', null, null],
  ];

  function receive(port: MessagePort): Promise<{ frame: RowFrame }> {
    return new Promise((resolve) => port.once('message', resolve));
  }

  it('lists every buffer of a frame once, and transferring them moves the frame intact', async () => {
    const frame = encodeRows(rows, 7);
    const expected = decoded(frame);
    const transfer: ArrayBuffer[] = [];
    frameTransferables(frame, transfer);
    assert.equal(new Set(transfer).size, transfer.length, 'no buffer twice (postMessage would refuse it)');
    // id: bytes+ends; number: values+nulls; boolean: values+nulls; list: bytes+ends+counts+nulls; text: bytes+ends+nulls; any: none; all-null: values+nulls.
    assert.equal(transfer.length, 2 + 2 + 2 + 4 + 3 + 0 + 2);
    const { port1, port2 } = new MessageChannel();
    try {
      const arrived = receive(port2);
      port1.postMessage({ frame }, transfer);
      for (const buffer of transfer) assert.equal(buffer.byteLength, 0, 'transferred, not copied');
      const { frame: moved } = await arrived;
      assert.deepEqual(decoded(moved), expected);
      assert.deepEqual(cellsOf(moved), expected);
    } finally {
      port1.close();
      port2.close();
    }
  });

  it('transfers frames of empty columns and of ASCII-only columns too', async () => {
    for (const frame of [
      encodeRows([], 3),
      encodeRows(
        [
          ['a', 'b'],
          ['c', 'd'],
        ],
        2,
      ),
      encodeRows([[[]], [null]], 1),
    ]) {
      const expected = decoded(frame);
      const transfer: ArrayBuffer[] = [];
      frameTransferables(frame, transfer);
      assert.equal(new Set(transfer).size, transfer.length);
      const { port1, port2 } = new MessageChannel();
      try {
        const arrived = receive(port2);
        port1.postMessage({ frame }, transfer);
        assert.deepEqual(decoded((await arrived).frame), expected);
      } finally {
        port1.close();
        port2.close();
      }
    }
  });
});
