import { ConfigError } from '../core/errors.js';
import { sleep as realSleep } from '../runtime/backoff.js';
import { type Clock, systemClock } from '../time/clock.js';

/** Waits `ms` of the clock's time; rejects when `signal` aborts. Tests pass one that advances a fake clock. */
export type Sleeper = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface TokenBucketOptions {
  /** Tokens added per second: the long-run rate. */
  readonly ratePerSecond: number;
  /**
   * Most tokens held (the largest burst after a pause). Default: a tenth of a second's worth, at
   * least 1. The bucket starts full.
   */
  readonly capacity?: number;
  readonly clock?: Clock;
  readonly sleep?: Sleeper;
}

/**
 * A token bucket: `take(n)` returns once `n` tokens are available, so callers proceed at
 * `ratePerSecond` on average with bursts of at most `capacity`. Taking more than is available puts
 * the bucket in debt and waits the debt off, which keeps the long-run rate exact whatever the
 * batch sizes and however late timers fire: the balance is recomputed from the clock, not from
 * how long the sleeps lasted.
 *
 * @example
 * const bucket = new TokenBucket({ ratePerSecond: 500 });
 * for (const batch of batches) { await bucket.take(batch.length); await bus.publish(topic, batch); }
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly capacity: number;
  private readonly clock: Clock;
  private readonly sleeper: Sleeper;
  private tokens: number;
  private updatedAt: number;

  constructor(options: TokenBucketOptions) {
    const { ratePerSecond } = options;
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new ConfigError(`rate must be a positive number of events per second (e.g. 500), got ${ratePerSecond}`);
    }
    const capacity = options.capacity ?? Math.max(1, ratePerSecond / 10);
    if (!(capacity > 0) || !Number.isFinite(capacity)) throw new ConfigError(`token bucket capacity must be a positive number, got ${capacity}`);
    this.ratePerSecond = ratePerSecond;
    this.capacity = capacity;
    this.clock = options.clock ?? systemClock;
    this.sleeper = options.sleep ?? realSleep;
    this.tokens = capacity;
    this.updatedAt = this.clock.now();
  }

  /** Tokens available now (negative while in debt). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Takes `n` tokens if they are there; never waits. */
  tryTake(n = 1): boolean {
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Milliseconds until `n` tokens would be available (0 if they are). */
  delayFor(n = 1): number {
    this.refill();
    return this.tokens >= n ? 0 : ((n - this.tokens) * 1000) / this.ratePerSecond;
  }

  /**
   * Takes `n` tokens, waiting as long as the rate requires. `n` may exceed the capacity (a large
   * batch): it then waits for the shortfall. Rejects, without taking, if `signal` aborts first.
   */
  async take(n = 1, signal?: AbortSignal): Promise<void> {
    if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`take(n) needs a finite n ≥ 0, got ${n}`);
    this.refill();
    // Take first, then wait the debt off: refilling after the wait would cap the balance at the
    // capacity and lose the tokens that accrued while waiting for a batch larger than it.
    this.tokens -= n;
    if (this.tokens >= 0) return;
    try {
      await this.sleeper((-this.tokens * 1000) / this.ratePerSecond, signal);
    } catch (error) {
      this.tokens += n;
      throw error;
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.updatedAt;
    if (elapsed > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSecond) / 1000);
      this.updatedAt = now;
    }
  }
}

/**
 * Parses a rate flag: `500/s`, `30000/m`, `2k/s`, `1000/h`, or a bare number (per second). Throws
 * a `ConfigError` naming the accepted forms.
 *
 * @example
 * parseRatePerSecond('500/s'); // 500
 * parseRatePerSecond('1.2k/m'); // 20
 */
export function parseRatePerSecond(text: string): number {
  // Only `k` as a multiplier: `m` would read as both "million" and "per minute".
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kK]?)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hr|hour))?\s*$/.exec(text.replace(/_/g, ''));
  if (match === null) throw new ConfigError(`"${text}" is not a rate: use e.g. 500/s, 30000/m or 2k/s`);
  const scale = match[2] === '' ? 1 : 1e3;
  const unit = match[3] ?? 's';
  const perSecond = unit.startsWith('s') ? 1 : unit.startsWith('m') ? 1 / 60 : 1 / 3600;
  const rate = Number(match[1]) * scale * perSecond;
  if (!(rate > 0)) throw new ConfigError(`"${text}" is not a positive rate: use e.g. 500/s`);
  return rate;
}
