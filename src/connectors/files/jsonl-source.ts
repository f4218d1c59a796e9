import type { Readable } from 'node:stream';
import { blockBatch, type Source, type SourceBatch } from '../../core/source.js';
import { LineReader } from './line-reader.js';
import { openInput } from './open-input.js';

/**
 * Reads newline-delimited records (JSON lines, or any text) from a file, a `.gz` file, or stdin
 * (`-`). Bounded: the run ends at the end of the input. Every line is one message; its id is a
 * hash of its content, so re-reading the same file is idempotent.
 *
 * @example
 * const source = new JsonLinesSource('tickets.jsonl.gz');
 */
export class JsonLinesSource implements Source {
  readonly name: string;
  readonly bounded = true;
  private readonly path: string;
  private reader: LineReader | null = null;
  private stream: Readable | null = null;
  private size: number | undefined;

  constructor(path: string) {
    this.path = path;
    this.name = path === '-' ? 'stdin' : `file:${path}`;
  }

  async open(): Promise<void> {
    const input = openInput(this.path);
    this.stream = input.stream;
    this.size = input.size;
    this.reader = new LineReader(input.stream, { fullBatches: this.path !== '-' });
  }

  async pull(max: number): Promise<SourceBatch | null> {
    if (this.reader === null) throw new Error(`source ${this.name} is not open`);
    // Bytes, not strings: step threads decode them (see SourceBatch.payloadBlock).
    const lines = await this.reader.readBlock(max);
    return lines === null ? null : blockBatch(lines, null);
  }

  async ack(): Promise<void> {
    // Files are re-read whole on a re-run; the sinks' keys make that idempotent.
  }

  progress(): { done: number; total?: number; unit: string } {
    return { done: this.reader?.bytesRead ?? 0, ...(this.size !== undefined && !this.path.endsWith('.gz') ? { total: this.size } : {}), unit: 'bytes' };
  }

  async close(): Promise<void> {
    if (this.stream !== null && this.stream !== process.stdin) this.stream.destroy();
    this.stream = null;
  }
}
