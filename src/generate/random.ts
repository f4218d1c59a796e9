/**
 * Seeded pseudo-random numbers for the test-data generators: sfc32 (a small, fast 128-bit-state
 * generator that passes PractRand) seeded through the cyrb128 string hash.
 *
 * Why not Math.random or a library: generated data must be byte-identical for the same seed on any
 * machine, so that a failing test or a benchmark can be reproduced from its seed alone. Everything
 * here uses 32-bit integer operations (`Math.imul`, shifts, xor) and IEEE-754 basic arithmetic,
 * which every JavaScript engine computes exactly the same. `Math.log`, `Math.exp` and `Math.cos`
 * are "implementation-approximated" by the ECMAScript spec, so the logarithm and exponential needed
 * for Gaussian and log-normal draws are computed below with basic arithmetic only.
 */

/** A seed: any string or number. `7` and `"7"` give the same sequence. */
export type Seed = string | number;

const TWO_POW_32 = 4294967296;
const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * cyrb128: a fast 128-bit string hash, used to spread a short seed over sfc32's whole state.
 * Returns four unsigned 32-bit words.
 *
 * @example
 * const [salt] = cyrb128(`${seed}/citizens`);
 */
export function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/**
 * A stateless 32-bit mix of two integers (murmur3's finaliser over a combined word). Generators use
 * it to derive per-entity attributes (a citizen's phone number from the citizen's index) without
 * keeping a table, so memory stays constant however many entities there are.
 *
 * @example
 * const digits = mix32(seedWord, citizenIndex) % 100_000_000;
 */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b ^ (b >>> 16), 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Items with relative weights, prepared once (cumulative sums) so each draw is one float and a
 * short search. Build these at module load for hot paths instead of passing weight arrays.
 *
 * @example
 * const channels = new WeightedChoices([['mobile_app', 38], ['web_portal', 20]]);
 * rng.weightedPick(channels);
 */
