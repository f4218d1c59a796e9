import type { FeatureScalar, OnlineStore, TileEvent, TileKey, TileSeries, TileVerdict, WorkerProgress } from '../core/online-store.js';
import { entityOf, type FeatureSet, type FeatureSpec } from './define-features.js';
import { asOfTime, entityKey, type FeatureEvent, tileOf, tileUpdates, windowValues } from './tiles.js';

/** One record for the updater: an event that contributes, a target that wants values, or both. */
export interface UpdaterItem {
  /** The envelope id: tiles apply each id once. */
  readonly id: string;
  /** What the record contributes to the tiles, if anything. */
  readonly event?: FeatureEvent;
  /** True when the event could not be attributed (e.g. a status update of an unknown ticket). */
  readonly unmatched?: boolean;
  /** The record to score, if it is scored (its fields carry the entity keys). */
  readonly target?: FeatureEvent;
}

export interface UpdaterResult {
  /** What became of the item's event (absent when it had none). */
  readonly verdict?: TileVerdict;
  /** Feature values for the target, in the set's feature order. */
  readonly values?: Readonly<Record<string, FeatureScalar>>;
  /** The boundary the values are as of. */
  readonly asOf?: number;
}

interface CacheEntry {
  readonly asOf: number;
  readonly values: Record<string, FeatureScalar>;
}

export interface FeatureUpdaterStats {
  /** Events whose updates are in the tiles (now, or from an earlier delivery). */
  applied: number;
  /** Redeliveries answered with an earlier verdict that differs from what this delivery would get. */
  overruled: number;
  late: number;
  unmatched: number;
  scored: number;
  /** With N workers: batches that waited for another worker before scoring, and for how long in all (ms). */
  waits: number;
  waitedMs: number;
}

/** How a FeatureUpdater shares its feature group with other worker processes. */
export interface FeatureUpdaterOptions {
  /**
   * This worker's slot when N workers share the store (the supervisor's `SLUICE_WORKER_INDEX`).
   * Absent: this process is the group's only writer, and nothing is shared but the tiles.
   */
  readonly worker?: string;
  /** How many workers the run has: until that many have reported, the missing ones count as not started yet. */
  readonly workers?: number;
  /**
   * A worker that reports no progress for this long (dead, or finished) stops holding the others
   * back. Default 10 000 ms: longer than any batch takes, shorter than the bus's ack wait.
   */
  readonly leaseMs?: number;
  /** How often a waiting worker asks the store for the others' progress. Default 25 ms. */
  readonly pollMs?: number;
}

/**
 * Keeps a feature set's tiles fresh in an online store and scores targets as they stream by (see
 * `tiles.ts` for the definition). One call handles one batch: apply the batch's events
 * (deduplicated by envelope id, so redeliveries count once), then read the tiles the batch's
 * targets need. Values of a key already computed as of the same boundary are reused: tiles before
 * the horizon never change, so the cache cannot go stale.
 *
 * **Lateness** is judged per record against the stream frontier before it — the latest event time
 * this updater has seen — not against batch boundaries: an event is `late` when its time is before
 * `asOf(frontier)`, the boundary any target seen so far may already have been scored as of (and
 * before the horizon stored with the tiles, which covers restarts and other workers).
 *
 * **N workers** (`options.worker`): each worker reports its frontier to the store after applying a
 * batch (`syncProgress`, with a lease), and scores a target as of boundary `B` only once every
 * other live worker's frontier is at `B` or later: every event a worker still has to apply is then
 * either at or after `B`, or late by the rule above, so no worker reads a tile another is still
 * filling. The worker furthest behind never waits, so the workers cannot wait on each other in a
 * circle; a dead or finished worker holds the others back for one lease at most.
 *
 * @example
 * const updater = new FeatureUpdater(features, store);
 * const [r] = await updater.process([{ id: 'T-1', event: ev, target: ev }]); // r.values.ward_tickets_7d
 */
