import { ConnectorUnavailableError, DependencyUnavailableError, SluiceError } from '../../core/errors.js';
import type {
  FeatureRecord,
  FeatureScalar,
  FeatureValue,
  FeatureWrite,
  OnlineStore,
  TileEvent,
  TileGroupState,
  TileKey,
  TileSeries,
  TileVerdict,
  WorkerProgress,
} from '../../core/online-store.js';
import { SEP } from '../../features/tiles.js';

/**
 * The subset of an ioredis client this store uses (kysely's `PostgresPool` habit: no vendor types
 * in our signatures). ioredis is an optional dependency, imported only when a redis:// URL is used.
 */
interface RedisPipeline {
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): RedisPipeline;
  hgetall(key: string): RedisPipeline;
  hdel(key: string, ...fields: string[]): RedisPipeline;
  del(key: string): RedisPipeline;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

interface RedisClient {
  script(command: 'LOAD', script: string): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
  hkeys(key: string): Promise<string[]>;
  pipeline(): RedisPipeline;
  connect(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

interface Shas {
  readonly apply: string;
  readonly write: string;
  readonly horizon: string;
  readonly progress: string;
}

export interface RedisOnlineStoreOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  readonly url: string;
  /** Prefix of every key. Default `sluice`. */
  readonly prefix?: string;
  /**
   * How long (wall-clock ms) tiles and deduplication records live after their last write. Default
   * 40 days: longer than the longest window plus any realistic redelivery delay.
   */
  readonly retentionMs?: number;
  /** Connection timeout, ms. Default 2000. */
  readonly connectTimeoutMs?: number;
}

/**
 * Applies one event: records its verdict under its id unless one is there, and for a new `applied`
 * event applies every op to the entity tile hashes. An `applied` event with a time before the
 * group's horizon is recorded as `late` instead (another worker may have moved the horizon since the
 * caller judged it). KEYS: dedup key, group state hash, then one hash per update. ARGV: verdict, ttl,
 * tile, event time ('' = unchecked), then per hash the op count and the ops (op, field, value[, time]).
 */
const APPLY_SCRIPT = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
local verdict = ARGV[1]
if verdict == 'applied' and ARGV[4] ~= '' then
  local h = redis.call('HGET', KEYS[2], 'horizon')
  if h and tonumber(ARGV[4]) < tonumber(h) then verdict = 'late' end
end
redis.call('SET', KEYS[1], verdict, 'PX', ARGV[2])
if verdict ~= 'applied' then return verdict end
local tile = ARGV[3]
local a = 5
for k = 3, #KEYS do
  local h = KEYS[k]
  local n = tonumber(ARGV[a]); a = a + 1
  for i = 1, n do
    local op = ARGV[a]; local f = tile .. '|' .. ARGV[a + 1]; local v = ARGV[a + 2]; a = a + 3
    if op == 'add' then redis.call('HINCRBYFLOAT', h, f, v)
    elseif op == 'min' then
      local c = redis.call('HGET', h, f)
      if (not c) or tonumber(v) < tonumber(c) then redis.call('HSET', h, f, v) end
    elseif op == 'max' then
      local c = redis.call('HGET', h, f)
      if (not c) or tonumber(v) > tonumber(c) then redis.call('HSET', h, f, v) end
    elseif op == 'distinct' then redis.call('HSET', h, f .. '\\1' .. v, '1')
    elseif op == 'last' then
      local t = ARGV[a]; a = a + 1
      local ct = redis.call('HGET', h, f .. '\\1t')
      local cv = redis.call('HGET', h, f .. '\\1v')
      if (not ct) or tonumber(t) > tonumber(ct) or (tonumber(t) == tonumber(ct) and v > cv) then
        redis.call('HSET', h, f .. '\\1t', t, f .. '\\1v', v)
      end
    end
  end
  redis.call('PEXPIRE', h, ARGV[2])
end
return 'applied'
`;

/** Sets served features unless the stored value is newer. KEYS: the hash. ARGV: asOf, then name/JSON pairs. */
const WRITE_SCRIPT = `
local asOf = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  if (not cur) or tonumber(string.match(cur, '^(-?[%d.e+]+)|')) <= asOf then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1] .. '|' .. ARGV[i + 1])
  end