export class WeightedChoices<T> {
  readonly items: readonly T[];
  readonly total: number;
  private readonly cumulative: Float64Array;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    if (entries.length === 0) throw new RangeError('WeightedChoices needs at least one entry');
    const items: T[] = [];
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([item, weight], i) => {
      if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`weight ${weight} of entry ${i} is not a finite number ≥ 0`);
      sum += weight;
      items.push(item);
      this.cumulative[i] = sum;
    });
    if (sum <= 0) throw new RangeError('WeightedChoices needs a positive total weight');
    this.items = items;
    this.total = sum;
  }

  /** The item whose cumulative band contains `u` ∈ [0, 1). */
  at(u: number): T {
    const target = u * this.total;
    const c = this.cumulative;
    let lo = 0;
    let hi = c.length - 1;
    // Binary search for the first cumulative sum above target; short tables finish in a step or two.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((c[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

/**
 * A seeded generator. Not cryptographically secure; never use it for keys or tokens.
 *
 * @example
 * const rng = new Random('seed-1');
 * rng.int(1, 6);             // a die roll
 * rng.pick(['a', 'b', 'c']); // one of them
 */
export class Random {
  /** The seed as text; `derive` hashes it with a label to make independent child streams. */
  readonly seedText: string;
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareGaussian = Number.NaN;

  constructor(seed: Seed) {
    this.seedText = String(seed);
    const [a, b, c, d] = cyrb128(this.seedText);
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
    // sfc32's first outputs are correlated with the seed words; discarding a few is the usual remedy.
    for (let i = 0; i < 15; i++) this.uint32();
  }

  /** An independent stream for one purpose, so adding draws to one part never shifts another's. */
  derive(label: string): Random {
    return new Random(`${this.seedText}\u0000${label}`);
  }

  /** Next unsigned 32-bit integer (one sfc32 step). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.float() * (hi - lo);
  }

  /** An integer in [lo, hi], both inclusive. The span hi − lo must be below 2³². */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element, uniformly. Throws on an empty array (a programming error, not bad data). */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /**
   * One element by weight: either a prepared `WeightedChoices` (fast, for hot paths) or parallel
   * `items` and `weights` arrays.
   */
  weightedPick<T>(choices: WeightedChoices<T>): T;
  weightedPick<T>(items: readonly T[], weights: readonly number[]): T;
  weightedPick<T>(choices: WeightedChoices<T> | readonly T[], weights?: readonly number[]): T {
    if (choices instanceof WeightedChoices) return choices.at(this.float());
    if (weights === undefined || weights.length !== choices.length) throw new RangeError('weightedPick needs one weight per item');
    return new WeightedChoices(choices.map((item, i) => [item, weights[i] as number] as const)).at(this.float());
  }

  /** A normal draw (Marsaglia's polar method; the spare value is kept for the next call). */
  gaussian(mean = 0, sd = 1): number {
    if (!Number.isNaN(this.spareGaussian)) {
      const spare = this.spareGaussian;
      this.spareGaussian = Number.NaN;
      return mean + sd * spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.float() * 2 - 1;
      v = this.float() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * portableLn(s)) / s);
    this.spareGaussian = v * factor;
    return mean + sd * u * factor;
  }

  /** An exponential draw with the given mean (e.g. gaps between Poisson arrivals). */
  exponential(mean: number): number {
    // 1 − float() is in (0, 1], so the logarithm is finite.
    return -mean * portableLn(1 - this.float());
  }

  /** A log-normal draw: heavy-tailed, e.g. response times. `median` is e^μ; `sigma` is σ of the log. */
  logNormal(median: number, sigma: number): number {
    return median * portableExp(sigma * this.gaussian());
  }

  /** `length` random decimal digits as text (leading zeros kept). */
  digits(length: number): string {
    let out = '';
    while (out.length < length) {
      // 9 digits per draw: 10⁹ < 2³², and the slight bias of the modulo is irrelevant for test data.
      const chunk = String(this.uint32() % 1_000_000_000).padStart(9, '0');
      out += chunk;
    }
    return out.slice(0, length);
  }

  /** `length` random lowercase hexadecimal characters. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) {
      const x = this.uint32();
      // Byte lookups: several times faster than toString(16) + padStart in the generators' hot loop.
      out += `${HEX_BYTES[x >>> 24]}${HEX_BYTES[(x >>> 16) & 0xff]}${HEX_BYTES[(x >>> 8) & 0xff]}${HEX_BYTES[x & 0xff]}`;
    }
    return out.length === length ? out : out.slice(0, length);
  }

  /** Fisher–Yates shuffle, in place; returns the same array. */
  shuffleInPlace<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

const LN2 = Math.LN2;
const LN2_HI = 0.6931471803691238; // ln2 with the low 32 bits of the significand zero
const LN2_LO = 1.9082149292705877e-10;
const SQRT2 = Math.SQRT2;
const SQRT1_2 = Math.SQRT1_2;

/**
 * Natural logarithm with basic arithmetic only, so results are identical on every engine
 * (see the module comment). Within about one ulp of `Math.log`.
 *
 * @example
 * portableLn(Math.E); // 1
 */
export function portableLn(x: number): number {
  if (!(x > 0)) return x === 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return x;
  // x = m · 2^k with m in [√½, √2); scaling by 2 is exact in binary floating point.
  let m = x;
  let k = 0;
  while (m >= SQRT2) {
    m /= 2;
    k++;
  }
  while (m < SQRT1_2) {
    m *= 2;
    k--;
  }
  // ln m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172: the odd series converges to double precision by s²¹.
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let term = s;
  let sum = s;
  for (let n = 3; n <= 25; n += 2) {
    term *= s2;
    sum += term / n;
  }
  return k * LN2 + 2 * sum;
}

/**
 * e^x with basic arithmetic only (see `portableLn`). Within about one ulp of `Math.exp`.
 *
 * @example
 * portableExp(Math.LN2); // 2
 */
export function portableExp(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x > 709.8) return Number.POSITIVE_INFINITY;
  if (x < -745.2) return 0;
  // x = k·ln2 + r with |r| ≤ ln2/2; the Taylor series of e^r reaches double precision by r¹⁸/18!.
  // Cody–Waite: ln2 split so that k·LN2_HI is exact and r keeps full precision for large |k|.
  const k = Math.round(x / LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  // Horner form, innermost term first: 1 + r(1 + r/2(1 + r/3(…))) rounds less than summing forward.
  let sum = 1;
  for (let n = 20; n >= 1; n--) sum = 1 + (r * sum) / n;
  // Multiply by 2^k one factor at a time: exact, unlike `2 ** k`, which the spec leaves approximate.
  let scale = 1;
  const step = k >= 0 ? 2 : 0.5;
  for (let i = Math.abs(k); i > 0; i--) scale *= step;
  // For results near the subnormal range scale underflows before sum is applied; good enough for test data.
  return sum * scale;
}
