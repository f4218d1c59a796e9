import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { StepContext, StepFn } from '../core/step.js';

/** Hit and miss counts of a lookup, for the run summary. */
export interface LookupStats {
  readonly name: string;
  /** Where the reference data comes from, for people. */
  readonly source: string;
  hits: number;
  /** Keys not cached (or expired) and so loaded. */
  misses: number;
  /** Keys the reference data does not have (cached as absent too). */
  notFound: number;
  /** Loader calls: one per batch with misses. */
  loads: number;
}

export interface LookupOptions<V, R, O> {
  /** Names the lookup in the summary. */
  readonly name: string;
  readonly source: string;
  /** The key to look up, or null to pass the value to `apply` without a lookup. */
  readonly key: (value: V) => string | null;
  /** Loads reference rows for the keys (a map may hold more than asked). Called once per batch with misses. */
  readonly load: (keys: readonly string[]) => Promise<ReadonlyMap<string, R>>;
  /** Combines the value with its reference row (undefined when absent or no key). */
  readonly apply: (value: V, ref: R | undefined, ctx: StepContext) => O;
  /** How long a loaded row (or its absence) is trusted, in the runner's processing time (`ctx.now`). Default 5 minutes, the seed's cache TTL. */
  readonly ttlMs?: number;
}

const STATS = Symbol.for('sluice.lookupStats');

/** A lookup step: the step function with its counters attached. */
export type LookupStep<V, O> = StepFn<V, O> & { readonly [STATS]: LookupStats };

/**
 * A reference-data lookup step with a TTL cache: cached keys answer synchronously (no promise on
 * the hot path); the misses of one batch are loaded with one `load` call. Absent keys are cached
 * too, so a ward missing from the table does not reload it for every ticket.
 *
 * @example
 * const densities = lookupStep({ name: 'wards', source: 'wards.csv', key: (t) => t.ward, load: csvLoader('wards.csv', 'ward'), apply: (t, row) => ({ ...t, population_density: row ? Number(row.population_density) : null }) });
 */
export function lookupStep<V, R, O>(options: LookupOptions<V, R, O>): LookupStep<V, O> {
  const ttl = options.ttlMs ?? 300_000;
  const cache = new Map<string, { ref: R | undefined; expires: number }>();
  const stats: LookupStats = { name: options.name, source: options.source, hits: 0, misses: 0, notFound: 0, loads: 0 };
  let batch: { keys: Set<string>; done: Promise<void> } | null = null;

  /** The batch load the current step calls share; `now` is the processing time of its first miss. */
  const loadBatch = (now: number): { keys: Set<string>; done: Promise<void> } => {
    if (batch !== null) return batch;
    const keys = new Set<string>();
    const done = new Promise<void>((resolve, reject) => {
      queueMicrotask(() => {
        batch = null;
        stats.loads++;
        options.load([...keys]).then((rows) => {
          const expires = now + ttl;
          for (const key of keys) {
            const ref = rows.get(key);
            if (ref === undefined) stats.notFound++;
            cache.set(key, { ref, expires });
          }
          resolve();
        }, reject);
      });
    });
    batch = { keys, done };
    return batch;
  };

  const step = ((value: V, ctx: StepContext) => {
    const key = options.key(value);
    if (key === null) return options.apply(value, undefined, ctx);
    const cached = cache.get(key);
    if (cached !== undefined && cached.expires > ctx.now) {
      stats.hits++;
      return options.apply(value, cached.ref, ctx);
    }
    const pending = loadBatch(ctx.now);
    if (!pending.keys.has(key)) {
      stats.misses++;
      pending.keys.add(key);
    } else {
      stats.hits++;
    }
    const now = ctx.now;
    // ctx is re-bound to the next record before the promise settles: keep what apply needs.
    const frozen: StepContext = { envelope: ctx.envelope, now, pipeline: ctx.pipeline, reject: ctx.reject.bind(ctx), filter: ctx.filter.bind(ctx), setId: () => undefined };
    return pending.done.then(() => options.apply(value, cache.get(key)?.ref, frozen));
  }) as LookupStep<V, O>;
  Object.defineProperty(step, STATS, { value: stats });
  return step;
}

/** The counters of a lookup step, or undefined for any other step function. */
export function lookupStatsOf(fn: unknown): LookupStats | undefined {
  return typeof fn === 'function' ? (fn as { [STATS]?: LookupStats })[STATS] : undefined;
}

/** Every lookup's counters in a pipeline's steps. */
export function pipelineLookupStats(nodes: ReadonlyArray<{ readonly kind: string; readonly fn?: unknown }>): LookupStats[] {
  const out: LookupStats[] = [];
  for (const node of nodes) {
    const stats = node.kind === 'step' ? lookupStatsOf(node.fn) : undefined;
    if (stats !== undefined) out.push(stats);
  }
  return out;
}

/** One line per lookup for the run summary. */
export function formatLookupStats(stats: readonly LookupStats[]): string {
  if (stats.length === 0) return '';
  const lines = ['', 'lookups (TTL cache)'];
  for (const s of stats) {
    const total = s.hits + s.misses;
    lines.push(
      `  ${s.name} (${s.source}): ${s.hits.toLocaleString('en-US')} hits, ${s.misses.toLocaleString('en-US')} misses` +
        (total > 0 ? ` (${((100 * s.hits) / total).toFixed(1)}% hit rate)` : '') +
        `, ${s.notFound.toLocaleString('en-US')} keys not in the reference data, ${s.loads} loads`,
    );
  }
  return lines.join('\n');
}

/**
 * Loads a CSV reference table (header row) keyed by one column. A missing file is an empty table:
 * the lookup reports every key as not found rather than stopping the pipeline.
 *
 * @example
 * const load = csvReferenceLoader('wards.csv', 'ward');
 */
export function csvReferenceLoader(path: string, keyColumn: string): (keys: readonly string[]) => Promise<ReadonlyMap<string, Readonly<Record<string, string>>>> {
  return async () => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    const rows = parse(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
    const map = new Map<string, Readonly<Record<string, string>>>();
    for (const row of rows) {
      const key = row[keyColumn];
      if (key !== undefined) map.set(key, row);
    }
    return map;
  };
}
