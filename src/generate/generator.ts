import { ConfigError } from '../core/errors.js';

/**
 * The interface every reference pipeline's test-data generator implements (`sluice generate
 * <pipeline>`). A generator is a pure function of its options: the same options give the same
 * lines, byte for byte, on any machine, and lines are produced lazily so any `count` runs in
 * constant memory.
 */

/** 2026-11-01T00:00:00Z: a fixed default start so output never depends on the wall clock. */
export const DEFAULT_START_TIME = Date.UTC(2026, 10, 1, 0, 0, 0);

/** 20 events per simulated minute. */
export const DEFAULT_EVENTS_PER_SECOND = 20 / 60;

export interface GeneratorOptions {
  /** Lines to produce on the pipeline's input topic (`topics[0]`), bad ones included. Side topics (e.g. status updates) come on top. */
  readonly count: number;
  /** The same seed gives byte-identical output. */
  readonly seed: string | number;
  /** Share of input lines that are bad (malformed, mistyped, duplicated), 0–1. */
  readonly badRate: number;
  /** Event time of the first record, epoch ms. Default `DEFAULT_START_TIME`. */
  readonly startTime?: number;
  /** Average simulated event-time rate on the input topic. Default `DEFAULT_EVENTS_PER_SECOND`. */
  readonly eventsPerSecond?: number;
}

/**
 * What a line is, so tests can predict what the pipeline must do with it:
 * - `valid`: well-formed, in event-time order (status updates on side topics are `valid` too);
 * - `out_of_order`: well-formed, event time up to a couple of minutes behind the stream — within
 *   any sensible allowed out-of-orderness;
 * - `late`: well-formed, event time 10–60 minutes behind — beyond a short allowed lateness;
 * - `bad`: fails parsing or validation (`badReason` says how);
 * - `duplicate`: a byte-exact copy of an earlier well-formed line (a redelivery).
 */
export type LineKind = 'valid' | 'out_of_order' | 'late' | 'bad' | 'duplicate';

/** The kinds that parse and validate. */
export const WELL_FORMED_KINDS: ReadonlySet<LineKind> = new Set<LineKind>(['valid', 'out_of_order', 'late']);

export interface GeneratedLine {
  /** The topic (or file) the line belongs to. */
  readonly topic: string;
  /** One non-empty line of text, without the trailing newline. */
  readonly line: string;
  readonly kind: LineKind;
  /** Why a `bad` line is bad (e.g. `truncated_json`, `bad_timestamp`); `duplicate` for duplicates. */
  readonly badReason?: string;
  /** The record's natural key (e.g. the ticket id), when it has one. */
  readonly key?: string;
  /** The record's event time, epoch ms, when it has a valid one. */
  readonly eventTime?: number;
  /**
   * Raw personal data this exact line contains (ids, phone numbers, values planted in free text),
   * each a substring of `line`. Leak tests search every output for these.
   */
  readonly pii?: readonly string[];
}

/** A file the pipeline needs beside its input (e.g. a lookup table). */
export interface ReferenceFile {
  readonly name: string;
  readonly content: string;
}

export interface PipelineGenerator {
  /** The pipeline name, as `sluice generate <pipeline>` takes it. */
  readonly pipeline: string;
  /** Topics written, input topic first. */
  readonly topics: readonly string[];
  /** One line for `--help` and docs. */
  readonly describe: string;
  /** Lines in emission order, lazily. Each call starts afresh from the seed. */
  generate(options: GeneratorOptions): Iterable<GeneratedLine>;
  /** Lookup tables the pipeline joins against. */
  referenceFiles?(options: GeneratorOptions): ReferenceFile[];
}

/** Options with defaults applied and checked. */
export interface ResolvedGeneratorOptions {
  readonly count: number;
  readonly seed: string;
  readonly badRate: number;
  readonly startTime: number;
  readonly eventsPerSecond: number;
}

/**
 * Applies defaults and rejects impossible values with a `ConfigError` (an operator mistake such as
 * `--bad-rate 5`, not bad data).
 *
 * @example
 * const { startTime, eventsPerSecond } = resolveGeneratorOptions({ count: 1000, seed: 1, badRate: 0.05 });
 */
export function resolveGeneratorOptions(options: GeneratorOptions): ResolvedGeneratorOptions {
  const { count, badRate } = options;
  const startTime = options.startTime ?? DEFAULT_START_TIME;
  const eventsPerSecond = options.eventsPerSecond ?? DEFAULT_EVENTS_PER_SECOND;
  if (!Number.isSafeInteger(count) || count < 0) throw new ConfigError(`count must be a whole number ≥ 0, got ${count}`);
  if (!(badRate >= 0 && badRate <= 1)) throw new ConfigError(`bad rate must be between 0 and 1 (e.g. 0.05 for 5%), got ${badRate}`);
  if (!Number.isFinite(startTime)) throw new ConfigError(`startTime must be epoch milliseconds, got ${startTime}`);
  if (!(eventsPerSecond > 0) || !Number.isFinite(eventsPerSecond)) throw new ConfigError(`eventsPerSecond must be a positive number, got ${eventsPerSecond}`);
  return { count, seed: String(options.seed), badRate, startTime, eventsPerSecond };
}