export class FeatureUpdater {
  readonly set: FeatureSet;
  readonly stats: FeatureUpdaterStats = { applied: 0, overruled: 0, late: 0, unmatched: 0, scored: 0, waits: 0, waitedMs: 0 };
  private readonly store: OnlineStore;
  private readonly options: FeatureUpdaterOptions;
  private horizon = Number.NEGATIVE_INFINITY;
  /** The latest event (or target) time seen: the stream frontier lateness is judged against. */
  private frontier = Number.NEGATIVE_INFINITY;
  private loaded = false;
  private startedAt = 0;
  private prunedAt = Number.NEGATIVE_INFINITY;
  /** Per entity (in `entities` order), per key: the last boundary computed and its values. */
  private readonly cache: Array<Map<string, CacheEntry>>;
  private readonly entities: readonly string[];
  /** For each feature (in order), the index of its entity. */
  private readonly featureEntity: readonly number[];

  constructor(set: FeatureSet, store: OnlineStore, options: FeatureUpdaterOptions = {}) {
    this.set = set;
    this.store = store;
    this.options = Object.freeze({ ...options });
    this.entities = Object.keys(set.entities);
    this.cache = this.entities.map(() => new Map());
    this.featureEntity = set.featureNames.map((name) => this.entities.indexOf(entityOf(set.features[name] as FeatureSpec)));
  }

  /** The boundary before which tiles are final. */
  get currentHorizon(): number {
    return this.horizon;
  }

  async process(items: readonly UpdaterItem[]): Promise<UpdaterResult[]> {
    const set = this.set;
    if (!this.loaded) {
      const state = await this.store.readState(set.name);
      if (state !== null && state.horizon > this.horizon) this.horizon = state.horizon;
      // Only a single writer's frontier is the stream's: N workers each judge their own share.
      if (state?.frontier !== undefined && this.options.worker === undefined && state.frontier > this.frontier) this.frontier = state.frontier;
      this.loaded = true;
      this.startedAt = Date.now();
    }
    const shared = this.options.worker !== undefined;
    let horizon = this.horizon;
    let frontier = this.frontier;
    const events: TileEvent[] = [];
    const eventIndex: number[] = [];
    const asOfs: number[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as UpdaterItem;
      if (item.event !== undefined) {
        const time = item.event.time;
        // Per record, in stream order: late when a target seen before it may already have been scored past it.
        const closed = Math.max(this.horizon, asOfTime(frontier, set));
        const verdict: TileVerdict = item.unmatched === true ? 'unmatched' : time < closed ? 'late' : 'applied';
        events.push({ id: item.id, tile: tileOf(time, set.tile), verdict, updates: verdict === 'applied' ? tileUpdates(set, item.event) : [], time });
        eventIndex.push(i);
        if (time > frontier) frontier = time;
      }
      if (item.target !== undefined) {
        const asOf = asOfTime(item.target.time, set);
        asOfs[i] = asOf;
        if (asOf > horizon) horizon = asOf;
        if (item.target.time > frontier) frontier = item.target.time;
      }
    }
    let verdicts: TileVerdict[];
    // The frontier moves only once the store has the batch: if the store is down and the batch is
    // retried, its events must be judged against the frontier before it again, not against its own
    // latest time (which made every earlier event of the batch late after an outage).
    if (!shared) {
      // The only writer: applying the events and raising the horizon is one round trip.
      verdicts = events.length > 0 || horizon > this.horizon || frontier > this.frontier ? await this.store.applyTiles(set.name, events, { horizon, frontier }) : [];
      this.frontier = frontier;
    } else {
      // N workers: the horizon moves only once every other worker has caught up with it.
      verdicts = events.length > 0 ? await this.store.applyTiles(set.name, events) : [];
      this.frontier = frontier;
      await this.awaitOthers(horizon);
      if (horizon > this.horizon) await this.store.applyTiles(set.name, [], { horizon });
    }
    this.horizon = horizon;
    const results: Array<{ verdict?: TileVerdict; values?: Record<string, FeatureScalar>; asOf?: number }> = items.map(() => ({}));
    for (let k = 0; k < eventIndex.length; k++) {
      const verdict = verdicts[k] as TileVerdict;
      (results[eventIndex[k] as number] as { verdict?: TileVerdict }).verdict = verdict;
      if (verdict !== (events[k] as TileEvent).verdict) this.stats.overruled++;
      if (verdict === 'applied') this.stats.applied++;
      else if (verdict === 'late') this.stats.late++;
      else this.stats.unmatched++;
    }

    // Which tiles must be read: keys whose cached values are not as of the boundary wanted.
    const keys: TileKey[] = [];
    const keyOf: Array<Array<string | null>> = new Array(items.length);
    const wanted = this.entities.map(() => new Map<string, number>());
    for (let i = 0; i < items.length; i++) {
      const target = (items[i] as UpdaterItem).target;
      if (target === undefined) continue;
      const asOf = asOfs[i] as number;
      const ids: Array<string | null> = new Array(this.entities.length);
      keyOf[i] = ids;
      for (let e = 0; e < this.entities.length; e++) {
        const entity = this.entities[e] as string;
        const key = entityKey(set, entity, target.fields);
        ids[e] = key;
        if (key === null) continue;
        if ((this.cache[e] as Map<string, CacheEntry>).get(key)?.asOf !== asOf && !(wanted[e] as Map<string, number>).has(key)) {
          (wanted[e] as Map<string, number>).set(key, keys.length);
          keys.push({ entity, key });
        }
      }
    }
    const series = keys.length > 0 ? await this.store.readTiles(set.name, keys) : [];

    const entries: Array<CacheEntry | null> = new Array(this.entities.length);
    for (let i = 0; i < items.length; i++) {
      const ids = keyOf[i];
      if (ids === undefined) continue;
      const asOf = asOfs[i] as number;
      for (let e = 0; e < this.entities.length; e++) {
        const key = ids[e] as string | null;
        if (key === null) {
          entries[e] = null;
          continue;
        }
        const cache = this.cache[e] as Map<string, CacheEntry>;
        let cached = cache.get(key);
        if (cached === undefined || cached.asOf !== asOf) {
          const entity = this.entities[e] as string;
          const own: Record<string, FeatureScalar> = {};
          const index = (wanted[e] as Map<string, number>).get(key);
          // Every key whose cache missed before the loop was read; one that another target of this
          // batch re-cached for a different boundary is read again, alone (rare: out-of-order targets).
          const tiles = index !== undefined ? (series[index] as TileSeries) : ((await this.store.readTiles(set.name, [{ entity, key }]))[0] as TileSeries);
          windowValues(set, entity, tiles, asOf, own);
          cached = { asOf, values: own };
          cache.set(key, cached);
        }
        entries[e] = cached;
      }
      const values: Record<string, FeatureScalar> = {};
      for (let f = 0; f < set.featureNames.length; f++) {
        const name = set.featureNames[f] as string;
        values[name] = entries[this.featureEntity[f] as number]?.values[name] ?? null;
      }
      const r = results[i] as { values?: Record<string, FeatureScalar>; asOf?: number };
      r.values = values;
      r.asOf = asOf;
      this.stats.scored++;
    }

    await this.maybePrune();
    return results;
  }

