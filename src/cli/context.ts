import pino, { type Logger } from 'pino';
import type { Bus } from '../core/bus.js';
import type { Warehouse } from '../core/warehouse.js';
import { DEFAULT_BUS, DEFAULT_WAREHOUSE, type OpenWarehouseOptions, openBus, openWarehouse } from './connect.js';

export interface GlobalOptions {
  readonly warehouse?: string;
  readonly bus?: string;
  readonly quiet?: boolean;
  readonly logLevel?: string;
}

/** Operator logs go to stderr as JSON lines (pino); they never carry record data. */
export function createLogger(options: GlobalOptions): Logger {
  return pino({ level: options.logLevel ?? process.env.SLUICE_LOG_LEVEL ?? 'warn', base: { app: 'sluice' } }, pino.destination(2));
}

export function warehouseUrl(options: GlobalOptions): string {
  return options.warehouse ?? process.env.SLUICE_WAREHOUSE ?? DEFAULT_WAREHOUSE;
}

export function busUrl(options: GlobalOptions): string {
  return options.bus ?? process.env.SLUICE_BUS ?? DEFAULT_BUS;
}

/** Opens the warehouse and bus named by the global flags, runs `work`, closes both. */
export async function withConnections<T>(
  options: GlobalOptions,
  work: (c: { warehouse: Warehouse; bus: Bus; logger: Logger }) => Promise<T>,
  warehouseOptions: OpenWarehouseOptions = {},
): Promise<T> {
  const logger = createLogger(options);
  const warehouse = await openWarehouse(warehouseUrl(options), warehouseOptions);
  try {
    const bus = await openBus(busUrl(options));
    try {
      return await work({ warehouse, bus, logger });
    } finally {
      await bus.close();
    }
  } finally {
    await warehouse.close();
  }
}

/**
 * Runs `work` with a signal that SIGINT/SIGTERM abort: the first signal drains and commits, a
 * second one exits at once (code 130).
 */
export async function withStopSignal<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${name}: draining — committing in-flight records, then exiting (send again to exit at once)\n`);
    controller.abort(new Error(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
