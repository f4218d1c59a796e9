import { AccountingError } from './errors.js';

/** Per-step counts: every record a step received was passed on, errored or filtered. */
export interface StepCounts {
  received: number;
  passed: number;
  errored: number;
  filtered: number;
}

export interface SinkCounts {
  /** Rows handed to the warehouse. */
  rows: number;
  /** Rows new to the table. */
  inserted: number;
  /** Rows whose key was already present (a redelivery or a re-run): ignored, not duplicated. */
  duplicates: number;
}

export interface TopicCounts {
  published: number;
  duplicates: number;
}

/** A frozen copy of a run's accounting. */
export interface AccountingReport {
  readonly pipeline: string;
  readonly received: number;
  /** Records that went through every step and whose sinks committed. */
  readonly written: number;
  readonly errored: number;
  readonly filtered: number;
  /** Error rows about records that flowed on anyway (late events); outside the invariant. */
  readonly sideErrors: number;
  readonly balanced: boolean;
  readonly steps: ReadonlyArray<{ readonly step: string } & Readonly<StepCounts>>;
  readonly tables: ReadonlyArray<{ readonly table: string } & Readonly<SinkCounts>>;
  readonly topics: ReadonlyArray<{ readonly topic: string } & Readonly<TopicCounts>>;
  readonly errorsByType: Readonly<Record<string, number>>;
}

/**
 * The accounting invariant, kept for one run: received = written + errored + filtered, per run
 * and per step. Counts move from "pending" to committed only when the sinks have committed, so a
 * crash never leaves the books claiming more than the warehouse holds.
 */
export class RunAccounting {
  readonly pipeline: string;
  received = 0;
  written = 0;
  errored = 0;
  filtered = 0;
  /** Error rows about records that were also written (e.g. `late_event`): not part of the invariant. */
  sideErrors = 0;
  private readonly stepCounts = new Map<string, StepCounts>();
  private readonly tableCounts = new Map<string, SinkCounts>();
  private readonly topicCounts = new Map<string, TopicCounts>();
  private readonly errorTypes = new Map<string, number>();

  constructor(pipeline: string, stepNames: readonly string[] = []) {
    this.pipeline = pipeline;
    for (const name of stepNames) this.step(name);
  }

  step(name: string): StepCounts {
    let counts = this.stepCounts.get(name);
    if (counts === undefined) {
      counts = { received: 0, passed: 0, errored: 0, filtered: 0 };
      this.stepCounts.set(name, counts);
    }
    return counts;
  }

  table(name: string): SinkCounts {
    let counts = this.tableCounts.get(name);
    if (counts === undefined) {
      counts = { rows: 0, inserted: 0, duplicates: 0 };
      this.tableCounts.set(name, counts);
    }
    return counts;
  }

  topic(name: string): TopicCounts {
    let counts = this.topicCounts.get(name);
    if (counts === undefined) {
      counts = { published: 0, duplicates: 0 };
      this.topicCounts.set(name, counts);
    }
    return counts;
  }

  countError(errorType: string, n = 1): void {
    this.errorTypes.set(errorType, (this.errorTypes.get(errorType) ?? 0) + n);
  }

  /** Adds a committed chunk of work. */
  commit(chunk: { received: number; written: number; errored: number; filtered: number }): void {
    this.received += chunk.received;
    this.written += chunk.written;
    this.errored += chunk.errored;
    this.filtered += chunk.filtered;
  }

  report(): AccountingReport {
    const steps = [...this.stepCounts].map(([step, c]) => Object.freeze({ step, ...c }));
    const balanced =
      this.received === this.written + this.errored + this.filtered &&
      steps.every((s) => s.received === s.passed + s.errored + s.filtered);
    return Object.freeze({
      pipeline: this.pipeline,
      received: this.received,
      written: this.written,
      errored: this.errored,
      filtered: this.filtered,
      sideErrors: this.sideErrors,
      balanced,
      steps,
      tables: [...this.tableCounts].map(([table, c]) => Object.freeze({ table, ...c })),
      topics: [...this.topicCounts].map(([topic, c]) => Object.freeze({ topic, ...c })),
      errorsByType: Object.freeze(Object.fromEntries([...this.errorTypes].sort((a, b) => b[1] - a[1]))),
    });
  }

  /** Throws AccountingError when the books do not balance. */
  assertBalanced(): AccountingReport {
    const report = this.report();
    if (!report.balanced) {
      const bad = report.steps.filter((s) => s.received !== s.passed + s.errored + s.filtered).map((s) => s.step);
      throw new AccountingError(
        `pipeline ${this.pipeline}: received ${report.received} ≠ written ${report.written} + errored ${report.errored} + filtered ${report.filtered}` +
          (bad.length > 0 ? `; unbalanced steps: ${bad.join(', ')}` : ''),
      );
    }
    return report;
  }
}
