/**
 * A binary min-heap of `(time, item)` timers. Cancelling is lazy: callers keep the authoritative
 * timer time on the item and skip popped entries that no longer match, which is cheaper than
 * locating and removing an entry (windows reschedule and merge often, timers fire once).
 *
 * @example
 * const heap = new TimerHeap<string>();
 * heap.push(20, 'b'); heap.push(10, 'a');
 * heap.peekTime(); // 10
 * heap.pop(); // 'a'
 */
export class TimerHeap<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.times.length;
  }

  /** The earliest time, or `Infinity` when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  push(time: number, item: T): void {
    const times = this.times;
    const items = this.items;
    let i = times.length;
    times.push(time);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt <= time) break;
      times[i] = pt;
      items[i] = items[parent] as T;
      i = parent;
    }
    times[i] = time;
    items[i] = item;
  }

  /** Removes and returns the item with the earliest time; `undefined` when empty. */
  pop(): T | undefined {
    const times = this.times;
    const items = this.items;
    const n = times.length;
    if (n === 0) return undefined;
    const top = items[0] as T;
    const lastTime = times.pop() as number;
    const lastItem = items.pop() as T;
    if (n > 1) {
      const size = n - 1;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && (times[right] as number) < (times[left] as number) ? right : left;
        const ct = times[child] as number;
        if (ct >= lastTime) break;
        times[i] = ct;
        items[i] = items[child] as T;
        i = child;
      }
      times[i] = lastTime;
      items[i] = lastItem;
    }
    return top;
  }

  clear(): void {
    this.times.length = 0;
    this.items.length = 0;
  }
}
