/**
 * Finds which of many known strings occur anywhere in a text, in one pass: values are indexed by
 * their first few characters, so the cost is one Map lookup per text position, not one search
 * per value.
 */
export class KnownValueScanner {
  private readonly byPrefix = new Map<string, string[]>();
  private readonly prefixLength: number;

  constructor(values: Iterable<string>, prefixLength = 5) {
    this.prefixLength = prefixLength;
    for (const value of values) {
      if (value.length < prefixLength) throw new Error(`value "${value}" is shorter than the prefix length ${prefixLength}`);
      const prefix = value.slice(0, prefixLength);
      const list = this.byPrefix.get(prefix);
      if (list === undefined) this.byPrefix.set(prefix, [value]);
      else list.push(value);
    }
  }

  get size(): number {
    let n = 0;
    for (const list of this.byPrefix.values()) n += list.length;
    return n;
  }

  /** Every known value that occurs in `text`. */
  find(text: string): string[] {
    const found = new Set<string>();
    const last = text.length - this.prefixLength;
    for (let i = 0; i <= last; i++) {
      const candidates = this.byPrefix.get(text.slice(i, i + this.prefixLength));
      if (candidates === undefined) continue;
      for (const value of candidates) if (text.startsWith(value, i)) found.add(value);
    }
    return [...found];
  }
}
