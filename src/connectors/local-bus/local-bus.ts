import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Bus, OutgoingMessage, PublishResult, SubscribeOptions } from '../../core/bus.js';
import { ConfigError } from '../../core/errors.js';
import type { Source, SourceBatch, SourceMessage } from '../../core/source.js';
import { contentId } from '../../runtime/runner.js';
import { decodeFrame, encodeFrame } from './log-format.js';

export interface LocalBusOptions {
  /** The folder holding every topic's log and consumer positions. */
  readonly dir: string;
  /** How many recent message ids each topic remembers for publish deduplication. Default 200 000. */
  readonly dedupWindow?: number;
  /** fsync the log after each publish (survives power loss, not just process crashes). Default false. */
  readonly fsync?: boolean;
}

const TOPIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

function checkTopic(topic: string): void {
  if (!TOPIC_NAME.test(topic)) {
    throw new ConfigError(`"${topic}" is not a valid topic name: use letters, digits, '.', '_' and '-' (e.g. tickets.new)`);
  }
}

/** Remembers the last N ids in insertion order (a ring over a Set), like JetStream's duplicate window. */
class RecentIds {
  private readonly ids = new Set<string>();
  private readonly ring: string[];
  private next = 0;
  constructor(capacity: number) {
    this.ring = new Array(capacity);
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.ids.delete(evicted);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.ring.length;
    this.ids.add(id);
  }
}

interface TopicWriter {
  readonly fd: number;
  readonly recent: RecentIds;
}

/**
 * The embedded durable bus: one append-only log file per topic and one position file per
 * durable consumer, under a folder (default `.sluice/bus`). `sluice publish` in one process and
 * `sluice run` in another hand messages over through it; positions survive restarts. One
 * consumer process per (topic, consumer) — use NATS JetStream to share a consumer among workers.
 *
 * @example
 * const bus = new LocalBus({ dir: '.sluice/bus' }); await bus.open();
 * await bus.publish('tickets.new', [{ id: 't1', payload: '{"ticket_id":"t1"}' }]);
 */
export class LocalBus implements Bus {
  readonly kind = 'local';
  readonly location: string;
  private readonly options: LocalBusOptions;
  private readonly writers = new Map<string, TopicWriter>();

  constructor(options: LocalBusOptions) {
    this.options = Object.freeze({ ...options });
    this.location = resolve(options.dir);
  }

  async open(): Promise<void> {
    mkdirSync(join(this.location, 'topics'), { recursive: true });
  }

  topicDir(topic: string): string {
    checkTopic(topic);
    return join(this.location, 'topics', topic);
  }

  logPath(topic: string): string {
    return join(this.topicDir(topic), 'log');
  }

  private writer(topic: string): TopicWriter {
    let writer = this.writers.get(topic);
    if (writer !== undefined) return writer;
    const dir = this.topicDir(topic);
    mkdirSync(join(dir, 'consumers'), { recursive: true });
    const path = join(dir, 'log');
    const fd = openSync(path, 'a');
    const recent = new RecentIds(this.options.dedupWindow ?? 200_000);
    const size = fstatSync(fd).size;
    if (size > 0) {
      const tail = readTail(path, size, 32 * 1024 * 1024);
      // A publisher killed mid-write leaves a line without LF; close it so the next frame is whole.
      if (!tail.endsWith('\n')) writeSync(fd, '\n');
      for (const line of tail.split('\n')) {
        const tab = line.indexOf('\t');
        if (tab > 0) recent.add(line.slice(0, tab));
      }
    }
    writer = { fd, recent };
    this.writers.set(topic, writer);
    return writer;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishResult> {
    const writer = this.writer(topic);
    const now = Date.now();
    let text = '';
    let published = 0;
    let duplicates = 0;
    for (const m of messages) {
      if (writer.recent.has(m.id)) {
        duplicates++;
        continue;
      }
      writer.recent.add(m.id);
      text += encodeFrame(m.id, now, m.attributes, m.payload);
      published++;
    }
    // One write() per batch with O_APPEND: concurrent publishers interleave whole batches.
    if (text.length > 0) writeSync(writer.fd, text);
    if (this.options.fsync === true && text.length > 0) {
      const { fdatasyncSync } = await import('node:fs');
      fdatasyncSync(writer.fd);
    }
    return { published, duplicates };
  }

  subscribe(topic: string, options: SubscribeOptions): Source {
    return new LocalLogSource(this, topic, options);
  }

  async stats(topic: string): Promise<{ messages: number; consumers: Record<string, { pending: number }> }> {
    const path = this.logPath(topic);
    if (!existsSync(path)) return { messages: 0, consumers: {} };
    const bytes = readFileSync(path);
    let messages = 0;
    const lineEnds: number[] = [];
    for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) {
      messages++;
      lineEnds.push(i + 1);
    }
    const consumers: Record<string, { pending: number }> = {};
    const dir = join(this.topicDir(topic), 'consumers');
    if (existsSync(dir)) {
      for (const file of readdirSync(dir)) {
        if (!file.endsWith('.pos')) continue;
        const position = Number(readFileSync(join(dir, file), 'utf8'));
        let acked = 0;
        while (acked < lineEnds.length && (lineEnds[acked] as number) <= position) acked++;
        consumers[file.slice(0, -4)] = { pending: lineEnds.length - acked };
      }
    }
    return { messages, consumers };
  }

