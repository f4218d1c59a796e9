import { cellAt, decodeStrings, encodeStrings, type FrameColumn, type RowFrame, type Utf8Strings } from '../../core/row-frame.js';

/** The rows of a commit to write: one per key, as a selection per frame, and the keys themselves. */
export interface PickedRows {
  /** Ascending row numbers to write, per frame. */
  selections: Int32Array[];
  /** How many distinct keys there are. */
  readonly count: number;
  /** The picked keys in pick order, as UTF-8: what the key table is loaded from. */
  readonly keys: Utf8Strings;
  /** For each picked key, its frame and row, to drop it again when the table already holds it. */
  readonly frameOf: Int32Array;
  readonly rowOf: Int32Array;
}

/**
 * One row per key across a commit's frames: the first (insert-or-ignore: the earliest delivery
 * wins, as it would across commits) or the last (upsert: the newest state wins).
 *
 * A string key column is deduplicated on its UTF-8 bytes in an open-addressing table, without a
 * JavaScript string or Map entry per key: making 100,000 strings and a Map of them per commit was
 * a sixth of the main thread of a municipal steps 1–5 run.
 */
export function pickUniqueKeys(frames: readonly RowFrame[], keyIndex: number, keepLast: boolean): PickedRows {
  const total = frames.reduce((n, f) => n + f.rows, 0);
  const columns = frames.map((f) => f.columns[keyIndex] as FrameColumn);
  const picked = columns.every((c) => c.kind === 'string') ? pickByBytes(frames, columns, total, keepLast) : pickByValue(frames, columns, total, keepLast);
  picked.selections = selectionsOf(frames.length, picked, null);
  return picked;
}

/** Removes the picks whose key the table already holds (insert-or-ignore). */
export function dropKeys(picked: PickedRows, existing: ReadonlySet<string>): void {
  picked.selections = selectionsOf(picked.selections.length, picked, existing);
}

function pickByBytes(frames: readonly RowFrame[], columns: readonly FrameColumn[], total: number, keepLast: boolean): PickedRows {
  const texts = columns.map((c) => (c as Extract<FrameColumn, { kind: 'string' }>).text);
  let size = 16;
  while (size < total * 2) size *= 2;
  const mask = size - 1;
  /** Pick number + 1 per slot; 0 is empty. */
  const slots = new Int32Array(size);
  const frameOf = new Int32Array(total);
  const rowOf = new Int32Array(total);
  const starts = new Int32Array(total);
  const ends = new Int32Array(total);
  let count = 0;
  let bytes = 0;
  for (let f = 0; f < frames.length; f++) {
    const text = texts[f] as Utf8Strings;
    const data = text.bytes;
    const rows = (frames[f] as RowFrame).rows;
    let start = 0;
    for (let r = 0; r < rows; r++) {
      const end = text.ends[r] as number;
      let hash = 0x811c9dc5;
      for (let b = start; b < end; b++) hash = Math.imul(hash ^ (data[b] as number), 0x01000193);
      let slot = hash & mask;
      for (;;) {
        const entry = slots[slot] as number;
        if (entry === 0) {
          slots[slot] = count + 1;
          frameOf[count] = f;
          rowOf[count] = r;
          starts[count] = start;
          ends[count] = end;
          bytes += end - start;
          count++;
          break;
        }
        const p = entry - 1;
        if (sameBytes(data, start, end, (texts[frameOf[p] as number] as Utf8Strings).bytes, starts[p] as number, ends[p] as number)) {
          if (keepLast) {
            frameOf[p] = f;
            rowOf[p] = r;
            starts[p] = start;
            ends[p] = end;
          }
          break;
        }
        slot = (slot + 1) & mask;
      }
      start = end;
    }
  }
  // The keys in pick order as one UTF-8 run, gathered from where each first appeared.
  const keyBytes = new Uint8Array(bytes);
  const keyEnds = new Int32Array(count);
  let at = 0;
  let ascii = true;
  for (let p = 0; p < count; p++) {
    const from = texts[frameOf[p] as number] as Utf8Strings;
    keyBytes.set(from.bytes.subarray(starts[p] as number, ends[p] as number), at);
    at += (ends[p] as number) - (starts[p] as number);
    keyEnds[p] = at;
    ascii &&= from.ascii;
  }
  return { selections: [], count, keys: { bytes: keyBytes, ends: keyEnds, ascii }, frameOf: frameOf.subarray(0, count), rowOf: rowOf.subarray(0, count) };
}

function sameBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** Keys of another type (numbers): compared as their text, as the key table holds them. */
function pickByValue(frames: readonly RowFrame[], columns: readonly FrameColumn[], total: number, keepLast: boolean): PickedRows {
  const seen = new Map<string, number>();
  const keys: string[] = [];
  const frameOf = new Int32Array(total);
  const rowOf = new Int32Array(total);
  for (let f = 0; f < frames.length; f++) {
    const column = columns[f] as FrameColumn;
    for (let r = 0; r < (frames[f] as RowFrame).rows; r++) {
      const key = String(cellAt(column, r));
      const index = seen.get(key);
      if (index === undefined) {
        seen.set(key, keys.length);
        frameOf[keys.length] = f;
        rowOf[keys.length] = r;
        keys.push(key);
      } else if (keepLast) {
        frameOf[index] = f;
        rowOf[index] = r;
      }
    }
  }
  return { selections: [], count: keys.length, keys: encodeStrings(keys), frameOf: frameOf.subarray(0, keys.length), rowOf: rowOf.subarray(0, keys.length) };
}

/** Ascending row selections per frame from the picks (those whose key is not in `drop`). */
function selectionsOf(frameCount: number, picked: PickedRows, drop: ReadonlySet<string> | null): Int32Array[] {
  const { count, frameOf, rowOf } = picked;
  // Keys are made strings only to be dropped, which is rare: a redelivery of a committed chunk.
  const dropped = drop === null || drop.size === 0 ? null : decodeStrings(picked.keys).map((key) => drop.has(key));
  const counts = new Int32Array(frameCount);
  for (let i = 0; i < count; i++) if (dropped?.[i] !== true) counts[frameOf[i] as number] = (counts[frameOf[i] as number] as number) + 1;
  const selections = Array.from(counts, (n) => new Int32Array(n));
  const fill = new Int32Array(frameCount);
  for (let i = 0; i < count; i++) {
    if (dropped?.[i] === true) continue;
    const f = frameOf[i] as number;
    const at = fill[f] as number;
    fill[f] = at + 1;
    (selections[f] as Int32Array)[at] = rowOf[i] as number;
  }
  for (const selection of selections) selection.sort();
  return selections;
}
