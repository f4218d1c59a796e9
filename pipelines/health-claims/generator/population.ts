import { cyrb128, mix32, type Random, WeightedChoices } from '../../../src/generate/random.js';
import { ageBand, REGION_CHOICES, REGIONS, type Region, SPECIALTIES, type Specialty } from './catalog.js';

const TWO_POW_32 = 4294967296;

export interface Patient {
  /** `PAT-` and seven digits: personal data. */
  readonly id: string;
  readonly age: number;
  readonly gender: 'F' | 'M';
  readonly region: Region;
}

/**
 * Patients derived from their index alone (no table), so memory stays constant however many
 * there are. Ids are a permutation of seven-digit numbers: unique for up to 9 million patients.
 * A quarter of claims come from the 3% of patients with chronic conditions.
 */
export class PatientPool {
  readonly size: number;
  private readonly salt: number;
  private readonly offset: number;

  constructor(seed: string, size: number) {
    this.size = size;
    const [a, b] = cyrb128(`${seed}\u0000patients`);
    this.salt = a;
    this.offset = b % 9_000_000;
  }

  /**
   * Enough patients for about five claims per patient and year at the stream's simulated rate
   * (at least 200, at most 8 million). Sizing by the count instead would give each patient
   * several claims a day in a short stream, which no claims feed looks like.
   */
  static sizeFor(eventsPerSecond: number): number {
    return Math.min(8_000_000, Math.max(200, Math.ceil((eventsPerSecond * 86_400 * 365) / 5)));
  }

  pickIndex(rng: Random): number {
    const chronic = Math.max(1, Math.floor(this.size * 0.03));
    return rng.chance(0.25) ? rng.int(0, chronic - 1) : rng.int(0, this.size - 1);
  }

  at(index: number): Patient {
    const h1 = mix32(this.salt, index);
    const h2 = mix32(h1, 0x9e3779b9);
    const h3 = mix32(h2, 0x7f4a7c15);
    const u = h1 / TWO_POW_32;
    const v = h2 / TWO_POW_32;
    // 20% children, 55% adults under 65, 25% seniors, older ages rarer (t² rather than `**`, whose
    // results the spec leaves engine-dependent).
    const t = (u - 0.75) / 0.25;
    const age = u < 0.2 ? Math.floor((u / 0.2) * 18) : u < 0.75 ? 18 + Math.floor(((u - 0.2) / 0.55) * 47) : 65 + Math.floor(t * t * 36);
    // 7919 is prime and does not divide 9,000,000: index ↦ id is one-to-one.
    const number = 1_000_000 + ((index * 7919 + this.offset) % 9_000_000);
    return { id: `PAT-${number}`, age: Math.min(100, age), gender: v < 0.51 ? 'F' : 'M', region: REGION_CHOICES.at(h3 / TWO_POW_32) };
  }
}

export interface Provider {
  /** `PRV-` and five digits. Provider ids identify practices, not people: they are stored as they are. */
  readonly id: string;
  readonly specialty: Specialty;
  readonly region: Region;
  /** The practice's own price level around the regional one. */
  readonly priceFactor: number;
  /** Open at weekends (every weekend specialty; 12% of the others, e.g. Saturday clinics). */
  readonly weekends: boolean;
  /** Relative share of claims: a few large practices, many small ones. */
  readonly volume: number;
}

/**
 * The providers of the run: every specialty in every region at least once, the rest spread by
 * specialty and region share. About 80 claims per provider.
 */
export class ProviderPool {
  readonly providers: readonly Provider[];
  private readonly byCell = new Map<string, WeightedChoices<Provider>>();
  private readonly bySpecialty = new Map<Specialty, WeightedChoices<Provider>>();
  private nextPhantom = 20_000;

  constructor(rng: Random, size: number) {
    const specialtyChoices = new WeightedChoices(SPECIALTIES.map((s) => [s, s.providers] as const));
    const providers: Provider[] = [];
    const make = (specialty: Specialty, region: Region): Provider => ({
      id: `PRV-${10_000 + providers.length}`,
      specialty,
      region,
      priceFactor: Math.round(rng.logNormal(1, 0.1) * 1000) / 1000,
      weekends: specialty.weekends || rng.chance(0.12),
      volume: rng.logNormal(1, 0.8),
    });
    for (const region of REGIONS) for (const specialty of SPECIALTIES) providers.push(make(specialty, region));
    while (providers.length < size) providers.push(make(specialtyChoices.at(rng.float()), REGION_CHOICES.at(rng.float())));
    this.providers = providers;
    for (const specialty of SPECIALTIES) {
      const all = providers.filter((pr) => pr.specialty === specialty);
      this.bySpecialty.set(specialty, new WeightedChoices(all.map((pr) => [pr, pr.volume] as const)));
      for (const region of REGIONS) {
        const cell = all.filter((pr) => pr.region === region);
        this.byCell.set(`${region.id}|${specialty.id}`, new WeightedChoices(cell.map((pr) => [pr, pr.volume] as const)));
      }
    }
  }

  /** Claims per provider ≈ 80; at least one provider per specialty and region, at most 6,000. */
  static sizeFor(count: number): number {
    return Math.min(6000, Math.max(REGIONS.length * SPECIALTIES.length, Math.ceil(count / 80)));
  }

  /** A provider of the specialty: in the patient's region nine times in ten. */
  pick(rng: Random, specialty: Specialty, region: Region): Provider {
    if (rng.chance(0.9)) return (this.byCell.get(`${region.id}|${specialty.id}`) as WeightedChoices<Provider>).at(rng.float());
    return (this.bySpecialty.get(specialty) as WeightedChoices<Provider>).at(rng.float());
  }

  /** A provider nobody has seen before (a phantom practice), with ids from PRV-20000 up. */
  phantom(rng: Random): Provider {
    const specialty = SPECIALTIES[rng.int(0, SPECIALTIES.length - 1)] as Specialty;
    return {
      id: `PRV-${this.nextPhantom++}`,
      specialty,
      region: REGION_CHOICES.at(rng.float()),
      priceFactor: 1,
      weekends: true,
      volume: 1,
    };
  }
}

/** The specialty a patient's next visit is with. */
export function pickSpecialty(rng: Random, patient: Patient, choices: ReadonlyArray<Readonly<Record<'F' | 'M', WeightedChoices<Specialty>>>>): Specialty {
  const band = choices[ageBand(patient.age)] as Readonly<Record<'F' | 'M', WeightedChoices<Specialty>>>;
  return band[patient.gender].at(rng.float());
}
