import { type CombineFn, collect, count, sum } from './combiners.js';
import { parseDuration, parseTime } from './duration.js';
import { WindowOptionError } from './errors.js';
import { type Element, type Pane, type StepResult, WindowOperator } from './window-operator.js';
import { fixedWindows, sessions, slidingWindows, type WindowFn } from './windows.js';

export { parseDuration, parseTime } from './duration.js';
export { WindowOptionError } from './errors.js';

/**
 * A parsed `--window` flag.
 *
 * @example
 * parseWindowSpec('sliding:10s,5s'); // { kind: 'sliding', size: 10000, period: 5000, offset: 0 }
 */
export type WindowSpec =
  | { readonly kind: 'fixed'; readonly size: number; readonly offset: number }
  | { readonly kind: 'sliding'; readonly size: number; readonly period: number; readonly offset: number }
  | { readonly kind: 'session'; readonly gap: number };

/**
 * What `sluice windows` puts in a pane: every value, their number, or their sum.
 *
 * @example
 * const agg: WindowsToolAggregation = 'count'; // panes print "count": N
 */
export type WindowsToolAggregation = 'collect' | 'count' | 'sum';

/**
 * Options of `sluice windows`, as {@link parseWindowsToolOptions} makes them.
 *
 * @example
 * const options: WindowsToolOptions = { window: { kind: 'fixed', size: 10_000, offset: 0 }, lateCount: 1, lateness: 0, mode: 'accumulating', agg: 'collect' };
 */
export interface WindowsToolOptions {
  readonly window: WindowSpec;
  readonly earlyCount?: number;
  readonly earlyEvery?: number;
  readonly lateCount: number;
  readonly lateness: number;
  readonly mode: 'accumulating' | 'discarding';
  readonly agg: WindowsToolAggregation;
}

/**
 * Totals of one run, for the CLI's closing summary.
 *
 * @example
 * const { panes, dropped, errors } = await runWindowsTool(lines, options, write);
 */
export interface WindowsToolSummary {
  /** Input lines read, blank ones included. */
  readonly lines: number;
  /** Elements accepted into windows (dropped ones not included). */
  readonly elements: number;
  readonly panes: number;
  /** Elements refused as `late_event`. */
  readonly dropped: number;
  /** Malformed lines reported as `{"error":…}`. */
  readonly errors: number;
}

/**
 * Parses `fixed:SIZE[,OFFSET]`, `sliding:SIZE,PERIOD[,OFFSET]` or `session:GAP` (durations as in
 * {@link parseDuration}) and checks the numbers make a valid window function.
 *
 * @example
 * parseWindowSpec('fixed:5m'); // { kind: 'fixed', size: 300000, offset: 0 }
 */
export function parseWindowSpec(text: string): WindowSpec {
  const usage = 'use fixed:SIZE[,OFFSET], sliding:SIZE,PERIOD[,OFFSET] or session:GAP (e.g. fixed:5m, sliding:10s,5s, session:30m)';
  const match = /^\s*(fixed|sliding|sessions?)\s*:\s*(.+?)\s*$/.exec(text);
  if (match === null) throw new WindowOptionError(`"${text}" is not a window: ${usage}`, { option: '--window' });
  const kind = match[1] as string;
  const args = (match[2] as string).split(',').map((a) => a.trim());
  const durations = (min: number, max: number): number[] => {
    if (args.length < min || args.length > max)
      throw new WindowOptionError(`"${text}" has ${args.length} argument(s) for ${kind}: ${usage}`, { option: '--window' });
    return args.map((a) => rethrowAs('--window', () => parseDuration(a)));
  };
  let spec: WindowSpec;
  if (kind === 'fixed') {
    const [size = 0, offset = 0] = durations(1, 2);
    spec = { kind: 'fixed', size, offset };
  } else if (kind === 'sliding') {
    const [size = 0, period = 0, offset = 0] = durations(2, 3);
    spec = { kind: 'sliding', size, period, offset };
  } else {
    const [gap = 0] = durations(1, 1);
    spec = { kind: 'session', gap };
  }
  // Build the window function once so bad combinations (offset ≥ size, period > size) fail here, at the flag.
  rethrowAs('--window', () => windowFnFor(spec));
  return Object.freeze(spec);
}

/**
 * The window function a {@link WindowSpec} describes.
 *
 * @example
 * windowFnFor({ kind: 'session', gap: 30_000 }).isMerging; // true
 */
export function windowFnFor(spec: WindowSpec): WindowFn {
  switch (spec.kind) {
    case 'fixed':
      return fixedWindows(spec.size, spec.offset);
    case 'sliding':
      return slidingWindows(spec.size, spec.period, spec.offset);
    case 'session':
      return sessions(spec.gap);
  }
}

