/**
 * A min-heap of future events ordered by time, then by insertion order. Generators use it to emit
 * follow-up events (a ticket's later status updates) interleaved with the main stream in event-time
 * order. Ties break by insertion order so output never depends on heap internals; memory is bounded
 * by how far ahead events are scheduled, not by how many records are generated.
 *
 * @example
 * const queue = new EventQueue<string>();
 * queue.push(2_000, 'later');
 * queue.push(1_000, 'sooner');
 * queue.popDue(1_500); // 'sooner'
 */
export class EventQueue<T> {
  // The arrays only grow: Array.prototype.pop shrinks V8's backing store once it is half empty,
  // and a queue hovering around one size then reallocates over and over. Slots past `count` are
  // stale; a popped object value stays referenced until its slot is reused (bounded by the
  // queue's high-water mark).
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly values: T[] = [];
  private count = 0;
  private nextSeq = 0;

  get size(): number {
    return this.count;
  }

  /** Time of the earliest event, or +Infinity when empty. */
  peekTime(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  push(time: number, value: T): void {
    const times = this.times;
    const seqs = this.seqs;
    const values = this.values;
    const seq = this.nextSeq++;
    let i = this.count++;
    // Sift up: move parents that sort after (time, seq) down one level.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < time || (pt === time && (seqs[parent] as number) < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent] as number;
      values[i] = values[parent] as T;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    values[i] = value;
  }

  /** Removes and returns the earliest event if its time is ≤ `time`. */
  popDue(time: number): T | undefined {
    return this.peekTime() <= time ? this.pop() : undefined;
  }

  /** Removes and returns the earliest event. */
  pop(): T | undefined {
    const times = this.times;
    const seqs = this.seqs;
    const values = this.values;
    if (this.count === 0) return undefined;
    const top = values[0] as T;
    const size = --this.count;
    if (size === 0) return top;
    const lastTime = times[size] as number;
    const lastSeq = seqs[size] as number;
    const lastValue = values[size] as T;
    // Sift the former last element down from the root.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let ct = times[child] as number;
      let cs = seqs[child] as number;
      const right = child + 1;
      if (right < size) {
        const rt = times[right] as number;
        const rs = seqs[right] as number;
        if (rt < ct || (rt === ct && rs < cs)) {
          child = right;
          ct = rt;
          cs = rs;
        }
      }
      if (lastTime < ct || (lastTime === ct && lastSeq < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      values[i] = values[child] as T;
      i = child;
    }
    times[i] = lastTime;
    seqs[i] = lastSeq;
    values[i] = lastValue;
    return top;
  }
}