end
return 1
`;

/** Raises the group's horizon (ARGV[1]) and frontier (ARGV[2], may be empty), never lowers them. */
const HORIZON_SCRIPT = `
local names = { 'horizon', 'frontier' }
for i = 1, 2 do
  if ARGV[i] ~= '' then
    local cur = redis.call('HGET', KEYS[1], names[i])
    if (not cur) or tonumber(cur) < tonumber(ARGV[i]) then redis.call('HSET', KEYS[1], names[i], ARGV[i]) end
  end
end
return 1
`;

/**
 * Records one worker's frontier with a lease measured by Redis's clock, drops lapsed workers, and
 * returns the others as worker/progress pairs. KEYS: the group's progress hash. ARGV: worker,
 * progress (`frontier,registered` text), lease ms. Values are `progress|expiresAt`.
 */
const PROGRESS_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. (now + tonumber(ARGV[3])))
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  local v = all[i + 1]
  local bar = string.find(v, '|', 1, true)
  if tonumber(string.sub(v, bar + 1)) < now then redis.call('HDEL', KEYS[1], all[i])
  elseif all[i] ~= ARGV[1] then out[#out + 1] = all[i]; out[#out + 1] = string.sub(v, 1, bar - 1) end
end
redis.call('PEXPIRE', KEYS[1], 86400000)
return out
`;

