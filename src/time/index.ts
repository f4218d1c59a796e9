/**
 * Event time for Sluice: window functions, watermarks, the keyed window operator with Beam's
 * trigger and pane semantics, and the core of `sluice windows`.
 *
 * @example
 * import { WindowOperator, fixedWindows, count } from './time/index.js';
 * const op = new WindowOperator({ windowFn: fixedWindows(300_000), combine: count(), earlyEvery: 60_000, allowedLateness: 60_000 });
 */
export { type Clock, ManualClock, systemClock } from './clock.js';
export { type CombineFn, collect, count, distinctCount, type Json, type MeanAccumulator, max, mean, min, sum } from './combiners.js';
export { parseDuration, parseTime } from './duration.js';
export { WindowOptionError } from './errors.js';
export { type BoundedOutOfOrdernessOptions, BoundedOutOfOrdernessWatermark, type PartitionWatermark } from './watermark.js';
export {
  type DroppedElement,
  type Element,
  type Pane,
  type PaneTiming,
  type SerializableState,
  type SnapshotTime,
  type SnapshotWindow,
  type StepResult,
  WindowOperator,
  type WindowOperatorConfig,
  type WindowOperatorSnapshot,
  type WindowOperatorStats,
} from './window-operator.js';
export { fixedWindows, mergeOverlappingWindows, sessions, slidingWindows, type Window, type WindowFn, type WindowMerge, windowsIntersect } from './windows.js';
export {
  parseWindowSpec,
  parseWindowsToolOptions,
  runWindowsTool,
  type WindowSpec,
  type WindowsToolAggregation,
  type WindowsToolOptions,
  type WindowsToolSummary,
  windowFnFor,
} from './windows-tool.js';
export { WindowedAggregate, type WindowedAggregateOptions, WindowStateError, type WindowTrigger } from './windowed-aggregate.js';