  /**
   * Reports this worker's frontier (it has applied everything it was given) and waits until every
   * other live worker's frontier has reached `boundary`, so the tiles before it are complete. A
   * worker that reports nothing for a lease drops out; one not started yet is waited for during the
   * first lease only.
   */
  private async awaitOthers(boundary: number): Promise<void> {
    const lease = this.options.leaseMs ?? 10_000;
    const pollMs = this.options.pollMs ?? 25;
    const expected = (this.options.workers ?? 1) - 1;
    const began = Date.now();
    let waited = false;
    for (;;) {
      const others = await this.sync(lease);
      const now = Date.now();
      const starting = others.length < expected && now - this.startedAt < lease;
      if (!starting && others.every((o) => asOfTime(o.frontier, this.set) >= boundary)) break;
      if (!waited) {
        waited = true;
        this.stats.waits++;
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    if (waited) this.stats.waitedMs += Date.now() - began;
  }

  /** Reports this worker's progress (its frontier) and returns the other live workers'. */
  private sync(lease: number): Promise<WorkerProgress[]> {
    return this.store.syncProgress(this.set.name, { worker: this.options.worker as string, frontier: this.frontier }, lease);
  }

  /**
   * Drops tiles older than every window needs, a day of slack included so that targets up to a
   * day late still find theirs. Runs at most once per simulated day.
   */
  private async maybePrune(): Promise<void> {
    const day = 86_400_000;
    if (this.store.prune === undefined || !Number.isFinite(this.horizon) || this.horizon - this.prunedAt < day) return;
    this.prunedAt = this.horizon;
    const before = this.horizon - this.set.maxWindow - day;
    await this.store.prune(this.set.name, before);
    for (const cache of this.cache) for (const [key, entry] of cache) if (entry.asOf < before) cache.delete(key);
  }
}
