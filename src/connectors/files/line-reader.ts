import type { LineBlock } from '../../core/source.js';

const NEWLINE = Buffer.from('\n');

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
  /** readBlock fills its batch across read chunks (a file: the next chunk is at hand). */
  private readonly fullBatches: boolean;

  /**
   * `keepEmpty`: return empty lines too (a line-for-line tool needs them; record sources skip them).
   * `fullBatches`: readBlock waits for more input until its batch is full — for files, not for a
   * pipe where the next line may be minutes away.
   */
  constructor(chunks: AsyncIterable<Buffer | string>, options: { keepEmpty?: boolean; fullBatches?: boolean } = {}) {
    this.chunks = chunks[Symbol.asyncIterator]();
    this.keepEmpty = options.keepEmpty === true;
    this.fullBatches = options.fullBatches === true;
  }

  /**
   * Up to `max` non-empty lines as one block of UTF-8 text, joined by LF (CRs dropped), or null
   * at the end of the stream. No strings are made: the lines' bytes are found with a native
   * search and copied out a run at a time. For sources whose lines go to step threads, which
   * decode them there (see SourceBatch.payloadBlock and splitBlock).
   */
  async readBlock(max: number): Promise<LineBlock | null> {
    // Runs of bytes to copy, as (buffer, start, end) triples: a run ends where the buffer does or
    // a line needs trimming (a CR) or skipping (empty); otherwise it spans many lines at once.
    const runs: Array<Buffer | number> = [];
    let count = 0;
    let bytes = 0;
    let runStart = -1;
    let runEnd = -1;
    const closeRun = (): void => {
      if (runStart < 0) return;
      runs.push(this.buffer, runStart, runEnd);
      bytes += runEnd - runStart;
      runStart = -1;
    };
    while (count < max) {
      const lf = this.buffer.indexOf(10, this.offset);
      let end: number;
      if (lf >= 0) end = lf;
      else if (count > 0 && !this.fullBatches) break;
      else if (this.ended) end = this.buffer.length;
      else {
        closeRun();
        await this.fill();
        continue;
      }
      const start = this.offset;
      this.offset = lf >= 0 ? lf + 1 : this.buffer.length;
      const trimmed = end > start && this.buffer[end - 1] === 13 ? end - 1 : end;
      if (trimmed > start) {
        // The LF separating this line from the previous one is in the buffer already, unless the
        // previous line was trimmed or skipped, or lies in another buffer.
        if (runStart >= 0 && runEnd === start - 1) runEnd = trimmed;
        else {
          closeRun();
          if (count > 0) {
            runs.push(NEWLINE, 0, 1);
            bytes += 1;
          }
          runStart = start;
          runEnd = trimmed;
        }
        count++;
        if (trimmed !== end) closeRun();
      }
      if (lf < 0) break;
    }
    closeRun();
    if (count === 0) return null;
    // One exactly sized ArrayBuffer, so it clones (or transfers) without slack.
    const text = new Uint8Array(bytes);
    let at = 0;
    for (let i = 0; i < runs.length; i += 3) {
      const from = runs[i] as Buffer;
      const start = runs[i + 1] as number;
      const end = runs[i + 2] as number;
      from.copy(text, at, start, end);
      at += end - start;
    }
    return { text, count };
  }

  /** Reads the next chunk into the buffer, or marks the stream ended. */
  private async fill(): Promise<void> {
    const next = await this.chunks.next();
    if (next.done === true) {
      this.ended = true;
      return;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    this.bytesRead += chunk.length;
    this.buffer = this.offset < this.buffer.length ? Buffer.concat([this.buffer.subarray(this.offset), chunk]) : chunk;
    this.offset = 0;
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
      await this.fill();
    }
    return lines;
  }
}
