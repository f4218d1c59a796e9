/**
 * The online feature store: what serves features in milliseconds, and where rolling features keep
 * their time tiles. Embedded (a persisted in-process store) by default, Redis on real
 * infrastructure. Every backend passes `test/contracts/online-store-contract.ts`.
 */

/** A feature value as served: numbers, text, booleans, or null when there is nothing to aggregate. */
export type FeatureScalar = number | string | boolean | null;

/** One served feature: its value and the event time it is valid as of (epoch ms). */
export interface FeatureValue {
  readonly value: FeatureScalar;
  readonly asOf: number;
}

/** Every feature held for one entity instance. */
export interface FeatureRecord {
  readonly entity: string;
  readonly id: string;
  readonly features: Readonly<Record<string, FeatureValue>>;
}

/** Sets some features of one entity instance (others it already has are kept). */
export interface FeatureWrite {
  readonly entity: string;
  readonly id: string;
  readonly values: Readonly<Record<string, FeatureScalar>>;
  readonly asOf: number;
}

/**
 * One commutative update of a tile field. Applying the same set of updates in any order gives the
 * same tile: `add` sums, `min`/`max` keep the extreme, `distinct` marks a value present, `last`
 * keeps the value with the greatest `(time, JSON text)`.
 */
export type TileOp =
  | { readonly op: 'add' | 'min' | 'max'; readonly field: string; readonly value: number }
  | { readonly op: 'distinct'; readonly field: string; readonly value: string }
  | { readonly op: 'last'; readonly field: string; readonly value: string; readonly time: number };

/** The updates one event makes to one entity instance's tile. */
export interface TileUpdate {
  readonly entity: string;
  readonly key: string;
  readonly ops: readonly TileOp[];
}

/**
 * What happened to an event, remembered under its envelope id so a redelivery gets the same
 * answer: `applied` to the tiles, or refused as `late` (its tile was already read) or `unmatched`
 * (it could not be attributed to an entity).
 */
export type TileVerdict = 'applied' | 'late' | 'unmatched';

/** One event's tile updates, applied at most once per (group, id). */
export interface TileEvent {
  /** The envelope id: the deduplication key. */
  readonly id: string;
  /** Start of the tile the event falls in (epoch ms). */
  readonly tile: number;
  /** The verdict to record if the id is new; updates are applied only for `applied`. */
  readonly verdict: TileVerdict;
  readonly updates: readonly TileUpdate[];
  /**
   * The event time. When given, an `applied` event earlier than the group's horizon is recorded as
   * `late` instead: with several workers another one may have moved the horizon since the caller
   * judged the event, and the store is where that is decided atomically.
   */
  readonly time?: number;
}

/**
 * One tile's fields. Numbers for `add`/`min`/`max` fields; for `distinct` one field
 * `<field>\u0001<value>` per value; for `last` `<field>\u0001v` holds the JSON text and `<field>\u0001t` the time.
 */
export type TileData = Readonly<Record<string, number | string>>;

/** The tiles one entity instance holds, by tile start. */
export type TileSeries = ReadonlyMap<number, TileData>;

/** Which entity instance's tiles to read. */
export interface TileKey {
  readonly entity: string;
  readonly key: string;
}

/** Progress a feature group has recorded: the tile boundary up to which tiles are final. */
export interface TileGroupState {
  readonly horizon: number;
  /**
   * The latest event time its single writer had seen (the stream frontier lateness is judged
   * against), so a restarted writer judges the next events as the one before it would have.
   * Kept as a maximum, like the horizon.
   */
  readonly frontier?: number;
}

/**
 * One worker's progress in a feature group, for N workers sharing one store: every event the
 * worker will still apply is judged against a stream frontier at least this late (epoch ms).
 */
export interface WorkerProgress {
  /** The worker's slot, e.g. `SLUICE_WORKER_INDEX`: a restarted worker reuses it and takes it over. */
  readonly worker: string;
  readonly frontier: number;
  /**
   * The latest event time the worker has been handed and registered (e.g. the ticket references
   * its status updates are attributed by): everything it registers later comes after this in the
   * stream. At least `frontier`; defaults to it.
   */
  readonly registered?: number;
}

/**
 * An online feature store. Serving (`write`, `get`, `getMany`) and tiles (`applyTiles`,
 * `readTiles`) are separate namespaces: tiles belong to a feature group, served features to an
 * entity.
 *
 * @example
 * await store.write([{ entity: 'ward', id: 'Ward 150', values: { ward_tickets_7d: 42 }, asOf: t }]);
 * (await store.get('ward', 'Ward 150'))?.features.ward_tickets_7d; // { value: 42, asOf: t }
 */
export interface OnlineStore {
  /** `embedded`, `redis`, … */
  readonly kind: string;
  /** Where the data is, for people: a folder or a URL without credentials. */
  readonly location: string;
  open(): Promise<void>;
  write(records: readonly FeatureWrite[]): Promise<void>;
  get(entity: string, id: string): Promise<FeatureRecord | null>;
  getMany(entity: string, ids: readonly string[]): Promise<Array<FeatureRecord | null>>;
  /**
   * Applies each event's updates unless its id was seen before in this group; returns, per event,
   * the verdict in force (the earlier one for a redelivery). `state` is stored with the updates.
   */
  applyTiles(group: string, events: readonly TileEvent[], state?: TileGroupState): Promise<TileVerdict[]>;
  /** Every tile held for each key (an empty series for an unknown key). */
  readTiles(group: string, keys: readonly TileKey[]): Promise<TileSeries[]>;
  readState(group: string): Promise<TileGroupState | null>;
  /**
   * Records `progress` for its worker, valid for `leaseMs` (measured by the store's clock), and
   * returns the live progress of every other worker of the group. A worker that stops reporting
   * (finished, or dead) drops out once its lease lapses; one reporting under the same id replaces it.
   * A single process may keep this in memory: only processes sharing the store see each other.
   */
  syncProgress(group: string, progress: WorkerProgress, leaseMs: number): Promise<WorkerProgress[]>;
  /** Drops tiles and deduplication records of tiles that start before `tile` (retention). */
  prune?(group: string, tile: number): Promise<void>;
  close(): Promise<void>;
}
