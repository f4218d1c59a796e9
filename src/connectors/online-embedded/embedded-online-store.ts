import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { type FileHandle, open as openFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SluiceError } from '../../core/errors.js';
import type {
  FeatureRecord,
  FeatureScalar,
  FeatureValue,
  FeatureWrite,
  OnlineStore,
  TileEvent,
  TileGroupState,
  TileKey,
  TileOp,
  TileSeries,
  TileUpdate,
  TileVerdict,
  WorkerProgress,
} from '../../core/online-store.js';
import { applyTileOp } from '../../features/tiles.js';

export interface EmbeddedOnlineStoreOptions {
  /** Folder holding `snapshot.json` and `log.jsonl`; absent = in memory only (tests, `:memory:` warehouses). */
  readonly dir?: string;
  /**
   * Open for reading only (`sluice features get`, `serve`): nothing is written, and reads pick up
   * what a writer in another process appended since.
   */
  readonly readOnly?: boolean;
  /** Rewrite the snapshot once the log grows past this many bytes. Default 64 MiB. */
  readonly compactBytes?: number;
  /** fsync the log after each write. Default false: a killed process loses nothing, a power cut may lose the last writes. */
  readonly fsync?: boolean;
}

interface Group {
  horizon: number;
  /** The stream frontier of the group's writer (see TileGroupState). */
  frontier: number;
  /** entity → key → tile start → fields. */
  readonly tiles: Map<string, Map<string, Map<number, Record<string, number | string>>>>;
  /** tile start → envelope id → verdict: deduplication, pruned with the tiles. */
  readonly seen: Map<number, Map<string, TileVerdict>>;
}

/**
 * One log line. `s` sets ids' serving entries to the state a write left (the stored JSON spliced
 * in, so a write is serialised once); `t` is a batch of tile events as one flat array (see
 * `tileEventsJson`). `w` and `g` are the earlier, object-per-event forms, still replayed.
 */
type LogRecord =
  | { readonly s: ReadonlyArray<readonly [string, string, ReadonlyArray<readonly [string, FeatureScalar, number]>]> }
  | { readonly t: string; readonly e: readonly unknown[]; readonly h?: number; readonly f?: number }
  | { readonly w: ReadonlyArray<readonly [string, string, Readonly<Record<string, FeatureScalar>>, number]> }
  | { readonly g: string; readonly e: readonly TileEvent[]; readonly h?: number; readonly f?: number }
  | { readonly p: string; readonly t: number };

const VERDICT_CODES: Readonly<Record<TileVerdict, number>> = { applied: 0, late: 1, unmatched: 2 };
const VERDICTS: readonly TileVerdict[] = ['applied', 'late', 'unmatched'];

/**
 * Tile events as one flat JSON array — per event `id, tile, verdict code, update count`, per update
 * `entity, key, op count`, per op `op, field, value` (and `time` for `last`) — instead of an object
 * per event, update and op: 40% fewer bytes (54 against 90 MB in a steps 1–8 run), and serialising
 * the log was about 8% of that run's main thread.
 */
function tileEventsJson(events: readonly TileEvent[]): string {
  const flat: unknown[] = [];
  for (const event of events) {
    flat.push(event.id, event.tile, VERDICT_CODES[event.verdict], event.updates.length);
    for (const update of event.updates) {
      flat.push(update.entity, update.key, update.ops.length);
      for (const op of update.ops) {
        if (op.op === 'last') flat.push(op.op, op.field, op.value, op.time);
        else flat.push(op.op, op.field, op.value);
      }
    }
  }
  return JSON.stringify(flat);
}

/** The inverse of {@link tileEventsJson}. */
function tileEventsFromFlat(flat: readonly unknown[]): TileEvent[] {
  const events: TileEvent[] = [];
  let i = 0;
  const next = (): unknown => flat[i++];
  while (i < flat.length) {
    const id = next() as string;
    const tile = next() as number;
    const verdict = VERDICTS[next() as number] as TileVerdict;
    const updates: TileUpdate[] = new Array(next() as number);
    for (let u = 0; u < updates.length; u++) {
      const entity = next() as string;
      const key = next() as string;
      const ops: TileOp[] = new Array(next() as number);
      for (let o = 0; o < ops.length; o++) {
        const op = next() as TileOp['op'];
        const field = next() as string;
        ops[o] = op === 'last' ? { op, field, value: next() as string, time: next() as number } : ({ op, field, value: next() } as TileOp);
      }
      updates[u] = { entity, key, ops };
    }
    events.push({ id, tile, verdict, updates });
  }
  return events;
}