/**
 * Turns the CLI's parsed flags (commander's camelCase keys; kebab-case also accepted; values as
 * strings or numbers) into frozen {@link WindowsToolOptions}. Throws `WindowOptionError` naming the
 * flag on bad input.
 *
 * @example
 * parseWindowsToolOptions({ window: 'fixed:10s', earlyCount: '2', lateness: '1m', mode: 'discarding' });
 */
export function parseWindowsToolOptions(argv: Readonly<Record<string, unknown>>): WindowsToolOptions {
  const get = (camel: string, kebab: string): unknown => argv[camel] ?? argv[kebab];
  const window = get('window', 'window');
  if (typeof window !== 'string') throw new WindowOptionError('missing; use fixed:SIZE[,OFFSET], sliding:SIZE,PERIOD or session:GAP', { option: '--window' });
  const earlyCount = optionalCount(get('earlyCount', 'early-count'), '--early-count');
  const earlyEvery = optionalDuration(get('earlyEvery', 'early-every'), '--early-every');
  if (earlyEvery === 0) throw new WindowOptionError('must be a positive duration', { option: '--early-every' });
  const options: WindowsToolOptions = {
    window: parseWindowSpec(window),
    ...(earlyCount === undefined ? {} : { earlyCount }),
    ...(earlyEvery === undefined ? {} : { earlyEvery }),
    lateCount: optionalCount(get('lateCount', 'late-count'), '--late-count') ?? 1,
    lateness: optionalDuration(get('lateness', 'lateness'), '--lateness') ?? 0,
    mode: oneOf(get('mode', 'mode'), ['accumulating', 'discarding'] as const, '--mode') ?? 'accumulating',
    agg: oneOf(get('agg', 'agg'), ['collect', 'count', 'sum'] as const, '--agg') ?? 'collect',
  };
  return Object.freeze(options);
}

/** An element of the tool: the operator's element plus the object as given, echoed when dropped. */
interface ToolElement extends Element<unknown> {
  readonly raw: unknown;
}

const AGGREGATIONS: Readonly<Record<WindowsToolAggregation, { field: string; combine: () => CombineFn<unknown, unknown, unknown> }>> = {
  collect: { field: 'values', combine: () => collect<unknown>() as CombineFn<unknown, unknown, unknown> },
  count: { field: 'count', combine: () => count() as CombineFn<unknown, unknown, unknown> },
  sum: { field: 'sum', combine: () => sum() as CombineFn<unknown, unknown, unknown> },
};

/**
 * The core of `sluice windows`: reads one step per line and writes one JSON line per pane, dropped
 * element or malformed line. Steps:
 *
 * - `{"key":"k","ts":1000,"value":"a"}`: one element. `key` is optional: elements without one (or
 *   with `null`) share a key of their own, distinct from `""`, and their panes say `"key":null`.
 *   `ts` is an integer in ms or a duration string (`"10s"`). `value` is required unless `--agg count`,
 *   and must be a number for `--agg sum`.
 * - `[{…},{…}]`: a bundle. All its elements are added, then triggers are evaluated once. A bundle
 *   with one bad element is refused whole, so a step is never half-applied.
 * - `{"watermark":T}`: advances the input watermark (a lower T is ignored: watermarks never go back).
 *   This is the only watermark there is: the tool applies no out-of-orderness heuristic.
 * - `{"processing_time":T}`: advances processing time (starts at 0), firing `--early-every` panes.
 *
 * After each step the tool writes the step's dropped elements (input order) as
 * `{"dropped":{…as given…},"reason":"late_event"}`, then its panes ordered by window end, then
 * window start, then key, as `{"key","start","end","timing","values"}` (`count`/`sum` instead of
 * `values` for those aggregations). A malformed line gives `{"error":"…","line":N}` and the run goes
 * on. At the end of input the watermark advances to +∞, which fires every ON_TIME pane still due
 * and the final LATE panes of late data not yet fired.
 *
 * @example
 * await runWindowsTool(['{"key":"k","ts":1000,"value":"a"}', '{"watermark":10000}'], parseWindowsToolOptions({ window: 'fixed:10s' }), console.log);
 * // {"key":"k","start":0,"end":10000,"timing":"ON_TIME","values":["a"]}
 */