/** The URL without credentials, for messages and `location`. */
function safeLocation(url: string): string {
  try {
    const u = new URL(url);
    return `redis://${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'redis://(unparseable URL)';
  }
}

/**
 * The online store on Redis: served features in one hash per entity instance, tiles in one hash
 * per (group, entity instance) with `tile|field` fields updated by a Lua script (HINCRBYFLOAT and
 * compare-and-set), deduplication by `SET` of the envelope id with a TTL. Every batch is one
 * pipelined round trip.
 *
 * @example
 * const store = new RedisOnlineStore({ url: 'redis://127.0.0.1:6379' }); await store.open();
 */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis';
  readonly location: string;
  private readonly options: RedisOnlineStoreOptions;
  private readonly prefix: string;
  private readonly retentionMs: number;
  private client: RedisClient | null = null;
  private shas: Shas | null = null;

  constructor(options: RedisOnlineStoreOptions) {
    this.options = Object.freeze({ ...options });
    this.location = safeLocation(options.url);
    this.prefix = options.prefix ?? 'sluice';
    this.retentionMs = options.retentionMs ?? 40 * 86_400_000;
  }

  async open(): Promise<void> {
    if (this.client !== null) return;
    let Redis: new (url: string, options: Record<string, unknown>) => RedisClient;
    try {
      Redis = (await import('ioredis')).Redis as unknown as typeof Redis;
    } catch (error) {
      throw new SluiceError('DEPENDENCY_MISSING', 'the Redis online store needs the ioredis package: npm install ioredis', { cause: error });
    }
    const client = new Redis(this.options.url, {
      lazyConnect: true,
      connectTimeout: this.options.connectTimeoutMs ?? 2000,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      // Before open() succeeds a failed connect is reported to the operator at once; once open, the
      // client keeps reconnecting (capped at 2 s) so the store comes back by itself after an
      // outage while the runner waits for it (commands fail fast meanwhile: maxRetriesPerRequest).
      retryStrategy: (times: number) => (this.client === null ? (times > 3 ? null : times * 100) : Math.min(times * 200, 2000)),
    });
    // ioredis reports connection trouble as 'error' events (and logs them when nobody listens):
    // keep the last one for the operator's message instead.
    let lastError: Error | null = null;
    client.on('error', (error) => {
      lastError = error;
    });
    try {
      await client.connect();
      await this.loadScripts(client);
    } catch (error) {
      client.disconnect();
      throw new ConnectorUnavailableError(
        `cannot reach the Redis online store at ${this.location} (${(lastError ?? (error as Error)).message}). Start Redis or choose another store with --online embedded:DIR`,
        { cause: error },
      );
    }
    this.client = client;
  }

  private connected(): { client: RedisClient; shas: Shas } {
    if (this.client === null || this.shas === null) throw new SluiceError('ONLINE_STORE_CLOSED', `the Redis online store ${this.location} is not open`);
    return { client: this.client, shas: this.shas };
  }

  private servingKey(entity: string, id: string): string {
    return `${this.prefix}:f:${entity}:${id}`;
  }

  private tileKey(group: string, entity: string, key: string): string {
    return `${this.prefix}:t:${group}:${entity}:${key}`;
  }

  /** Runs one command; a lost connection becomes a DependencyUnavailableError, as in exec. */
  private async command<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if ((error as Error).name === 'ReplyError') throw error; // the server answered: not an outage
      throw new DependencyUnavailableError(`the Redis online store at ${this.location} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Runs a pipeline and throws the first command error, so no failure passes silently. */
  private async exec(pipeline: RedisPipeline): Promise<unknown[]> {
    let replies: Array<[Error | null, unknown]> | null;
    try {
      replies = await pipeline.exec();
    } catch (error) {
      // The server, not the records: the runner waits for it rather than dead-lettering them.
      throw new DependencyUnavailableError(`the Redis online store at ${this.location} failed: ${(error as Error).message}`, { cause: error });
    }
    if (replies === null) throw new DependencyUnavailableError(`the Redis online store at ${this.location} dropped a pipeline (connection lost)`);
    const failed = replies.find(([error]) => error !== null)?.[0];
    if (failed != null) {
      if (failed.name !== 'ReplyError') {
        // Queued while the connection was down and given up by the client: an outage, not a refusal.
        throw new DependencyUnavailableError(`the Redis online store at ${this.location} failed: ${failed.message}`, { cause: failed });
      }
      if (failed.message.startsWith('NOSCRIPT')) {
        // The server restarted and forgot the scripts: load them again; the retried batch finds
        // them (the scripts deduplicate by envelope id, so nothing is applied twice).
        await this.loadScripts(this.connected().client).catch(() => undefined);
        throw new DependencyUnavailableError(`the Redis online store at ${this.location} lost its scripts (restarted?); reloaded them`, { cause: failed });
      }
      throw new SluiceError('ONLINE_STORE_COMMAND_FAILED', `Redis at ${this.location} refused a command: ${failed.message}`, { cause: failed });
    }
    return replies.map(([, value]) => value);
  }

  private async loadScripts(client: RedisClient): Promise<void> {
    this.shas = {
      apply: String(await client.script('LOAD', APPLY_SCRIPT)),
      write: String(await client.script('LOAD', WRITE_SCRIPT)),
      horizon: String(await client.script('LOAD', HORIZON_SCRIPT)),
      progress: String(await client.script('LOAD', PROGRESS_SCRIPT)),
    };
  }

  async write(records: readonly FeatureWrite[]): Promise<void> {
    if (records.length === 0) return;
    const { client, shas } = this.connected();
    const pipeline = client.pipeline();
    for (const r of records) {
      const args: Array<string | number> = [r.asOf];
      for (const name in r.values) args.push(name, JSON.stringify(r.values[name] ?? null));
      pipeline.evalsha(shas.write, 1, this.servingKey(r.entity, r.id), ...args);
    }
    await this.exec(pipeline);
  }

  private parseRecord(entity: string, id: string, hash: Record<string, string>): FeatureRecord | null {
    const features: Record<string, FeatureValue> = {};
    let any = false;
    for (const name in hash) {
      const text = hash[name] as string;
      const bar = text.indexOf('|');
      features[name] = { asOf: Number(text.slice(0, bar)), value: JSON.parse(text.slice(bar + 1)) as FeatureScalar };
      any = true;
    }
    return any ? { entity, id, features } : null;
  }

  async get(entity: string, id: string): Promise<FeatureRecord | null> {
    const { client } = this.connected();
    return this.parseRecord(entity, id, await this.command(() => client.hgetall(this.servingKey(entity, id))));
  }

  async getMany(entity: string, ids: readonly string[]): Promise<Array<FeatureRecord | null>> {
    if (ids.length === 0) return [];
    const { client } = this.connected();
    const pipeline = client.pipeline();
    for (const id of ids) pipeline.hgetall(this.servingKey(entity, id));
    const replies = await this.exec(pipeline);
    return ids.map((id, i) => this.parseRecord(entity, id, replies[i] as Record<string, string>));
  }

  async applyTiles(group: string, events: readonly TileEvent[], state?: TileGroupState): Promise<TileVerdict[]> {
    const { client, shas } = this.connected();
    const pipeline = client.pipeline();
    const ttl = this.retentionMs;
    const stateKey = `${this.prefix}:s:${group}`;
    for (const event of events) {
      const keys = [`${this.prefix}:d:${group}:${event.tile}:${event.id}`, stateKey];
      const args: Array<string | number> = [event.verdict, ttl, event.tile, event.time ?? ''];
      if (event.verdict === 'applied') {
        for (const update of event.updates) {
          keys.push(this.tileKey(group, update.entity, update.key));
          args.push(update.ops.length);
          for (const op of update.ops) {
            args.push(op.op, op.field, op.value);
            if (op.op === 'last') args.push(op.time);
          }
        }
      }
      pipeline.evalsha(shas.apply, keys.length, ...keys, ...args);
    }
    const frontier = state?.frontier !== undefined && Number.isFinite(state.frontier) ? state.frontier : '';
    if (state !== undefined && (Number.isFinite(state.horizon) || frontier !== '')) {
      pipeline.evalsha(shas.horizon, 1, stateKey, Number.isFinite(state.horizon) ? state.horizon : '', frontier);
    }
    const replies = await this.exec(pipeline);
    return events.map((_, i) => replies[i] as TileVerdict);
  }

  async readTiles(group: string, keys: readonly TileKey[]): Promise<TileSeries[]> {
    if (keys.length === 0) return [];
    const { client } = this.connected();
    const pipeline = client.pipeline();
    for (const k of keys) pipeline.hgetall(this.tileKey(group, k.entity, k.key));
    const replies = await this.exec(pipeline);
    const textSuffix = `${SEP}v`;
    return replies.map((reply) => {
      const series = new Map<number, Record<string, number | string>>();
      const hash = reply as Record<string, string>;
      for (const name in hash) {
        const bar = name.indexOf('|');
        const tileStart = Number(name.slice(0, bar));
        const field = name.slice(bar + 1);
        let tile = series.get(tileStart);
        if (tile === undefined) {
          tile = {};
          series.set(tileStart, tile);
        }
        const raw = hash[name] as string;
        tile[field] = field.endsWith(textSuffix) ? raw : Number(raw);
      }
      return series;
    });
  }

  async readState(group: string): Promise<TileGroupState | null> {
    const { client } = this.connected();
    const hash = await this.command(() => client.hgetall(`${this.prefix}:s:${group}`));
    if (hash.horizon === undefined && hash.frontier === undefined) return null;
    const horizon = hash.horizon === undefined ? Number.NEGATIVE_INFINITY : Number(hash.horizon);
    return hash.frontier === undefined ? { horizon } : { horizon, frontier: Number(hash.frontier) };
  }

  async syncProgress(group: string, progress: WorkerProgress, leaseMs: number): Promise<WorkerProgress[]> {
    const { client, shas } = this.connected();
    const pipeline = client.pipeline();
    const text = `${progress.frontier},${progress.registered ?? progress.frontier}`;
    pipeline.evalsha(shas.progress, 1, `${this.prefix}:w:${group}`, progress.worker, text, Math.max(1, Math.round(leaseMs)));
    const [reply] = await this.exec(pipeline);
    const flat = reply as string[];
    const others: WorkerProgress[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [frontier, registered] = (flat[i + 1] as string).split(',');
      others.push({ worker: flat[i] as string, frontier: Number(frontier), registered: Number(registered ?? frontier) });
    }
    return others;
  }

  async prune(group: string, before: number): Promise<void> {
    const { client } = this.connected();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${this.prefix}:t:${group}:*`, 'COUNT', 500);
      cursor = next;
      const pipeline = client.pipeline();
      let pending = false;
      for (const key of keys) {
        const old = (await client.hkeys(key)).filter((f) => Number(f.slice(0, f.indexOf('|'))) < before);
        if (old.length > 0) {
          pipeline.hdel(key, ...old);
          pending = true;
        }
      }
      if (pending) await this.exec(pipeline);
    } while (cursor !== '0');
  }

  /** Deletes every key under this store's prefix: for tests and `--fresh` runs. */
  async clear(): Promise<void> {
    const { client } = this.connected();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        const pipeline = client.pipeline();
        for (const key of keys) pipeline.del(key);
        await this.exec(pipeline);
      }
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.shas = null;
    if (client !== null) await client.quit().catch(() => client.disconnect());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