interface Snapshot {
  readonly serving: ReadonlyArray<readonly [string, string, ReadonlyArray<readonly [string, FeatureScalar, number]>]>;
  readonly groups: ReadonlyArray<
    readonly [
      string,
      number | null,
      ReadonlyArray<readonly [string, ReadonlyArray<readonly [number, Record<string, number | string>]>]>,
      ReadonlyArray<readonly [number, ReadonlyArray<readonly [string, TileVerdict]>]>,
      // The frontier; absent in snapshots written before it was kept.
      (number | null)?,
    ]
  >;
}

const EMPTY_SERIES: TileSeries = new Map();

/**
 * The embedded online store: everything in process memory, persisted as an append-only log of
 * applied writes plus a snapshot rewritten when the log grows, so it survives a restart (and a
 * SIGKILL: a torn last line is ignored on load). One writing process per folder; readers in other
 * processes follow the log.
 *
 * @example
 * const store = new EmbeddedOnlineStore({ dir: '.sluice/online' }); await store.open();
 */
export class EmbeddedOnlineStore implements OnlineStore {
  readonly kind = 'embedded';
  readonly location: string;
  private readonly options: EmbeddedOnlineStoreOptions;
  /**
   * entity → id → the id's features as JSON `[[name, value, asOf], …]`. One string per id, not a
   * Map of objects: a store holding a million tickets kept ten million small objects alive, and
   * the garbage collector walked them all on every major collection (a fifth of a run's time).
   */
  private readonly serving = new Map<string, Map<string, string>>();
  /** Snapshot size when last written: the log may grow to as much before the next compaction. */
  private snapshotBytes = 0;
  private readonly groups = new Map<string, Group>();
  /** group → worker → frontier and lease expiry (wall-clock ms). */
  private readonly progress = new Map<string, Map<string, { frontier: number; registered: number; expires: number }>>();
  private log: FileHandle | null = null;
  private logBytes = 0;
  /** Read-only mode: how far the log has been applied, and which snapshot it continues. */
  private readOffset = 0;
  private snapshotMtime = 0;
  private opened = false;

  constructor(options: EmbeddedOnlineStoreOptions = {}) {
    this.options = Object.freeze({ ...options });
    this.location = options.dir === undefined ? ':memory:' : resolve(options.dir);
  }

  private get snapshotPath(): string {
    return join(this.location, 'snapshot.json');
  }

  private get logPath(): string {
    return join(this.location, 'log.jsonl');
  }

  async open(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    if (this.options.dir === undefined) return;
    if (this.options.readOnly === true) {
      if (!existsSync(this.location)) {
        throw new SluiceError('ONLINE_STORE_MISSING', `no embedded online store at ${this.location}: run a pipeline with features first, or pass --online`);
      }
      this.reload();
      return;
    }
    if (!existsSync(this.location)) return;
    this.reload();
    // A torn tail (the writer was killed mid-line) would glue itself to the next line: cut it.
    if (existsSync(this.logPath) && statSync(this.logPath).size > this.readOffset) truncateSync(this.logPath, this.readOffset);
  }

  /** The log, opened (and its folder created) on the first write: a pipeline that writes nothing leaves nothing behind. */
  private async logFile(): Promise<FileHandle | null> {
    if (this.log !== null || this.options.dir === undefined) return this.log;
    mkdirSync(this.location, { recursive: true });
    this.log = await openFile(this.logPath, 'a');
    this.logBytes = (await this.log.stat()).size;
    return this.log;
  }

  /** Loads the snapshot and replays the log from the start. */
  private reload(): void {
    this.serving.clear();
    this.groups.clear();
    this.readOffset = 0;
    this.snapshotMtime = 0;
    if (existsSync(this.snapshotPath)) {
      this.snapshotMtime = statSync(this.snapshotPath).mtimeMs;
      this.snapshotBytes = statSync(this.snapshotPath).size;
      this.loadSnapshot(JSON.parse(readFileSync(this.snapshotPath, 'utf8')) as Snapshot);
    }
    this.follow();
  }

