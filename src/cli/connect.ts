import { resolve } from 'node:path';
import type { Bus } from '../core/bus.js';
import { ConfigError } from '../core/errors.js';
import type { Warehouse } from '../core/warehouse.js';
import { duckDbWarehouseOnThread } from '../connectors/duckdb/duckdb-on-thread.js';
import { DuckDbWarehouse } from '../connectors/duckdb/duckdb-warehouse.js';
import { LocalBus } from '../connectors/local-bus/local-bus.js';

export const DEFAULT_WAREHOUSE = 'duckdb:./sluice.duckdb';
export const DEFAULT_BUS = 'local:./.sluice/bus';

export interface OpenWarehouseOptions {
  /**
   * Run an embedded (DuckDB) warehouse on a thread of its own, so loading rows runs beside the
   * main thread's steps (see duckDbWarehouseOnThread). For pipeline runs whose main thread has
   * steps to run; a one-off query gains nothing from it.
   */
  readonly ownThread?: boolean;
}

/**
 * Opens a warehouse by URL: `duckdb:PATH` (or a bare path ending in .duckdb, or `:memory:`).
 * Other backends plug in here by scheme.
 */
export async function openWarehouse(url: string, options: OpenWarehouseOptions = {}): Promise<Warehouse> {
  let warehouse: Warehouse;
  const duckdb = (path: string): Warehouse => (options.ownThread === true ? duckDbWarehouseOnThread({ path }) : new DuckDbWarehouse({ path }));
  if (url === ':memory:' || url === 'duckdb::memory:') warehouse = duckdb(':memory:');
  else if (url.startsWith('duckdb:')) warehouse = duckdb(url.slice('duckdb:'.length) || './sluice.duckdb');
  else if (!url.includes('://')) warehouse = duckdb(url);
  else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // Loaded only when chosen: the embedded default never loads pg.
    const { PostgresWarehouse } = await import('../connectors/postgres/postgres-warehouse.js');
    warehouse = new PostgresWarehouse({ url });
  } else {
    const scheme = url.slice(0, url.indexOf(':'));
    throw new ConfigError(`unsupported --warehouse scheme "${scheme}:". Use duckdb:PATH (e.g. duckdb:./sluice.duckdb) or postgres://USER@HOST:5432/DB[?schema=NAME].`);
  }
  await warehouse.open();
  return warehouse;
}

/** Opens a bus by URL: `local:DIR` (the embedded durable log). */
export async function openBus(url: string): Promise<Bus> {
  let bus: Bus;
  if (url.startsWith('local:')) bus = new LocalBus({ dir: resolve(url.slice('local:'.length) || './.sluice/bus') });
  else if (!url.includes('://')) bus = new LocalBus({ dir: resolve(url) });
  else if (url.startsWith('nats://')) {
    // Loaded only when chosen: the embedded default never loads nats.js.
    const { NatsBus } = await import('../connectors/nats/nats-bus.js');
    bus = new NatsBus({ url });
  } else {
    const scheme = url.slice(0, url.indexOf(':'));
    throw new ConfigError(`unsupported --bus scheme "${scheme}:". Use local:DIR (e.g. local:./.sluice/bus) or nats://HOST:4222.`);
  }
  await bus.open();
  return bus;
}
