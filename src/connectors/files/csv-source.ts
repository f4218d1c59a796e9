import type { Readable } from 'node:stream';
import { parse, type Parser } from 'csv-parse';
import type { Source, SourceBatch, SourceMessage } from '../../core/source.js';
import { openInput } from './open-input.js';

export interface CsvSourceOptions {
  /**
   * Turns a row (header → text) into the record the pipeline expects, e.g. a column-mapping
   * profile. The result is serialised to JSON and becomes the message payload.
   */
  readonly mapRow?: (row: Record<string, string>) => unknown;
  readonly delimiter?: string;
}

/**
 * Reads a CSV file (plain or `.gz`, or stdin `-`) with a header row. Each data row becomes one
 * message whose payload is the (mapped) row as JSON; a row csv-parse cannot read becomes a
 * message whose payload is the raw text, so the parse step records it as an error row.
 *
 * @example
 * const source = new CsvSource('la311.csv', { mapRow: la311RowToTicket });
 */
export class CsvSource implements Source {
  readonly name: string;
  readonly bounded = true;
  private readonly path: string;
  private readonly options: CsvSourceOptions;
  private parser: Parser | null = null;
  private iterator: AsyncIterator<Record<string, string>> | null = null;
  private stream: Readable | null = null;
  private size: number | undefined;
  private rows = 0;

  constructor(path: string, options: CsvSourceOptions = {}) {
    this.path = path;
    this.options = Object.freeze({ ...options });
    this.name = path === '-' ? 'stdin' : `file:${path}`;
  }

  async open(): Promise<void> {
    const input = openInput(this.path);
    this.stream = input.stream;
    this.size = input.size;
    this.parser = input.stream.pipe(
      parse({
        columns: true,
        delimiter: this.options.delimiter ?? ',',
        bom: true,
        relax_column_count: true,
        skip_empty_lines: true,
        skip_records_with_error: false,
      }),
    );
    this.iterator = this.parser[Symbol.asyncIterator]() as AsyncIterator<Record<string, string>>;
  }

  async pull(max: number): Promise<SourceBatch | null> {
    if (this.iterator === null) throw new Error(`source ${this.name} is not open`);
    const messages: SourceMessage[] = [];
    const mapRow = this.options.mapRow;
    while (messages.length < max) {
      let next: IteratorResult<Record<string, string>>;
      try {
        next = await this.iterator.next();
      } catch (error) {
        // csv-parse stops at a malformed record; record it and end the input honestly.
        messages.push({ payload: `unreadable CSV at record ${this.rows + 1}: ${(error as Error).message}` });
        this.iterator = null;
        break;
      }
      if (next.done === true) break;
      this.rows++;
      let record: unknown = next.value;
      if (mapRow !== undefined) {
        try {
          record = mapRow(next.value);
        } catch (error) {
          record = { _mapping_error: (error as Error).message, _row: next.value };
        }
      }
      messages.push({ payload: JSON.stringify(record) });
    }
    if (messages.length === 0) return null;
    if (this.iterator === null) this.iterator = { next: async () => ({ done: true, value: undefined }) };
    return { messages, token: null };
  }

  async ack(): Promise<void> {}

  progress(): { done: number; total?: number; unit: string } {
    return { done: this.rows, unit: 'rows' };
  }

  async close(): Promise<void> {
    this.stream?.destroy();
    this.parser = null;
    this.iterator = null;
  }
}
