import type { FeatureScalar, OnlineStore, TileEvent, TileKey, TileSeries, TileVerdict } from '../core/online-store.js';
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
}

/**
 * Keeps a feature set's tiles fresh in an online store and scores targets as they stream by (see
 * `tiles.ts` for the definition). One call handles one batch with two store round trips: apply the
 * batch's events (deduplicated by envelope id, so redeliveries count once), then read the tiles the
 * batch's targets need. Values of a key already computed as of the same boundary are reused:
 * tiles before the horizon never change, so the cache cannot go stale.
 *
 * @example
 * const updater = new FeatureUpdater(features, store);
 * const [r] = await updater.process([{ id: 'T-1', event: ev, target: ev }]); // r.values.ward_tickets_7d
 */
export class FeatureUpdater {
  readonly set: FeatureSet;
  readonly stats: FeatureUpdaterStats = { applied: 0, overruled: 0, late: 0, unmatched: 0, scored: 0 };
  private readonly store: OnlineStore;
  private horizon = Number.NEGATIVE_INFINITY;
  private loaded = false;
  private prunedAt = Number.NEGATIVE_INFINITY;
  /** Per entity (in `entities` order), per key: the last boundary computed and its values. */
  private readonly cache: Array<Map<string, CacheEntry>>;
  private readonly entities: readonly string[];
  /** For each feature (in order), the index of its entity. */
  private readonly featureEntity: readonly number[];

  constructor(set: FeatureSet, store: OnlineStore) {
    this.set = set;
    this.store = store;
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
      this.loaded = true;
    }
    const before = this.horizon;
    let horizon = before;
    const events: TileEvent[] = [];
    const eventIndex: number[] = [];
    const asOfs: number[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as UpdaterItem;
      if (item.event !== undefined) {
        const verdict: TileVerdict = item.unmatched === true ? 'unmatched' : item.event.time < before ? 'late' : 'applied';
        events.push({ id: item.id, tile: tileOf(item.event.time, set.tile), verdict, updates: verdict === 'applied' ? tileUpdates(set, item.event) : [] });
        eventIndex.push(i);
      }
      if (item.target !== undefined) {
        const asOf = asOfTime(item.target.time, set);
        asOfs[i] = asOf;
        if (asOf > horizon) horizon = asOf;
      }
    }
    const verdicts = events.length > 0 || horizon > before ? await this.store.applyTiles(set.name, events, { horizon }) : [];
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
