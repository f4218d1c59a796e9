import { cyrb128, mix32, type Random } from '../../../src/generate/random.js';

/**
 * The citizens who file tickets. A citizen's id and phone are pure functions of (seed, index), so
 * the pool needs no table and memory stays constant for any pool size; ids never collide because
 * the index → id map is a bijection.
 */

export interface Citizen {
  /** `CIT-` + 8 digits. */
  readonly id: string;
  /** An Indian mobile in the format this citizen always uses. */
  readonly phone: string;
}

const ID_SPACE = 90_000_000; // 8-digit ids 10000000–99999999
// Coprime with 90,000,000 = 2⁷·3²·5⁷, so i ↦ (i·M + offset) mod ID_SPACE is a bijection.
const ID_MULTIPLIER = 48_271;
/** Mobile series prefixes in use in Karnataka (first two digits). */
const MOBILE_PREFIXES = [
  '98',
  '99',
  '97',
  '96',
  '94',
  '93',
  '91',
  '90',
  '89',
  '88',
  '87',
  '86',
  '80',
  '79',
  '78',
  '77',
  '76',
  '74',
  '73',
  '72',
  '70',
  '63',
  '62',
];
/** Share of tickets filed by the most active 1% of citizens: a few residents report everything. */
const FREQUENT_SHARE = 0.2;

export class CitizenPool {
  readonly size: number;
  private readonly salt: number;
  private readonly offset: number;

  constructor(seed: string, size: number) {
    if (!Number.isSafeInteger(size) || size < 1 || size > ID_SPACE) throw new RangeError(`citizen pool size ${size} out of range`);
    this.size = size;
    const [h1, h2] = cyrb128(`${seed}\u0000citizens`);
    this.salt = h1;
    this.offset = h2 % ID_SPACE;
  }

  /** Pool size for a run of `count` tickets: about four tickets per citizen, at least 500 citizens. */
  static sizeFor(count: number): number {
    return Math.min(ID_SPACE, Math.max(500, Math.ceil(count / 4)));
  }

  /** Draws the citizen for the next ticket: a fifth of tickets come from the most active 1%. */
  pickIndex(rng: Random): number {
    const frequent = Math.max(1, Math.floor(this.size / 100));
    return rng.chance(FREQUENT_SHARE) ? rng.int(0, frequent - 1) : rng.int(0, this.size - 1);
  }

  at(index: number): Citizen {
    const id = `CIT-${10_000_000 + ((index * ID_MULTIPLIER + this.offset) % ID_SPACE)}`;
    const a = mix32(this.salt, index);
    const b = mix32(a, 0x9e3779b9);
    const prefix = MOBILE_PREFIXES[a % MOBILE_PREFIXES.length] as string;
    const rest = String(b % 100_000_000).padStart(8, '0');
    // Each citizen types their number one way; most use the app's +91 format.
    const style = (a >>> 24) % 20;
    let phone: string;
    if (style < 16) phone = `+91 ${prefix}${rest.slice(0, 3)} ${rest.slice(3)}`;
    else if (style < 19) phone = `${prefix}${rest}`;
    else phone = `+91${prefix}${rest}`;
    return { id, phone };
  }
}
