import type { CreateDisposition, TableSpec } from '../../core/schema.js';
import type { TableBatch } from '../../core/warehouse.js';

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

/** An error as it crosses the thread: its class name, stable code, message and own plain fields (a table name…). */
export interface ThreadError {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

export type WarehouseReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ThreadError; readonly batches?: readonly TableBatch[] };
