/**
 * Pipelines for step worker tests, exported so a worker can rebuild them from a recipe.
 *
 * `envelopeEchoDefinition` records what each record's envelope looked like (id,
 * attributes, publish time) and carries values of every column kind. Its head runs on step
 * threads and its tail on the main thread, and both write the envelope they saw, so a test can
 * check that the protocol carries envelopes across intact.
 */
import { isMainThread } from 'node:worker_threads';
import type { Envelope } from '../../src/core/envelope.js';
import { TransientError } from '../../src/core/errors.js';
import type { PipelineDefinition } from '../../src/core/pipeline-definition.js';
import { pipeline } from '../../src/core/pipeline.js';
import { type ColumnSpec, defineTable, type Row } from '../../src/core/schema.js';

interface Echo {
  readonly k: string;
  readonly text: string | null;
  readonly n: number;
  readonly score: number | null;
  readonly flag: boolean | null;
  readonly tags: string[] | null;
  readonly doc: unknown;
}

/** What the envelope carried, with publish time null where the source gave none. */
const ENVELOPE_COLUMNS: ColumnSpec[] = [
  { name: 'topic', type: 'string' },
  { name: 'attr_n', type: 'string' },
  { name: 'published', type: 'timestamp' },
];

export const echoHead = defineTable({
  name: 'echo_head',
  columns: [
    { name: 'k', type: 'string' },
    { name: 'text', type: 'string' },
    { name: 'n', type: 'integer' },
    { name: 'score', type: 'double' },
    { name: 'flag', type: 'boolean' },
    { name: 'tags', type: 'string[]' },
    { name: 'doc', type: 'json' },
    { name: 'note', type: 'string' },
    ...ENVELOPE_COLUMNS,
  ],
});

export const echoTail = defineTable({ name: 'echo_tail', columns: [{ name: 'n', type: 'integer' }, ...ENVELOPE_COLUMNS] });

/** A value with its own JSON form: structured cloning to another thread would lose `toJSON`. */
class Tagged {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
  toJSON(): unknown {
    return { tagged: this.value };
  }
}

/** Objects as steps make them: class instances, Dates, and things no thread can be sent (functions). */
function docOf(v: Echo): unknown {
  if (v.n % 11 === 0) return new Tagged(v.doc);
  if (v.n % 13 === 0) return { n: v.n, at: new Date(Date.UTC(2026, 0, 1) + v.n), describe: () => `record ${v.n}` };
  return v.doc;
}

function noteOf(v: Echo): unknown {
  if (v.n % 17 === 0) return new Tagged(v.text);
  return v.n % 19 === 0 ? { text: v.text, format: () => v.text } : v.text;
}

function envelopeCells(env: Envelope): unknown[] {
  return [env.attributes.topic ?? null, env.attributes.n ?? null, env.publishTime === env.receivedAt ? null : env.publishTime];
}

export const envelopeEchoDefinition: PipelineDefinition = {
  name: 'envelope-echo',
  description: 'test pipeline: records envelopes on step threads and on the main thread',
  input: 'echo.in',
  build: () =>
    pipeline<string>({ name: 'envelope-echo', input: 'echo.in', keyFields: ['k'] })
      .step(
        'parse',
        (raw, ctx) => {
          let value: Echo & { filter?: boolean; transient?: boolean };
          try {
            value = JSON.parse(raw) as typeof value;
          } catch {
            return ctx.reject('invalid_json', 'not JSON');
          }
          if (value.filter === true) return ctx.filter('asked to');
          if (value.transient === true) throw new TransientError('always down for this record');
          return value as Echo;
        },
        { stateless: true, retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 } },
      )
      .write(echoHead, (v, env): Row => [env.id, v.k, v.text, v.n, v.score, v.flag, v.tags, docOf(v), noteOf(v), ...envelopeCells(env)])
      // Some records fail on the main thread, after the step threads: their error rows need the raw payload there.
      .step('onMain', (v, ctx) => (v.n % 23 === 4 ? ctx.reject('tail_rejected', `record ${v.n} fails after the step threads`) : v))
      .write(echoTail, (v, env): Row => [env.id, v.n, ...envelopeCells(env)]),
};

const exitTable = defineTable({ name: 'exit_rows', columns: [{ name: 'v', type: 'string' }] });

/**
 * A pipeline whose stateless step ends its step thread with `process.exit(code)` at the payload
 * `exit` (on the main thread it passes it on): a worker that vanishes mid-run.
 */
export function exitingOnThread(code: number): PipelineDefinition {
  return {
    name: 'exiting',
    description: 'test pipeline: its step thread exits at the payload "exit"',
    input: 'exit.in',
    build: () =>
      pipeline<string>({ name: 'exiting', input: 'exit.in' })
        .step(
          'maybeExit',
          (raw) => {
            if (!isMainThread && raw === 'exit') process.exit(code);
            return raw;
          },
          { stateless: true },
        )
        .write(exitTable, (v, env): Row => [env.id, v]),
  };
}

/** A recipe export that ends the step thread while it builds the pipeline (before it is ready). */
export function exitingOnBuild(code: number): PipelineDefinition {
  if (!isMainThread) process.exit(code);
  return exitingOnThread(code);
}
