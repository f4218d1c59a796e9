/**
 * A fixed-memory latency histogram with ~2% relative error (log-spaced buckets), so p50/p99 cost
 * nothing per record and the same for 1k or 100M samples.
 *
 * @example
 * const h = new LatencyHistogram(); h.record(12, 1000); h.percentile(0.99);
 */
export class LatencyHistogram {
  private static readonly BUCKETS = 1200;
  private static readonly GROWTH = Math.log(1.02);
  private readonly counts = new Float64Array(LatencyHistogram.BUCKETS);
  private total = 0;
  private maxSeen = 0;

  /** Adds `count` samples of `valueMs` (weighted, so a whole committed batch is one call). */
  record(valueMs: number, count = 1): void {
    if (count <= 0) return;
    const v = Math.max(0, valueMs);
    const index = v < 1 ? 0 : Math.min(LatencyHistogram.BUCKETS - 1, 1 + Math.floor(Math.log(v) / LatencyHistogram.GROWTH));
    this.counts[index] = (this.counts[index] ?? 0) + count;
    this.total += count;
    if (v > this.maxSeen) this.maxSeen = v;
  }

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.maxSeen;
  }

  /** The value below which `q` (0–1) of the samples fall; 0 with no samples. */
  percentile(q: number): number {
    if (this.total === 0) return 0;
    const rank = q * this.total;
    let seen = 0;
    for (let i = 0; i < LatencyHistogram.BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank && seen > 0) {
        if (i === 0) return 0.5;
        // Upper edge of the bucket, capped by the largest sample seen.
        return Math.min(this.maxSeen, Math.exp(i * LatencyHistogram.GROWTH));
      }
    }
    return this.maxSeen;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < LatencyHistogram.BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.total += other.total;
    if (other.maxSeen > this.maxSeen) this.maxSeen = other.maxSeen;
  }
}
