import type { OnlineStore } from './online-store.js';
import type { Pipeline } from './pipeline.js';

/** What a pipeline needs from its surroundings when it is built. */
export interface PipelineBuildContext {
  /** The keyed PII hash in force (HMAC-SHA-256 with SLUICE_PII_KEY, or plain SHA-256). */
  readonly hash: (value: string) => string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The online feature store chosen with `--online`; pipelines with features fall back to an in-memory one. */
  readonly online?: OnlineStore;
}

/** A way to read a foreign file layout into the pipeline's input schema (e.g. the LA 311 export). */
export interface InputProfile {
  readonly format: 'csv' | 'jsonl';
  readonly description: string;
  /** Maps one source row to one input record. */
  readonly mapRow?: (row: Record<string, string>) => unknown;
}

/**
 * A runnable pipeline as the CLI knows it: how to build it, what it reads by default, and which
 * foreign inputs it understands.
 */
export interface PipelineDefinition {
  readonly name: string;
  readonly description: string;
  /** The topic it reads by default. */
  readonly input: string;
  /**
   * Further topics read alongside `input` (e.g. ticket status updates). Messages carry their topic
   * in `attributes.topic`, so the first step can tell them apart.
   */
  readonly extraInputs?: readonly string[];
  build(context: PipelineBuildContext): Pipeline<string, unknown>;
  readonly inputProfiles?: Readonly<Record<string, InputProfile>>;
  /** Views created (CREATE OR REPLACE) once the tables exist, in the warehouse's dialect (DuckDB). */
  readonly views?: ReadonlyArray<{ readonly name: string; readonly sql: string }>;
  /** Extra figures for the run summary, as warehouse SQL (DuckDB dialect). */
  readonly summaryQueries?: ReadonlyArray<{ readonly title: string; readonly sql: string }>;
  /**
   * Set when some steps must see the whole stream in one order (rolling features): `build` then
   * honours `SLUICE_LANE` in `context.env` (see src/runtime/lanes.ts) — `parallel` builds the
   * per-record part, `ordered` the rest, unset the whole pipeline. With `--workers N`, N processes
   * run the parallel lane on a shared consumer and one more runs the ordered lane on its own.
   */
  readonly orderedLane?: {
    /** What the ordered lane does, for people (shown when it starts). */
    readonly description: string;
  };
}
