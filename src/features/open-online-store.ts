import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { OnlineStore } from '../core/online-store.js';
import { EmbeddedOnlineStore } from '../connectors/online-embedded/embedded-online-store.js';

/**
 * The default online store for a warehouse: an embedded one in `.sluice/online` beside the
 * warehouse file (so `./sluice.duckdb` pairs with `./.sluice/online`, and two warehouses never
 * share feature state), or an in-memory one for an in-memory warehouse.
 *
 * @example
 * defaultOnlineUrl('duckdb:./sluice.duckdb'); // 'embedded:.sluice/online' resolved beside it
 */
export function defaultOnlineUrl(warehouseUrl: string): string {
  if (warehouseUrl === ':memory:' || warehouseUrl === 'duckdb::memory:') return 'memory:';
  if (warehouseUrl.includes('://')) return `embedded:${resolve('.sluice/online')}`;
  const path = warehouseUrl.startsWith('duckdb:') ? warehouseUrl.slice('duckdb:'.length) || './sluice.duckdb' : warehouseUrl;
  return `embedded:${join(dirname(resolve(path)), '.sluice', 'online')}`;
}

/**
 * Opens an online store by URL: `embedded:DIR` (persisted in a folder), `memory:` (nothing kept),
 * or `redis://host:port[/db]` (ioredis, loaded only then). `readOnly` opens an embedded store for
 * reading while another process writes it.
 *
 * @example
 * const store = await openOnlineStore('redis://127.0.0.1:6379');
 */
export async function openOnlineStore(url: string, options: { readOnly?: boolean } = {}): Promise<OnlineStore> {
  let store: OnlineStore;
  if (url === 'memory:' || url === 'embedded::memory:') store = new EmbeddedOnlineStore();
  else if (url.startsWith('embedded:')) store = new EmbeddedOnlineStore({ dir: url.slice('embedded:'.length) || '.sluice/online', readOnly: options.readOnly === true });
  else if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { RedisOnlineStore } = await import('../connectors/redis/redis-online-store.js');
    store = new RedisOnlineStore({ url });
  } else {
    const scheme = url.includes(':') ? url.slice(0, url.indexOf(':') + 1) : url;
    throw new ConfigError(`unsupported --online store "${scheme}". Use embedded:DIR (e.g. embedded:.sluice/online), memory:, or redis://HOST:PORT`);
  }
  await store.open();
  return store;
}
