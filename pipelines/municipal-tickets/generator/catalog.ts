import { WeightedChoices } from '../../../src/generate/random.js';
import type { WardProfile } from './wards.js';

/**
 * What citizens complain about, and how often. Weights follow the shape of public BBMP grievance
 * (Sahaaya) statistics — garbage and roads dominate, water and streetlights follow — skewed per
 * ward profile: the dense core reports more garbage, noise and encroachment; the growing periphery
 * more roads, water supply and drainage.
 */

export type SubcategoryId =
  | 'pothole'
  | 'road_damage'
  | 'footpath_encroachment'
  | 'garbage_not_collected'
  | 'garbage_burning'
  | 'garbage_black_spot'
  | 'water_no_supply'
  | 'water_leakage'
  | 'water_contamination'
  | 'streetlight_not_working'
  | 'streetlight_damaged_pole'
  | 'drain_blocked'
  | 'drain_overflow'
  | 'tree_fallen'
  | 'tree_pruning'
  | 'stray_dogs'
  | 'stray_cattle'
  | 'noise_construction'
  | 'noise_loudspeaker'
  | 'power_outage'
  | 'hanging_wires';

export interface Subcategory {
  readonly id: SubcategoryId;
  readonly category: string;
  /** As it appears in tickets. */
  readonly name: string;
  /** Multiplies the ward's escalation base (category-level: water and drains escalate, noise rarely does). */
  readonly escalationFactor: number;
  /** Median time to resolution in hours, for the heavy-tailed response time. */
  readonly resolutionMedianHours: number;
}

interface CategorySpec {
  readonly category: string;
  readonly weight: number;
  readonly escalationFactor: number;
  /** Weight multipliers by ward profile. */
  readonly profile: Readonly<Record<WardProfile, number>>;
  readonly subcategories: ReadonlyArray<readonly [SubcategoryId, string, number, number]>; // id, name, weight, median hours
}

const CATEGORIES: readonly CategorySpec[] = [
  {
    category: 'Garbage',
    weight: 24,
    escalationFactor: 1.2,
    profile: { core: 1.4, inner: 1, outer: 0.9 },
    subcategories: [
      ['garbage_not_collected', 'Not collected', 55, 12],
      ['garbage_burning', 'Burning', 20, 24],
      ['garbage_black_spot', 'Black spot', 25, 48],
    ],
  },
  {
    category: 'Roads',
    weight: 22,
    escalationFactor: 1.1,
    profile: { core: 1, inner: 1, outer: 1.4 },
    subcategories: [
      ['pothole', 'Pothole', 50, 96],
      ['road_damage', 'Road damage', 30, 240],
      ['footpath_encroachment', 'Footpath encroachment', 20, 168],
    ],
  },
  {
    category: 'Water',
    weight: 14,
    escalationFactor: 1.5,
    profile: { core: 0.7, inner: 1, outer: 1.5 },
    subcategories: [
      ['water_no_supply', 'No supply', 50, 18],
      ['water_leakage', 'Leakage', 30, 30],
      ['water_contamination', 'Contamination', 20, 36],
    ],
  },
  {
    category: 'Streetlights',
    weight: 10,
    escalationFactor: 0.8,
    profile: { core: 0.9, inner: 1, outer: 1.2 },
    subcategories: [
      ['streetlight_not_working', 'Not working', 75, 48],
      ['streetlight_damaged_pole', 'Damaged pole', 25, 120],
    ],
  },
  {
    category: 'Drainage',
    weight: 10,
    escalationFactor: 1.4,
    profile: { core: 1.1, inner: 1, outer: 1.3 },
    subcategories: [
      ['drain_blocked', 'Blocked drain', 60, 72],
      ['drain_overflow', 'Overflow', 40, 24],
    ],
  },
  {
    category: 'Trees',
    weight: 6,
    escalationFactor: 0.9,
    profile: { core: 0.7, inner: 1.1, outer: 1 },
    subcategories: [
      ['tree_fallen', 'Fallen tree', 45, 8],
      ['tree_pruning', 'Pruning', 55, 240],
    ],
  },
  {
    category: 'Stray animals',
    weight: 6,
    escalationFactor: 0.7,
    profile: { core: 0.8, inner: 1, outer: 1.3 },
    subcategories: [
      ['stray_dogs', 'Stray dogs', 70, 168],
      ['stray_cattle', 'Cattle on road', 30, 36],
    ],
  },
  {
    category: 'Noise',
    weight: 4,
    escalationFactor: 0.6,
    profile: { core: 1.8, inner: 1, outer: 0.6 },
    subcategories: [
      ['noise_construction', 'Construction noise', 60, 48],
      ['noise_loudspeaker', 'Loudspeaker', 40, 6],
    ],
  },
  {
    category: 'Electricity',
    weight: 4,
    escalationFactor: 1.3,
    profile: { core: 1, inner: 1, outer: 1.1 },
    subcategories: [
      ['power_outage', 'Power outage', 60, 4],
      ['hanging_wires', 'Hanging wires', 40, 24],
    ],
  },
];

/** Encroachment is a dense-core problem: vendors and shops spill onto narrow footpaths. */
const CORE_ENCROACHMENT_BOOST = 2.5;

/** Every subcategory, in catalogue order. */
export const SUBCATEGORIES: readonly Subcategory[] = CATEGORIES.flatMap((c) =>
  c.subcategories.map(([id, name, , hours]) =>
    Object.freeze({ id, category: c.category, name, escalationFactor: c.escalationFactor, resolutionMedianHours: hours }),
  ),
);

function tableFor(profile: WardProfile): WeightedChoices<Subcategory> {
  const entries: Array<readonly [Subcategory, number]> = [];
  let i = 0;
  for (const c of CATEGORIES) {
    const subTotal = c.subcategories.reduce((sum, [, , w]) => sum + w, 0);
    for (const [id, , w] of c.subcategories) {
      const boost = profile === 'core' && id === 'footpath_encroachment' ? CORE_ENCROACHMENT_BOOST : 1;
      entries.push([SUBCATEGORIES[i++] as Subcategory, ((c.weight * c.profile[profile] * w) / subTotal) * boost]);
    }
  }
  return new WeightedChoices(entries);
}

/** The complaint mix for each ward profile. */
export const SUBCATEGORY_CHOICES: Readonly<Record<WardProfile, WeightedChoices<Subcategory>>> = {
  core: tableFor('core'),
  inner: tableFor('inner'),
  outer: tableFor('outer'),
};

/** Lowest and highest escalation probability of a ticket, whatever its ward and category. */
export const ESCALATION_RATE_BOUNDS = { min: 0.05, max: 0.25 } as const;

/** Probability that a ticket of this ward base and subcategory is escalated, clamped to 5–25%. */
export function escalationRate(wardBase: number, subcategory: Subcategory): number {
  const rate = wardBase * subcategory.escalationFactor;
  return Math.min(ESCALATION_RATE_BOUNDS.max, Math.max(ESCALATION_RATE_BOUNDS.min, rate));
}
