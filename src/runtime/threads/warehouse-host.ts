/**
 * A warehouse thread: builds the warehouse from its recipe (workerData) and runs the calls the
 * main thread's ThreadedWarehouse sends, one reply per call. The warehouse orders its own work
 * (DuckDB's writer is serial), so calls are started as they arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Warehouse } from '../../core/warehouse.js';
import { toThreadError } from './thread-error.js';
import { commitTransferables, type WarehouseCall, type WarehouseRecipe, type WarehouseReply } from './warehouse-protocol.js';

if (parentPort === null) throw new Error('warehouse-host.ts runs as a worker thread (see ThreadedWarehouse)');
const port = parentPort;
const recipe = workerData as WarehouseRecipe;

const built: Promise<Warehouse> = (async () => {
  const module = (await import(recipe.module)) as Record<string, unknown>;
  const Class = module[recipe.exportName] as (new (options: unknown) => Warehouse) | undefined;
  if (typeof Class !== 'function') throw new Error(`warehouse thread: ${recipe.module} has no export ${recipe.exportName}`);
  return new Class(recipe.options);
})();

async function perform(warehouse: Warehouse, call: WarehouseCall): Promise<unknown> {
  switch (call.op) {
    case 'open':
      await warehouse.open();
      return { kind: warehouse.kind, location: warehouse.location, acceptsFrames: warehouse.acceptsFrames === true };
    case 'ensureTable':
      return warehouse.ensureTable(call.table, call.disposition);
    case 'commit':
      return warehouse.commit(call.batches);
    case 'query':
      return warehouse.query(call.sql, call.params);
    case 'execute':
      if (warehouse.execute === undefined) throw new Error(`the ${warehouse.kind} warehouse cannot execute statements`);
      return warehouse.execute(call.sql);
    case 'close':
      return warehouse.close();
  }
}

port.on('message', (call: WarehouseCall) => {
  built
    .then((warehouse) => perform(warehouse, call))
    .then(
      (value) => port.postMessage({ id: call.id, ok: true, value } satisfies WarehouseReply),
      (error: unknown) => {
        // A failed commit's frames go back (moved, as they came) for the runner to retry it with.
        const reply: WarehouseReply = { id: call.id, ok: false, error: toThreadError(error), ...(call.op === 'commit' ? { batches: call.batches } : {}) };
        port.postMessage(reply, call.op === 'commit' ? commitTransferables(call.batches) : []);
      },
    );
});
