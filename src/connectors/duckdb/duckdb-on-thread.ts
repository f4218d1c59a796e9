import { resolve } from 'node:path';
import { ThreadedWarehouse } from '../../runtime/threads/threaded-warehouse.js';
import type { DuckDbWarehouseOptions } from './duckdb-warehouse.js';

/**
 * The DuckDB warehouse on a thread of its own (see ThreadedWarehouse): what `sluice run` and
 * `sluice demo` write through, so loading rows into DuckDB runs beside the pipeline's steps
 * instead of between them. The file is opened by that thread; DuckDB's lock is per process, so
 * a second process is refused just the same.
 *
 * @example
 * const wh = duckDbWarehouseOnThread({ path: './sluice.duckdb' }); await wh.open();
 */
export function duckDbWarehouseOnThread(options: DuckDbWarehouseOptions): ThreadedWarehouse {
  // The sibling module as this one is loaded: built `.js`, or `.ts` from source under tsx.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new ThreadedWarehouse({
    recipe: { module: new URL(`./duckdb-warehouse${extension}`, import.meta.url).href, exportName: 'DuckDbWarehouse', options },
    kind: 'duckdb',
    location: options.path === ':memory:' ? ':memory:' : resolve(options.path),
  });
}
