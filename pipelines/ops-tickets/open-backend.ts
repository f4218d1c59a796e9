import type { Warehouse } from '../../src/core/warehouse.js';
import type { OpsBackend } from './backend.js';
import { duckDbOpsBackend } from './backend-duckdb.js';
import { connectPostgresOps } from './backend-postgres.js';

/**
 * Opens the ops jobs' backend for a `--warehouse` URL: `postgres://…[?schema=NAME]` gets its own
 * single connection (a transaction spans the job's statements, and day files go by COPY); anything
 * else is opened by `openWarehouse` (the CLI's, so DuckDB paths and lock errors read the same).
 *
 * @example
 * const backend = await openOpsBackend('duckdb:./sluice.duckdb', openWarehouse);
 */
export async function openOpsBackend(url: string, openWarehouse: (url: string) => Promise<Warehouse>): Promise<OpsBackend> {
  if (/^postgres(ql)?:\/\//i.test(url)) return connectPostgresOps(url);
  const warehouse = await openWarehouse(url);
  try {
    return duckDbOpsBackend(warehouse);
  } catch (error) {
    await warehouse.close();
    throw error;
  }
}