export async function runWindowsTool(
  lines: Iterable<string> | AsyncIterable<string>,
  options: WindowsToolOptions,
  emit: (line: string) => void,
): Promise<WindowsToolSummary> {
  const aggregation = AGGREGATIONS[options.agg];
  const operator = new WindowOperator<unknown, unknown, unknown>({
    windowFn: windowFnFor(options.window),
    combine: aggregation.combine(),
    ...(options.earlyCount === undefined ? {} : { earlyCount: options.earlyCount }),
    ...(options.earlyEvery === undefined ? {} : { earlyEvery: options.earlyEvery }),
    lateCount: options.lateCount,
    allowedLateness: options.lateness,
    accumulation: options.mode,
    initialProcessingTime: 0,
  });
  let lineNumber = 0;
  let errors = 0;
  let panes = 0;
  let dropped = 0;

  const write = (result: StepResult<unknown, ToolElement>): void => {
    for (const d of result.dropped) {
      dropped++;
      emit(JSON.stringify({ dropped: d.element.raw, reason: d.reason }));
    }
    for (const pane of result.panes) {
      panes++;
      emit(formatPane(pane, aggregation.field));
    }
  };
  const fail = (message: string): void => {
    errors++;
    emit(JSON.stringify({ error: message, line: lineNumber }));
  };

  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      fail(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (Array.isArray(parsed)) {
      const bundle: ToolElement[] = [];
      let problem: string | undefined;
      for (const [i, item] of parsed.entries()) {
        const element = parseElement(item, options.agg);
        if (typeof element === 'string') {
          problem = `bundle item ${i}: ${element}`;
          break;
        }
        bundle.push(element);
      }
      if (problem !== undefined) fail(problem);
      else write(operator.processElements(bundle));
      continue;
    }
    if (!isRecord(parsed)) {
      fail(STEP_HINT);
      continue;
    }
    if ('watermark' in parsed || 'processing_time' in parsed) {
      const field = 'watermark' in parsed ? 'watermark' : 'processing_time';
      if ('ts' in parsed || ('watermark' in parsed && 'processing_time' in parsed)) {
        fail(`a step is one of an element, a bundle, a watermark or a processing time, not several: ${STEP_HINT}`);
        continue;
      }
      const time = timeField(parsed[field], field);
      if (typeof time === 'string') fail(time);
      else write(field === 'watermark' ? operator.advanceWatermark(time) : operator.advanceProcessingTime(time));
      continue;
    }
    const element = parseElement(parsed, options.agg);
    if (typeof element === 'string') fail(element);
    else write(operator.processElements([element]));
  }
  write(operator.advanceWatermark(Number.POSITIVE_INFINITY));
  return { lines: lineNumber, elements: operator.stats.elements - dropped, panes, dropped, errors };
}

const STEP_HINT = 'expected an element {"key":"k","ts":1000,"value":…}, a bundle [{…},…], {"watermark":T} or {"processing_time":T}';

/** Keys travel through the operator prefixed, so that "no key" cannot collide with any real key (even ""). */
const NO_KEY = '';
function encodeKey(key: string): string {
  return `=${key}`;
}
function decodeKey(key: string): string | null {
  return key === NO_KEY ? null : key.slice(1);
}

function formatPane(pane: Pane<unknown>, field: string): string {
  return JSON.stringify({ key: decodeKey(pane.key), start: pane.window.start, end: pane.window.end, timing: pane.timing, [field]: pane.value });
}

function parseElement(item: unknown, agg: WindowsToolAggregation): ToolElement | string {
  if (!isRecord(item)) return `not an element: ${STEP_HINT}`;
  if (!('ts' in item)) return `element has no "ts": ${STEP_HINT}`;
  const ts = timeField(item.ts, 'ts');
  if (typeof ts === 'string') return ts;
  const key = item.key;
  if (key !== undefined && key !== null && typeof key !== 'string') return `"key" must be a string, got ${JSON.stringify(key)}`;
  if (agg !== 'count' && !('value' in item)) return `element has no "value" (required with --agg ${agg})`;
  if (agg === 'sum' && !(typeof item.value === 'number' && Number.isFinite(item.value))) {
    return `"value" must be a finite number with --agg sum, got ${JSON.stringify(item.value)}`;
  }
  return { key: typeof key === 'string' ? encodeKey(key) : NO_KEY, ts, value: item.value, raw: item };
}

function timeField(value: unknown, field: string): number | string {
  if (typeof value !== 'number' && typeof value !== 'string')
    return `"${field}" must be an integer number of milliseconds or a duration string, got ${JSON.stringify(value)}`;
  try {
    return parseTime(value);
  } catch (error) {
    return `"${field}": ${error instanceof Error ? error.message : String(error)}`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalCount(value: unknown, option: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new WindowOptionError(`${JSON.stringify(value)} is not a positive integer`, { option });
  return n;
}

function optionalDuration(value: unknown, option: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new WindowOptionError(`${JSON.stringify(value)} is not a duration`, { option });
  return rethrowAs(option, () => parseDuration(value));
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new WindowOptionError(`${JSON.stringify(value)} is not one of ${allowed.join(', ')}`, { option });
}

/** Runs `fn`, re-raising a `WindowOptionError` with the flag named (the original kept as `cause`). */
function rethrowAs<T>(option: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof WindowOptionError && error.option === undefined) throw new WindowOptionError(error.message, { option, cause: error });
    throw error;
  }
}
