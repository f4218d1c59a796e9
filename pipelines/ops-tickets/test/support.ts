import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { DuckDbWarehouse } from '../../../src/connectors/duckdb/duckdb-warehouse.js';
import type { OpsBackend } from '../backend.js';
import { duckDbOpsBackend } from '../backend-duckdb.js';
import { generateOpsTicketFiles, type OpsGenerateResult } from '../generator/index.js';
import { OPS_OUTPUT_TABLES } from '../tables.js';

/** A fresh folder removed when the test file ends. */
export function tempDir(prefix = 'sluice-ops-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A year of day files at test volume (30 tickets a weekday), 2% bad rows. */
export function generateYear(dir: string, seed = 'ops-test', perDay = 30): OpsGenerateResult {
  return generateOpsTicketFiles({ from: '2025-01-01', to: '2025-12-31', out: dir, seed, perDay, badRate: 0.02 });
}

/** Opens a DuckDB file as the ops backend. */
export async function openDuckDb(path: string): Promise<OpsBackend> {
  const warehouse = new DuckDbWarehouse({ path });
  await warehouse.open();
  return duckDbOpsBackend(warehouse);
}

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/**
 * Every row of the six output tables, ordered by key, values as text: what "the same tables"
 * means in the acceptance tests.
 */
export async function snapshot(backend: OpsBackend, tables = OPS_OUTPUT_TABLES): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    // Text, so dates and timestamps compare across databases; doubles as numbers ("24" vs "24.0").
    const columns = table.columns.map((c) => (c.type === 'double' ? `"${c.name}"` : `CAST("${c.name}" AS VARCHAR) AS "${c.name}"`)).join(', ');
    const rows = await backend.query(`SELECT ${columns} FROM ${table.name} ORDER BY "_id"`);
    out[table.name] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, normalise(v)])));
  }
  return out;
}

/** Row counts of the six output tables plus the state and error tables. */
export async function counts(backend: OpsBackend): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of [...OPS_OUTPUT_TABLES.map((t) => t.name), 'ingestion_state', 'ops_ticket_errors']) {
    const [row] = await backend.query(`SELECT count(*) AS n FROM ${name}`);
    out[name] = Number(row?.n);
  }
  return out;
}
