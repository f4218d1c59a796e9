import type { Source, SourceBatch, SourceMessage } from '../../src/core/source.js';

/** A bounded in-memory source that records what was acknowledged. */
export class ArraySource implements Source {
  readonly name = 'test:array';
  readonly bounded = true;
  readonly acked: number[] = [];
  private position = 0;
  private readonly messages: readonly SourceMessage[];
  constructor(messages: readonly (SourceMessage | string)[]) {
    this.messages = messages.map((m) => (typeof m === 'string' ? { payload: m } : m));
  }
  async open(): Promise<void> {}
  async pull(max: number): Promise<SourceBatch | null> {
    if (this.position >= this.messages.length) return null;
    const end = Math.min(this.messages.length, this.position + max);
    const batch = { messages: this.messages.slice(this.position, end), token: end };
    this.position = end;
    return batch;
  }
  async ack(batch: SourceBatch): Promise<void> {
    this.acked.push(batch.token as number);
  }
  async close(): Promise<void> {}
}
