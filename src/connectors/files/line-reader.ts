/**
 * Splits a stream of byte chunks into lines without readline's per-line overhead. UTF-8 never
 * uses byte 0x0A inside a multi-byte character, so splitting bytes at LF is safe.
 */
export class LineReader {
  private readonly chunks: AsyncIterator<Buffer | string>;
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;
  private ended = false;
  /** Bytes consumed from the underlying stream so far. */
  bytesRead = 0;

  private readonly keepEmpty: boolean;

  /** `keepEmpty`: return empty lines too (a line-for-line tool needs them; record sources skip them). */
  constructor(chunks: AsyncIterable<Buffer | string>, options: { keepEmpty?: boolean } = {}) {
    this.chunks = chunks[Symbol.asyncIterator]();
    this.keepEmpty = options.keepEmpty === true;
  }

  /** Up to `max` lines (non-empty unless `keepEmpty`); an empty array only at the end of the stream. */
  async read(max: number): Promise<string[]> {
    const lines: string[] = [];
    while (lines.length < max) {
      const lf = this.buffer.indexOf(10, this.offset);
      if (lf >= 0) {
        let end = lf;
        if (end > this.offset && this.buffer[end - 1] === 13) end--;
        if (end > this.offset) lines.push(this.buffer.toString('utf8', this.offset, end));
        else if (this.keepEmpty) lines.push('');
        this.offset = lf + 1;
        continue;
      }
      if (lines.length > 0) break;
      if (this.ended) {
        if (this.offset < this.buffer.length) {
          const rest = this.buffer.toString('utf8', this.offset).replace(/\r$/, '');
          this.offset = this.buffer.length;
          if (rest.length > 0) lines.push(rest);
        }
        break;
      }
      const next = await this.chunks.next();
      if (next.done === true) {
        this.ended = true;
        continue;
      }
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      this.bytesRead += chunk.length;
      this.buffer = this.offset < this.buffer.length ? Buffer.concat([this.buffer.subarray(this.offset), chunk]) : chunk;
      this.offset = 0;
    }
    return lines;
  }
}
