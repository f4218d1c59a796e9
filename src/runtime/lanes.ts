import { ConfigError } from '../core/errors.js';

/**
 * Which part of a pipeline one process runs when the pipeline is split into lanes (see
 * `PipelineDefinition.orderedLane`):
 *
 * - `parallel`: everything that looks at one record at a time — parse, hash, DLP, cleanse and
 *   their tables. Any number of processes share one bus consumer and split the messages.
 * - `ordered`: the steps whose results depend on the order of the whole stream (rolling features:
 *   which events are late, which status update finds its ticket, what the tiles hold when a ticket
 *   is scored). One process reads every message on a consumer of its own, in the order one
 *   process would, so N workers give exactly the values of one.
 *
 * Unset: the whole pipeline in one process.
 */
export type Lane = 'parallel' | 'ordered';

/** The environment variable a lane is passed in (set by `--workers N` and by `--lane`). */
export const LANE_ENV = 'SLUICE_LANE';

/**
 * The lane named in `env`, or undefined for the whole pipeline.
 *
 * @example
 * laneOf({ SLUICE_LANE: 'ordered' }); // 'ordered'
 */
export function laneOf(env: Readonly<Record<string, string | undefined>>): Lane | undefined {
  const value = env[LANE_ENV];
  if (value === undefined || value === '' || value === 'all') return undefined;
  return parseLane(value);
}

/**
 * Reads `--lane` (or `SLUICE_LANE`): `parallel`, `ordered`, or `all` (undefined: the whole pipeline).
 *
 * @example
 * parseLane('parallel'); // 'parallel'
 */
export function parseLane(text: string): Lane | undefined {
  if (text === 'parallel' || text === 'ordered') return text;
  if (text === 'all') return undefined;
  throw new ConfigError(`lane "${text}" is not one of parallel, ordered, all: see \`sluice run --help\``);
}

/**
 * The ordered lane's own durable consumer: it reads every message, so it cannot share the
 * parallel lanes' consumer (which splits them). NATS durable names allow no dots, hence the dash.
 *
 * @example
 * orderedLaneConsumer('municipal-tickets'); // 'municipal-tickets-ordered'
 */
export function orderedLaneConsumer(consumer: string): string {
  return `${consumer}-ordered`;
}
