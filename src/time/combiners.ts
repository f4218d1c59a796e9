/**
 * A JSON value: what checkpoints are made of.
 *
 * @example
 * const acc: Json = { sum: 3, count: 2 };
 */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/**
 * How a window aggregates its values (Beam's `CombineFn`). `add` and `merge` may mutate and return
 * their first argument; `extract` must return a value that later `add`s do not change, because an
 * accumulating pane is handed out while the window keeps growing. `merge` is needed for sessions.
 * `encode`/`decode` make the accumulator JSON for checkpoints; without them it must already be JSON.
 *
 * @example
 * const longest: CombineFn<string, number, number> = {
 *   create: () => 0, add: (a, v) => Math.max(a, v.length), merge: Math.max, extract: (a) => a,
 * };
 */
export interface CombineFn<V, A, O> {
  create(): A;
  add(accumulator: A, value: V): A;
  merge(a: A, b: A): A;
  extract(accumulator: A): O;
  encode?(accumulator: A): Json;
  decode?(json: Json): A;
}

/**
 * Every value, in arrival order (merged sessions concatenate in window order).
 *
 * @example
 * const c = collect<string>(); c.extract(c.add(c.create(), 'a')); // ['a']
 */
export function collect<V>(): CombineFn<V, V[], V[]> {
  return {
    create: () => [],
    add: (acc, value) => {
      acc.push(value);
      return acc;
    },
    merge: (a, b) => {
      for (const v of b) a.push(v);
      return a;
    },
    extract: (acc) => acc.slice(),
  };
}

/**
 * The number of values.
 *
 * @example
 * count().extract(count().add(0, 'anything')); // 1
 */
export function count(): CombineFn<unknown, number, number> {
  return { create: () => 0, add: (acc) => acc + 1, merge: (a, b) => a + b, extract: (acc) => acc };
}

/**
 * The sum of numeric values (0 for an empty pane).
 *
 * @example
 * const s = sum(); s.extract(s.add(s.add(s.create(), 2), 3)); // 5
 */
export function sum(): CombineFn<number, number, number> {
  return { create: () => 0, add: (acc, v) => acc + v, merge: (a, b) => a + b, extract: (acc) => acc };
}

/**
 * The accumulator of {@link mean}: a running sum and count.
 *
 * @example
 * const acc: MeanAccumulator = { sum: 6, count: 4 }; // mean 1.5
 */
export interface MeanAccumulator {
  sum: number;
  count: number;
}

/**
 * The arithmetic mean, or `null` for an empty pane (an empty discarding ON_TIME pane has no mean).
 *
 * @example
 * const m = mean(); m.extract(m.add(m.add(m.create(), 1), 2)); // 1.5
 */
export function mean(): CombineFn<number, MeanAccumulator, number | null> {
  return {
    create: () => ({ sum: 0, count: 0 }),
    add: (acc, v) => {
      acc.sum += v;
      acc.count += 1;
      return acc;
    },
    merge: (a, b) => {
      a.sum += b.sum;
      a.count += b.count;
      return a;
    },
    extract: (acc) => (acc.count === 0 ? null : acc.sum / acc.count),
    encode: (acc) => ({ sum: acc.sum, count: acc.count }),
    decode: (json) => {
      const o = json as { sum: number; count: number };
      return { sum: o.sum, count: o.count };
    },
  };
}

/**
 * The largest value, or `null` for an empty pane.
 *
 * @example
 * const m = max(); m.extract(m.add(m.add(m.create(), 3), 7)); // 7
 */
export function max(): CombineFn<number, number | null, number | null> {
  return extreme(Math.max);
}

/**
 * The smallest value, or `null` for an empty pane.
 *
 * @example
 * const m = min(); m.extract(m.add(m.add(m.create(), 3), 7)); // 3
 */
export function min(): CombineFn<number, number | null, number | null> {
  return extreme(Math.min);
}

function extreme(pick: (a: number, b: number) => number): CombineFn<number, number | null, number | null> {
  const choose = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : pick(a, b));
  return { create: () => null, add: choose, merge: choose, extract: (acc) => acc };
}

/**
 * The number of distinct values (exact; compared with `SameValueZero`, so `1` and `'1'` differ).
 *
 * @example
 * const d = distinctCount(); d.extract(['a', 'b', 'a'].reduce(d.add, d.create())); // 2
 */
export function distinctCount(): CombineFn<string | number | boolean | null, Set<string | number | boolean | null>, number> {
  return {
    create: () => new Set(),
    add: (acc, v) => acc.add(v),
    merge: (a, b) => {
      for (const v of b) a.add(v);
      return a;
    },
    extract: (acc) => acc.size,
    // A Set is not JSON; checkpoint it as an array.
    encode: (acc) => [...acc],
    decode: (json) => new Set(json as readonly (string | number | boolean | null)[]),
  };
}
