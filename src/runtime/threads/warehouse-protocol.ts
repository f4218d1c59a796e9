import type { CreateDisposition, TableSpec } from '../../core/schema.js';
import { frameTransferables } from '../../core/row-frame.js';
import type { TableBatch } from '../../core/warehouse.js';
import type { ThreadError } from './thread-error.js';

/**
 * How a warehouse thread builds its warehouse: `new (await import(module))[exportName](options)`.
 * Everything here crosses a thread by structured clone.
 */
export interface WarehouseRecipe {
  readonly module: string;
  readonly exportName: string;
  readonly options: unknown;
}

export type WarehouseCall =
  | { readonly id: number; readonly op: 'open' }
  | { readonly id: number; readonly op: 'ensureTable'; readonly table: TableSpec; readonly disposition?: CreateDisposition }
  | { readonly id: number; readonly op: 'commit'; readonly batches: readonly TableBatch[] }
  | { readonly id: number; readonly op: 'query'; readonly sql: string; readonly params: readonly unknown[] }
  | { readonly id: number; readonly op: 'execute'; readonly sql: string }
  | { readonly id: number; readonly op: 'close' };

export type WarehouseReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ThreadError; readonly batches?: readonly TableBatch[] };

/** The buffers of a commit's frames, moved (not copied) when the commit crosses to the thread or back. */
export function commitTransferables(batches: readonly TableBatch[]): ArrayBuffer[] {
  const transfer: ArrayBuffer[] = [];
  for (const batch of batches) for (const frame of batch.frames ?? []) frameTransferables(frame, transfer);
  return transfer;
}