  /** Applies complete log lines past `readOffset`. A torn last line (a killed writer) waits or is dropped. */
  private follow(): void {
    if (!existsSync(this.logPath)) return;
    const fd = openSync(this.logPath, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.readOffset) return;
      const buffer = Buffer.alloc(size - this.readOffset);
      readSync(fd, buffer, 0, buffer.length, this.readOffset);
      const end = buffer.lastIndexOf(10);
      if (end < 0) return;
      const text = buffer.subarray(0, end).toString('utf8');
      for (const line of text.split('\n')) {
        if (line.length === 0) continue;
        try {
          this.replay(JSON.parse(line) as LogRecord);
        } catch {
          // Only a torn write (a process killed mid-line, then restarted) produces a bad line.
        }
      }
      this.readOffset += end + 1;
    } finally {
      closeSync(fd);
    }
  }

  /** Read-only mode: catch up with the writer, reloading if it compacted meanwhile. */
  private refresh(): void {
    if (this.options.readOnly !== true || this.options.dir === undefined) return;
    const snapshotMtime = existsSync(this.snapshotPath) ? statSync(this.snapshotPath).mtimeMs : 0;
    const logSize = existsSync(this.logPath) ? statSync(this.logPath).size : 0;
    if (snapshotMtime !== this.snapshotMtime || logSize < this.readOffset) this.reload();
    else if (logSize > this.readOffset) this.follow();
  }

  private replay(record: LogRecord): void {
    if ('s' in record) {
      for (const [entity, id, entries] of record.s) this.servingOf(entity).set(id, JSON.stringify(entries));
    } else if ('e' in record) {
      const [name, events] = 'g' in record ? [record.g, record.e] : [record.t, tileEventsFromFlat(record.e)];
      const group = this.group(name);
      for (const event of events) this.applyEvent(group, event);
      if (record.h !== undefined && record.h > group.horizon) group.horizon = record.h;
      if (record.f !== undefined && record.f > group.frontier) group.frontier = record.f;
    } else if ('w' in record) {
      for (const [entity, id, values, asOf] of record.w) this.applyWrite(entity, id, values, asOf);
    } else {
      this.applyPrune(this.group(record.p), record.t);
    }
  }

  private group(name: string): Group {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { horizon: Number.NEGATIVE_INFINITY, frontier: Number.NEGATIVE_INFINITY, tiles: new Map(), seen: new Map() };
      this.groups.set(name, group);
    }
    return group;
  }

  private servingOf(entity: string): Map<string, string> {
    let byId = this.serving.get(entity);
    if (byId === undefined) {
      byId = new Map();
      this.serving.set(entity, byId);
    }
    return byId;
  }

  /** Merges the write into the id's entries and returns them as stored (JSON). */
  private applyWrite(entity: string, id: string, values: Readonly<Record<string, FeatureScalar>>, asOf: number): string {
    const byId = this.servingOf(entity);
    const stored = byId.get(id);
    const entries: Array<[string, FeatureScalar, number]> = stored === undefined ? [] : JSON.parse(stored);
    for (const name in values) {
      const current = entries.find((e) => e[0] === name);
      // Older values never overwrite newer ones, so writers may arrive in any order.
      if (current === undefined) entries.push([name, values[name] ?? null, asOf]);
      else if (asOf >= current[2]) {
        current[1] = values[name] ?? null;
        current[2] = asOf;
      }
    }
    const json = JSON.stringify(entries);
    byId.set(id, json);
    return json;
  }

  /** Returns the verdict in force and whether this call recorded it. */
  private applyEvent(group: Group, event: TileEvent): [TileVerdict, boolean] {
    let seen = group.seen.get(event.tile);
    if (seen === undefined) {
      seen = new Map();
      group.seen.set(event.tile, seen);
    }
    const earlier = seen.get(event.id);
    if (earlier !== undefined) return [earlier, false];
    const verdict: TileVerdict = event.verdict === 'applied' && event.time !== undefined && event.time < group.horizon ? 'late' : event.verdict;
    seen.set(event.id, verdict);
    if (verdict === 'applied') {
      for (const update of event.updates) {
        let byKey = group.tiles.get(update.entity);
        if (byKey === undefined) {
          byKey = new Map();
          group.tiles.set(update.entity, byKey);
        }
        let series = byKey.get(update.key);
        if (series === undefined) {
          series = new Map();
          byKey.set(update.key, series);
        }
        let tile = series.get(event.tile);
        if (tile === undefined) {
          tile = {};
          series.set(event.tile, tile);
        }
        for (const op of update.ops) applyTileOp(tile, op);
      }
    }
    return [verdict, true];
  }

  private applyPrune(group: Group, before: number): void {
    for (const tile of group.seen.keys()) if (tile < before) group.seen.delete(tile);
    for (const byKey of group.tiles.values()) {
      for (const [key, series] of byKey) {
        for (const tile of series.keys()) if (tile < before) series.delete(tile);
        if (series.size === 0) byKey.delete(key);
      }
    }
  }

  private writable(): void {
    if (!this.opened) throw new SluiceError('ONLINE_STORE_CLOSED', `the embedded online store ${this.location} is not open`);
    if (this.options.readOnly === true) throw new SluiceError('ONLINE_STORE_READ_ONLY', `the embedded online store ${this.location} was opened read-only`);
  }

  /** Appends one record, `line` being its JSON (built by the caller, which knows its shape). */
  private async append(json: string): Promise<void> {
    const log = await this.logFile();
    if (log === null) return;
    const line = `${json}\n`;
    await log.write(line);
    if (this.options.fsync === true) await log.sync();
    this.logBytes += Buffer.byteLength(line);
    // Compacting once the log outgrows the last snapshot keeps the rewriting amortised: a fixed
    // threshold rewrote an ever larger snapshot every 64 MiB, quadratic in the store's size.
    if (this.logBytes > Math.max(this.options.compactBytes ?? 64 * 2 ** 20, this.snapshotBytes)) await this.compact();
  }

  async write(records: readonly FeatureWrite[]): Promise<void> {
    this.writable();
    if (records.length === 0) return;
    if (this.options.dir === undefined) {
      for (const r of records) this.applyWrite(r.entity, r.id, r.values, r.asOf);
      return;
    }
    const entries: string[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as FeatureWrite;
      entries[i] = `[${JSON.stringify(r.entity)},${JSON.stringify(r.id)},${this.applyWrite(r.entity, r.id, r.values, r.asOf)}]`;
    }
    await this.append(`{"s":[${entries.join(',')}]}`);
  }

  async get(entity: string, id: string): Promise<FeatureRecord | null> {
    this.refresh();
    return this.record(entity, id);
  }

  private record(entity: string, id: string): FeatureRecord | null {
    const stored = this.serving.get(entity)?.get(id);
    if (stored === undefined) return null;
    const features: Record<string, FeatureValue> = {};
    for (const [name, value, asOf] of JSON.parse(stored) as Array<[string, FeatureScalar, number]>) features[name] = { value, asOf };
    return { entity, id, features };
  }

  async getMany(entity: string, ids: readonly string[]): Promise<Array<FeatureRecord | null>> {
    this.refresh();
    return ids.map((id) => this.record(entity, id));
  }

  async applyTiles(groupName: string, events: readonly TileEvent[], state?: TileGroupState): Promise<TileVerdict[]> {
    this.writable();
    const group = this.group(groupName);
    const verdicts: TileVerdict[] = new Array(events.length);
    const fresh: TileEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as TileEvent;
      const [verdict, recorded] = this.applyEvent(group, event);
      verdicts[i] = verdict;
      // Logged with the verdict recorded (and without the time), so a replay gives the same answer.
      if (recorded) fresh.push(verdict === event.verdict && event.time === undefined ? event : { id: event.id, tile: event.tile, verdict, updates: verdict === 'applied' ? event.updates : [] });
    }
    const horizon = state !== undefined && state.horizon > group.horizon ? state.horizon : undefined;
    if (horizon !== undefined) group.horizon = horizon;
    const frontier = state?.frontier !== undefined && state.frontier > group.frontier ? state.frontier : undefined;
    if (frontier !== undefined) group.frontier = frontier;
    if (fresh.length > 0 || horizon !== undefined || frontier !== undefined) {
      const state = `${horizon !== undefined ? `,"h":${JSON.stringify(horizon)}` : ''}${frontier !== undefined ? `,"f":${JSON.stringify(frontier)}` : ''}`;
      if (this.options.dir !== undefined) await this.append(`{"t":${JSON.stringify(groupName)},"e":${tileEventsJson(fresh)}${state}}`);
    }
    return verdicts;
  }

  async readTiles(groupName: string, keys: readonly TileKey[]): Promise<TileSeries[]> {
    this.refresh();
    const group = this.groups.get(groupName);
    // The live maps, not copies: callers only read, and copying 700 tiles per key would dominate.
    return keys.map((k) => group?.tiles.get(k.entity)?.get(k.key) ?? EMPTY_SERIES);
  }

  async readState(groupName: string): Promise<TileGroupState | null> {
    this.refresh();
    const group = this.groups.get(groupName);
    if (group === undefined || (!Number.isFinite(group.horizon) && !Number.isFinite(group.frontier))) return null;
    return Number.isFinite(group.frontier) ? { horizon: group.horizon, frontier: group.frontier } : { horizon: group.horizon };
  }

  /**
   * Worker progress is kept in memory only: an embedded store has one writing process, so the only
   * workers that can meet here are in-process ones (tests). Nothing is logged: a lease outlives no restart.
   */
  async syncProgress(groupName: string, progress: WorkerProgress, leaseMs: number): Promise<WorkerProgress[]> {
    this.writable();
    const now = Date.now();
    let workers = this.progress.get(groupName);
    if (workers === undefined) {
      workers = new Map();
      this.progress.set(groupName, workers);
    }
    workers.set(progress.worker, { frontier: progress.frontier, registered: progress.registered ?? progress.frontier, expires: now + leaseMs });
    const others: WorkerProgress[] = [];
    for (const [worker, p] of workers) {
      if (p.expires < now) workers.delete(worker);
      else if (worker !== progress.worker) others.push({ worker, frontier: p.frontier, registered: p.registered });
    }
    return others;
  }

  async prune(groupName: string, before: number): Promise<void> {
    this.writable();
    this.applyPrune(this.group(groupName), before);
    await this.append(JSON.stringify({ p: groupName, t: before }));
  }

  /** Writes the whole state as a new snapshot (atomically, by rename) and starts an empty log. */
  async compact(): Promise<void> {
    const log = await this.logFile();
    if (log === null) return;
    const groups: Snapshot['groups'] = [...this.groups].map(
      ([name, g]) =>
        [
          name,
          Number.isFinite(g.horizon) ? g.horizon : null,
          [...g.tiles].flatMap(([entity, byKey]) => [...byKey].map(([key, series]) => [`${entity}\u0000${key}`, [...series]] as const)),
          [...g.seen].map(([tile, ids]) => [tile, [...ids]] as const),
          Number.isFinite(g.frontier) ? g.frontier : null,
        ] as const,
    );
    // The serving values are JSON already: spliced in as they are, not parsed and written again.
    const serving: string[] = [];
    for (const [entity, byId] of this.serving) {
      const prefix = `[${JSON.stringify(entity)},`;
      for (const [id, stored] of byId) serving.push(`${prefix}${JSON.stringify(id)},${stored}]`);
    }
    const tmp = `${this.snapshotPath}.tmp`;
    const text = `{"serving":[${serving.join(',')}],"groups":${JSON.stringify(groups)}}`;
    this.snapshotBytes = text.length;
    writeFileSync(tmp, text);
    renameSync(tmp, this.snapshotPath);
    await log.truncate(0);
    this.logBytes = 0;
  }

  private loadSnapshot(snapshot: Snapshot): void {
    for (const [entity, id, features] of snapshot.serving) this.servingOf(entity).set(id, JSON.stringify(features));
    for (const [name, horizon, tiles, seen, frontier] of snapshot.groups) {
      const group = this.group(name);
      group.horizon = horizon ?? Number.NEGATIVE_INFINITY;
      group.frontier = frontier ?? Number.NEGATIVE_INFINITY;
      for (const [joined, series] of tiles) {
        const cut = joined.indexOf('\u0000');
        const entity = joined.slice(0, cut);
        let byKey = group.tiles.get(entity);
        if (byKey === undefined) {
          byKey = new Map();
          group.tiles.set(entity, byKey);
        }
        byKey.set(joined.slice(cut + 1), new Map(series));
      }
      for (const [tile, ids] of seen) group.seen.set(tile, new Map(ids));
    }
  }

  async close(): Promise<void> {
    await this.log?.close();
    this.log = null;
    this.opened = false;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