  /** Topics that have a log. */
  topics(): string[] {
    const dir = join(this.location, 'topics');
    return existsSync(dir) ? readdirSync(dir).filter((t) => existsSync(join(dir, t, 'log'))) : [];
  }

  async close(): Promise<void> {
    for (const writer of this.writers.values()) closeSync(writer.fd);
    this.writers.clear();
  }
}

function readTail(path: string, size: number, maxBytes: number): string {
  const start = Math.max(0, size - maxBytes);
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    let text = buffer.toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return text;
  } finally {
    closeSync(fd);
  }
}

interface LocalToken {
  readonly end: number;
}

const READ_CHUNK = 4 * 1024 * 1024;

/** A durable consumer of one topic's log. Position = byte offset after the last acked line. */
class LocalLogSource implements Source {
  readonly name: string;
  readonly bounded = false;
  private readonly bus: LocalBus;
  private readonly topic: string;
  private readonly options: SubscribeOptions;
  private fd: number | null = null;
  private readPosition = 0;
  private ackedPosition = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private bufferStart = 0;
  private positionPath = '';

  constructor(bus: LocalBus, topic: string, options: SubscribeOptions) {
    this.bus = bus;
    this.topic = topic;
    this.options = options;
    this.name = `bus:${topic}`;
  }

  async open(): Promise<void> {
    const dir = this.bus.topicDir(this.topic);
    mkdirSync(join(dir, 'consumers'), { recursive: true });
    const logPath = join(dir, 'log');
    if (!existsSync(logPath)) writeFileSync(logPath, '', { flag: 'a' });
    this.fd = openSync(logPath, 'r');
    this.positionPath = join(dir, 'consumers', `${this.options.consumer.replace(/[^A-Za-z0-9._-]/g, '_')}.pos`);
    if (existsSync(this.positionPath)) {
      this.ackedPosition = Number(readFileSync(this.positionPath, 'utf8')) || 0;
    } else {
      this.ackedPosition = this.options.startAt === 'new' ? statSync(logPath).size : 0;
    }
    this.readPosition = this.ackedPosition;
    this.bufferStart = this.readPosition;
  }

  async pull(max: number, waitMs: number, signal?: AbortSignal): Promise<SourceBatch | null> {
    if (this.fd === null) throw new Error(`source ${this.name} is not open`);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (signal?.aborted) return null;
      const messages = this.readLines(max);
      if (messages.length > 0 || Date.now() >= deadline) {
        return { messages, token: { end: this.readPosition } satisfies LocalToken };
      }
      await waitForGrowth(this.fd, this.bufferStart + this.buffer.length, Math.min(50, deadline - Date.now()), signal);
    }
  }

  /** Reads complete lines from the current position; a partial last line waits for its LF. */
  private readLines(max: number): SourceMessage[] {
    const fd = this.fd as number;
    const bufferEnd = this.bufferStart + this.buffer.length;
    if (this.buffer.length - (this.readPosition - this.bufferStart) < READ_CHUNK / 2 && fstatSync(fd).size > bufferEnd) {
      const keep = this.buffer.subarray(this.readPosition - this.bufferStart);
      const fresh = Buffer.allocUnsafe(READ_CHUNK);
      const n = readSync(fd, fresh, 0, READ_CHUNK, bufferEnd);
      this.buffer = n > 0 ? Buffer.concat([keep, fresh.subarray(0, n)]) : keep;
      this.bufferStart = this.readPosition;
    }
    const messages: SourceMessage[] = [];
    let offset = this.readPosition - this.bufferStart;
    while (messages.length < max) {
      const lf = this.buffer.indexOf(10, offset);
      if (lf < 0) break;
      const line = this.buffer.toString('utf8', offset, lf);
      offset = lf + 1;
      if (line.length === 0) continue;
      const frame = decodeFrame(line);
      // A torn frame (its writer died mid-line) is delivered as-is so the pipeline records it.
      messages.push(
        frame === null
          ? { id: contentId(line), payload: line }
          : { id: frame.id, payload: frame.payload, publishTime: frame.publishTime, ...(frame.attributes !== undefined ? { attributes: frame.attributes } : {}) },
      );
    }
    this.readPosition = this.bufferStart + offset;
    return messages;
  }

  async ack(batch: SourceBatch): Promise<void> {
    const end = (batch.token as LocalToken).end;
    if (end <= this.ackedPosition) return;
    this.ackedPosition = end;
    const tmp = `${this.positionPath}.tmp`;
    writeFileSync(tmp, String(end));
    renameSync(tmp, this.positionPath);
  }

  async nak(): Promise<void> {
    // Redelivery from the last acked position happens on the next open; within a run the
    // runner retries before giving up, so there is nothing to rewind here.
  }

  progress(): { done: number; total?: number; unit: string } {
    const total = this.fd === null ? undefined : fstatSync(this.fd).size;
    return { done: this.readPosition, ...(total !== undefined ? { total } : {}), unit: 'bytes' };
  }

  async close(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Polls the log's size until it grows past `size` or `ms` pass (fs.watch misses appends on some filesystems). */
async function waitForGrowth(fd: number, size: number, ms: number, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + Math.max(0, ms);
  let delay = 2;
  while (Date.now() < until && !signal?.aborted) {
    if (fstatSync(fd).size > size) return;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, until - Date.now()))));
    delay = Math.min(delay * 2, 25);
  }
}
