import { mix32, portableExp, portableLn, Random, WeightedChoices } from '../../../src/generate/random.js';
import type { Rating } from '../event-schema.js';

/** The kinds of CQC-registered location the generator makes; only some have beds. */
export type LocationKind = 'care_home' | 'nursing_home' | 'home_care' | 'gp_practice' | 'hospital';

/** One location and its evolving state (rating, occupied beds). */
export interface CqcLocation {
  /** CQC's format: `1-` and nine or ten digits. */
  readonly id: string;
  readonly kind: LocationKind;
  /** 0 for locations without beds (home care, GP practices). */
  readonly beds: number;
  rating: Rating;
  occupied: number;
}

const KIND_CHOICES = new WeightedChoices<LocationKind>([
  ['care_home', 45],
  ['nursing_home', 20],
  ['home_care', 15],
  ['gp_practice', 15],
  ['hospital', 5],
]);

/** Roughly CQC's published distribution of overall ratings. */
export const RATING_CHOICES = new WeightedChoices<Rating>([
  ['Outstanding', 5],
  ['Good', 72],
  ['Requires improvement', 18],
  ['Inadequate', 5],
]);

function bedsFor(kind: LocationKind, rng: Random): number {
  switch (kind) {
    case 'care_home':
      return rng.int(8, 90);
    case 'nursing_home':
      return rng.int(20, 120);
    case 'hospital':
      return rng.int(80, 900);
    default:
      return 0;
  }
}

/**
 * A fixed set of locations with skewed activity (a few busy dashboards, a long tail), built from the
 * seed alone. Memory is one small object per location.
 *
 * @example
 * const pool = new LocationPool('seed', 400);
 * const location = pool.pick(rng);
 */
export class LocationPool {
  readonly locations: readonly CqcLocation[];
  private readonly choices: WeightedChoices<CqcLocation>;

  constructor(seed: string, size: number) {
    const rng = new Random(`${seed}\u0000locations`);
    const salt = rng.uint32();
    const locations: CqcLocation[] = [];
    for (let i = 0; i < size; i++) {
      // Disjoint ranges per index keep ids unique without a set.
      const id = `1-${1_000_000_000 + i * 100_000 + (mix32(salt, i) % 100_000)}`;
      const kind = KIND_CHOICES.at(rng.float());
      const beds = bedsFor(kind, rng);
      locations.push({ id, kind, beds, rating: RATING_CHOICES.at(rng.float()), occupied: Math.round(beds * rng.uniform(0.7, 0.98)) });
    }
    this.locations = locations;
    // Zipf-like activity: location i is picked with weight (i + 1)^−0.8 (portable arithmetic: `**`
    // with a fractional exponent may differ between engines, and output must be byte-identical).
    this.choices = new WeightedChoices(locations.map((l, i) => [l, portableExp(-0.8 * portableLn(i + 1))] as const));
  }

  /** A pool size for `count` events: enough locations for realistic windows (a few events each). */
  static sizeFor(count: number): number {
    return Math.min(5_000, Math.max(50, Math.round(Math.sqrt(count) * 4)));
  }

  pick(rng: Random): CqcLocation {
    return this.choices.at(rng.float());
  }
}
